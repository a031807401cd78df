//go:build !amd64 || purego

package vmath

// vectorReLU is false: ReLUChain is the scalar loop on this architecture or with -tags purego.
const vectorReLU = false

func reluVector(dst, src, x []float64, acc bool) { panic("vmath: no vector ReLU") }

//go:build !amd64 || purego

package vmath

// vectorTanh is false: Tanh is the scalar tanh on this architecture or with -tags purego.
const vectorTanh = false

func tanhVector(dst, x []float64) { panic("vmath: no vector tanh") }

//go:build !amd64 || purego

package vmath

// vectorTanhChain is false: TanhChain is the scalar loop on this architecture or with -tags
// purego.
const vectorTanhChain = false

func tanhChainVector(dst, src, y []float64, acc bool) { panic("vmath: no vector tanh chain") }

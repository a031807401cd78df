//go:build !amd64 || purego

package vmath

// vectorAdam is false: Adam is the scalar loop on this architecture or with -tags purego.
const vectorAdam = false

func adamVector(x, grad, m, v []float64, c *AdamCoeffs) { panic("vmath: no vector Adam") }

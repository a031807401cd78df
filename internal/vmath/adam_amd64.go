//go:build !purego

package vmath

import "github.com/adjunto/adjunto/internal/cpufeat"

// adamAVX512 is Adam's loop for n components with AVX-512F; c points to the coefficients laid
// out as adamCoeffs512.
//
//go:noescape
func adamAVX512(x, grad, m, v *float64, n int, c *[9]float64)

var vectorAdam = cpufeat.AVX512F

func adamVector(x, grad, m, v []float64, c *AdamCoeffs) {
	k := [9]float64{c.L2, c.Beta1, 1 - c.Beta1, c.Beta2, 1 - c.Beta2, c.StepSize, c.InvBC2, c.Eps, c.Shrink}
	adamAVX512(&x[0], &grad[0], &m[0], &v[0], len(grad), &k)
}

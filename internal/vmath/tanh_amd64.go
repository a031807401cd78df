//go:build !purego

package vmath

import "github.com/adjunto/adjunto/internal/cpufeat"

// tanhAVX512 sets dst[i] = tanh(x[i]) for i < n, eight at a time with AVX-512F.
//
// With y = 2x clamped to ±40 (beyond which tanh rounds to ±1), k = round(y/ln2) and
// r = y − k·ln2 in two parts (|r| ≤ ln2/2), e^y − 1 = u = (2^k − 1) + 2^k·p(r), where p is the
// Taylor polynomial of expm1 of degree 13 (its remainder r¹⁴/14! is below 2⁻⁵⁶ relative),
// 2^k comes from VSCALEFPD and 2^k − 1 is exact for the k that matter. Then tanh x = u/(u+2)
// as in tanh. x's sign is copied onto the result (for −0) and NaNs pass through.
//
//go:noescape
func tanhAVX512(dst, x *float64, n int)

var vectorTanh = cpufeat.AVX512F

func tanhVector(dst, x []float64) { tanhAVX512(&dst[0], &x[0], len(x)) }

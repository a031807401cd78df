//go:build !purego

package vmath

import "github.com/adjunto/adjunto/internal/cpufeat"

// reluAVX512 is ReLUChain's loop for n elements with AVX-512F.
//
//go:noescape
func reluAVX512(dst, src, aux *float64, n int, acc bool)

var vectorReLU = cpufeat.AVX512F

func reluVector(dst, src, x []float64, acc bool) { reluAVX512(&dst[0], &src[0], &x[0], len(src), acc) }

//go:build !purego

package vmath

import "github.com/adjunto/adjunto/internal/cpufeat"

// tanhChainAVX512 is TanhChain's loop for n elements with AVX-512F.
//
//go:noescape
func tanhChainAVX512(dst, src, aux *float64, n int, acc bool)

var vectorTanhChain = cpufeat.AVX512F

func tanhChainVector(dst, src, y []float64, acc bool) {
	tanhChainAVX512(&dst[0], &src[0], &y[0], len(src), acc)
}

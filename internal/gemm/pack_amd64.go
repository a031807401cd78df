//go:build !purego

package gemm

import "github.com/adjunto/adjunto/internal/cpufeat"

// vectorPack reports whether packing may use the AVX-512 routines below.
var vectorPack = cpufeat.AVX512F

// transpose8x8 sets dst[q·width + i] = alpha·src[i·ld + q] for i < 8, q < 8·blocks.
//
//go:noescape
func transpose8x8(dst *float64, width int, src *float64, ld int, blocks int, alpha float64)

// copy8 sets dst[p·width + j] = alpha·src[p·ld + j] for p < kb, j < width, a multiple of 8.
//
//go:noescape
func copy8(dst *float64, width int, src *float64, ld int, kb int, alpha float64)

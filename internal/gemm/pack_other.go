//go:build !amd64 || purego

package gemm

import "unsafe"

// vectorPack is false here: pack.go's own loops pack. (Dgemm is gonum's on these builds.)
const vectorPack = false

// transpose8x8 sets dst[q·width + i] = alpha·src[i·ld + q] for i < 8, q < 8·blocks: the
// portable form of pack_amd64.s's.
func transpose8x8(dst *float64, width int, src *float64, ld int, blocks int, alpha float64) {
	d := unsafe.Slice(dst, (8*blocks-1)*width+8)
	s := unsafe.Slice(src, 7*ld+8*blocks)
	for q := range 8 * blocks {
		for i := range 8 {
			d[q*width+i] = alpha * s[i*ld+q]
		}
	}
}

// copy8 sets dst[p·width + j] = alpha·src[p·ld + j] for p < kb, j < width: the portable form
// of pack_amd64.s's.
func copy8(dst *float64, width int, src *float64, ld int, kb int, alpha float64) {
	d := unsafe.Slice(dst, kb*width)
	s := unsafe.Slice(src, (kb-1)*ld+width)
	for p := range kb {
		for j, v := range s[p*ld : p*ld+width] {
			d[p*width+j] = alpha * v
		}
	}
}

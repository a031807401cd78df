//go:build !purego

package gemm

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestVectorPackBitIdentical checks that the AVX-512 packing routines write the bits of the
// scalar loops they replace, for both transposes, panels cut at edges and k not a multiple
// of 8, so that switching them on changed no product.
func TestVectorPackBitIdentical(t *testing.T) {
	if !vectorPack {
		t.Skip("no AVX-512")
	}
	defer func() { vectorPack = true }()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, kn := range available {
		for _, trans := range []bool{false, true} {
			for _, sz := range []struct{ mb, kb, nb int }{{8, 8, 24}, {17, 13, 49}, {64, 129, 24}, {7, 5, 11}, {40, 256, 100}} {
				name := fmt.Sprintf("%s/trans=%v/%dx%dx%d", kn.name, trans, sz.mb, sz.kb, sz.nb)
				ld := max(sz.mb, sz.kb, sz.nb) + 3
				src := make([]float64, (ld+2)*ld)
				for i := range src {
					src[i] = rng.NormFloat64()
				}
				pack := func(vec bool) (a, b []float64) {
					vectorPack = vec
					mbUp := (sz.mb + kn.mr - 1) / kn.mr * kn.mr
					nbUp := (sz.nb + kn.nr - 1) / kn.nr * kn.nr
					a, b = make([]float64, mbUp*sz.kb), make([]float64, sz.kb*nbUp)
					packA(a, src, ld, trans, 1, 2, sz.mb, sz.kb, kn.mr, 0.7)
					packB(b, src, ld, trans, 2, 1, sz.kb, sz.nb, kn.nr)
					return a, b
				}
				a0, b0 := pack(false)
				a1, b1 := pack(true)
				if !slices.Equal(a0, a1) || !slices.Equal(b0, b1) {
					t.Errorf("%s: vector packing differs from the scalar loops", name)
				}
			}
		}
	}
}

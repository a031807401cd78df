//go:build !purego

package gemm

import (
	"math/rand/v2"
	"testing"

	"github.com/adjunto/adjunto/internal/cpufeat"
)

// BenchmarkPeak measures this core's fp64 peak with 16 independent chains of AVX-512 FMAs:
// the yardstick for the GFLOP/s of BenchmarkDgemm.
func BenchmarkPeak(b *testing.B) {
	if !cpufeat.AVX512F {
		b.Skip("no AVX-512")
	}
	const steps = 1 << 16
	reportRate(b, steps*256, func() { fmaLoop512(steps) })
}

// BenchmarkPacking runs the AVX-512 Dgemm at the layer shapes with the scalar packing loops
// ("scalar") and with the vector packing routines of pack_amd64.s ("vector"), interleaved, so
// that the two are compared under the same load. The products' bits are the same.
func BenchmarkPacking(b *testing.B) {
	if !vectorPack {
		b.Skip("no AVX-512")
	}
	defer func() { vectorPack = true }()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range layerShapes {
		a, lda, bb, ldb, c, ldc := operands(rng, s.tA, s.tB, s.m, s.n, s.k, 0)
		flops := 2 * float64(s.m*s.n*s.k)
		for _, vec := range []bool{false, true} {
			name := map[bool]string{false: "scalar", true: "vector"}[vec]
			b.Run(s.name+"/"+name, func(b *testing.B) {
				vectorPack = vec
				reportRate(b, flops, func() { dgemm(best, s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, ldc) })
			})
		}
	}
}

//go:build !purego

package gemm

import (
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

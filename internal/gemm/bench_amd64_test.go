//go:build !purego

package gemm

import "testing"

// BenchmarkPeak measures this core's fp64 peak with 16 independent chains of AVX-512 FMAs:
// the yardstick for the GFLOP/s of BenchmarkDgemm.
func BenchmarkPeak(b *testing.B) {
	if _, avx512 := features(); !avx512 {
		b.Skip("no AVX-512")
	}
	const steps = 1 << 16
	for b.Loop() {
		fmaLoop512(steps)
	}
	b.ReportMetric(float64(b.N)*steps*256/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

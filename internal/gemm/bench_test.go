package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/adjunto/adjunto/internal/cputime"

	"gonum.org/v1/gonum/blas/gonum"
)

// layerShapes are the products of a training step of the 784-256-256-10 and 784-1024-1024-10
// networks at batch 128.
var layerShapes = []struct {
	name    string
	tA, tB  bool
	m, n, k int
}{
	{"XWt_128x256x784", false, true, 128, 256, 784},
	{"GtX_256x784x128", true, false, 256, 784, 128},
	{"XWt_128x256x256", false, true, 128, 256, 256},
	{"GW_128x256x256", false, false, 128, 256, 256},
	{"XWt_128x10x256", false, true, 128, 10, 256},
	{"XWt_128x1024x1024", false, true, 128, 1024, 1024},
	{"GtX_1024x1024x128", true, false, 1024, 1024, 128},
	{"GW_128x1024x1024", false, false, 128, 1024, 1024},
}

// BenchmarkDgemm runs the products of a training step of the 784-256-256-10 network at batch
// 128 (X·Wᵀ forward, Gᵀ·X for the weights' gradient, G·W for the inputs'), and of the
// 1024-wide network, with each kernel and with gonum's Dgemm, reporting GFLOP/s (2mnk per product)
// per wall and per CPU second.
func BenchmarkDgemm(b *testing.B) {
	shapes := layerShapes
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range shapes {
		a, lda, bb, ldb, c, ldc := operands(rng, s.tA, s.tB, s.m, s.n, s.k, 0)
		flops := 2 * float64(s.m*s.n*s.k)
		run := func(name string, f func()) {
			b.Run(fmt.Sprintf("%s/%s", s.name, name), func(b *testing.B) {
				reportRate(b, flops, f)
			})
		}
		for _, kn := range available {
			run(kn.name, func() { dgemm(kn, s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, ldc) })
		}
		run("gonum", func() {
			gonum.Implementation{}.Dgemm(trans(s.tA), trans(s.tB), s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, ldc)
		})
	}
}

// reportRate runs f b.N times and reports flops per wall second and per CPU second (the
// steadier of the two on a loaded machine; see package cputime), in units of 10⁹.
func reportRate(b *testing.B, flops float64, f func()) {
	cpu0 := cputime.Seconds()
	for b.Loop() {
		f()
	}
	total := flops * float64(b.N) / 1e9
	b.ReportMetric(total/b.Elapsed().Seconds(), "GFLOP/s")
	if cpu := cputime.Seconds() - cpu0; cpu > 0 {
		b.ReportMetric(total/cpu, "GFLOP/cpu-s")
	}
}

package fourdvar_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/adjunto/adjunto/fourdvar"
)

// BenchmarkGaussianB builds the Gaussian B (σ_b = 0.3, L = 2 grid points) on rings and
// square grids of N points and applies its square root: the O(N log N) path of Circulant.
func BenchmarkGaussianB(b *testing.B) {
	for _, g := range []struct{ nx, ny int }{{40, 1}, {10000, 1}, {1000000, 1}, {128, 128}, {1000, 1000}} {
		name := fmt.Sprintf("ring/N=%d", g.nx)
		if g.ny > 1 {
			name = fmt.Sprintf("grid/%dx%d", g.ny, g.nx)
		}
		build := func() *fourdvar.Circulant {
			if g.ny == 1 {
				return fourdvar.NewGaussianCircle(g.nx, 0.3, 2)
			}
			return fourdvar.NewGaussianGrid(g.nx, g.ny, 0.3, 2)
		}
		b.Run(name+"/build", func(b *testing.B) {
			for b.Loop() {
				build()
			}
		})
		b.Run(name+"/sqrt-mul", func(b *testing.B) {
			c := build()
			rng := rand.New(rand.NewPCG(1, 2))
			v, dst := make([]float64, c.Dim()), make([]float64, c.Dim())
			for i := range v {
				v[i] = rng.NormFloat64()
			}
			b.ResetTimer()
			for b.Loop() {
				c.SqrtMul(dst, v)
			}
		})
	}
}

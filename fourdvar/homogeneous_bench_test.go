package fourdvar_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/adjunto/adjunto/fourdvar"
	"gonum.org/v1/gonum/floats"
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

// naiveCirculant is the construction Circulant replaced, kept as the benchmarks' baseline:
// eigenvalues by a naive DFT of the first row and C^{1/2} applied as a dense circular
// convolution with its first row, both O(N²).
type naiveCirculant struct{ row, kernel []float64 }

func newNaiveCirculant(row []float64) *naiveCirculant {
	n := len(row)
	eig := make([]float64, n)
	for k := range n {
		for d, r := range row {
			eig[k] += r * math.Cos(2*math.Pi*float64(k*d%n)/float64(n))
		}
	}
	c := &naiveCirculant{row: row, kernel: make([]float64, 2*n-1)}
	sq := make([]float64, n)
	for d := range n {
		for k, e := range eig {
			sq[d] += math.Sqrt(math.Max(e, 1e-12*eig[0])) * math.Cos(2*math.Pi*float64(k*d%n)/float64(n))
		}
		sq[d] /= float64(n)
	}
	for t := range c.kernel {
		c.kernel[t] = sq[((n-1-t)%n+n)%n]
	}
	return c
}

func (c *naiveCirculant) sqrtMul(dst, v []float64) {
	n := len(v)
	for i := range n {
		dst[i] = floats.Dot(c.kernel[n-1-i:2*n-1-i], v)
	}
}

// BenchmarkGaussianBNaive is BenchmarkGaussianB's ring of 10⁴ points with the O(N²)
// construction and application that Circulant replaced.
func BenchmarkGaussianBNaive(b *testing.B) {
	const n = 10000
	row := make([]float64, n)
	for d := range n {
		x := float64(min(d, n-d))
		row[d] = math.Exp(-x * x / 8)
	}
	b.Run("ring/N=10000/build", func(b *testing.B) {
		for b.Loop() {
			newNaiveCirculant(row)
		}
	})
	b.Run("ring/N=10000/sqrt-mul", func(b *testing.B) {
		c := newNaiveCirculant(row)
		v, dst := make([]float64, n), make([]float64, n)
		for i := range v {
			v[i] = float64(i%7) - 3
		}
		b.ResetTimer()
		for b.Loop() {
			c.sqrtMul(dst, v)
		}
	})
}

package vmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAdamSameBits checks that Adam, on every length 0–40 (the vector kernel's main loop and
// masked tail) and with or without weight decay, gives the bits of the scalar loop written
// with explicit float64 conversions, which forbid the compiler from fusing multiply-adds
// (Go spec, "Floating-point operators"), so that the reference is the rounded sequence of
// operations whatever the build.
func TestAdamSameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range []AdamCoeffs{
		{Beta1: 0.9, Beta2: 0.999, StepSize: 1e-3 / (1 - 0.9), InvBC2: 1 / math.Sqrt(1-0.999), Eps: 1e-8, Shrink: 1},
		{L2: 1e-2, Beta1: 0.8, Beta2: 0.99, StepSize: 0.05, InvBC2: 3, Eps: 1e-6, Shrink: 0.999},
	} {
		for n := range 41 {
			x, g, m, v := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range n {
				x[i], g[i], m[i], v[i] = rng.NormFloat64(), rng.NormFloat64(), 0.1*rng.NormFloat64(), rng.Float64()
			}
			wx, wm, wv := append([]float64(nil), x...), append([]float64(nil), m...), append([]float64(nil), v...)
			for i := range n {
				w := wx[i]
				gi := float64(g[i] + float64(c.L2*w))
				mi := float64(float64(c.Beta1*wm[i]) + float64((1-c.Beta1)*gi))
				vi := float64(float64(c.Beta2*wv[i]) + float64(float64((1-c.Beta2)*gi)*gi))
				wm[i], wv[i] = mi, vi
				den := float64(float64(math.Sqrt(vi)*c.InvBC2) + c.Eps)
				wx[i] = float64(float64(w*c.Shrink) - float64(float64(c.StepSize*mi)/den))
			}
			Adam(x, g, m, v, c)
			for i := range n {
				if x[i] != wx[i] || m[i] != wm[i] || v[i] != wv[i] {
					t.Fatalf("n=%d, i=%d: x, m, v = %v, %v, %v; want %v, %v, %v", n, i, x[i], m[i], v[i], wx[i], wm[i], wv[i])
				}
			}
		}
	}
}

// BenchmarkAdam is one step on the 269,322 parameters of the 784-256-256-10 network.
func BenchmarkAdam(b *testing.B) {
	const n = 784*256 + 256 + 256*256 + 256 + 256*10 + 10
	rng := rand.New(rand.NewPCG(1, 2))
	x, g, m, v := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		x[i], g[i] = rng.NormFloat64(), rng.NormFloat64()
	}
	c := AdamCoeffs{Beta1: 0.9, Beta2: 0.999, StepSize: 1e-2, InvBC2: 30, Eps: 1e-8, Shrink: 1}
	b.Run("Adam", func(b *testing.B) {
		for b.Loop() {
			Adam(x, g, m, v, c)
		}
	})
	b.Run("scalar", func(b *testing.B) {
		for b.Loop() {
			adamScalar(x, g, m, v, c)
		}
	})
}

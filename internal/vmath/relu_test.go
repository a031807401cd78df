package vmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestReLUChainSameBits checks ReLUChain against the scalar loop bit for bit, with and
// without accumulation, on every length 0–40 (the main loop and the masked tail), with
// zeros of both signs, NaNs and infinities among x and −0 in dst (which + 0 turns into +0).
func TestReLUChainSameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	specials := []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), 1e-310}
	for _, acc := range []bool{false, true} {
		for n := range 41 {
			dst, src, x := make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range n {
				dst[i], src[i], x[i] = rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
				if rng.IntN(4) == 0 {
					x[i] = specials[rng.IntN(len(specials))]
				}
				if rng.IntN(8) == 0 {
					dst[i] = math.Copysign(0, -1)
				}
			}
			want := append([]float64(nil), dst...)
			for i, s := range src { // the rule, written out
				if !(x[i] > 0) {
					s = 0
				}
				if acc {
					want[i] += s
				} else {
					want[i] = s
				}
			}
			ReLUChain(dst, src, x, acc)
			for i := range n {
				if math.Float64bits(dst[i]) != math.Float64bits(want[i]) {
					t.Fatalf("acc=%v n=%d: dst[%d] = %v, want %v (x = %v, src = %v)", acc, n, i, dst[i], want[i], x[i], src[i])
				}
			}
		}
	}
}

// BenchmarkReLUChain is the adjoint rule on the 128×256 pre-activations of a hidden layer,
// N(0,1), where a branch on the sign is unpredictable.
func BenchmarkReLUChain(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 128 * 256
	dst, src, x := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		src[i], x[i] = rng.NormFloat64(), rng.NormFloat64()
	}
	b.Run("ReLUChain", func(b *testing.B) {
		for b.Loop() {
			ReLUChain(dst, src, x, true)
		}
	})
	b.Run("scalar", func(b *testing.B) {
		for b.Loop() {
			reluScalar(dst, src, x, true)
		}
	})
}

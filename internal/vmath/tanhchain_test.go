package vmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestTanhChainSameBits checks TanhChain against the rule written out, bit for bit, with and
// without accumulation, on every length 0–40 (the main loop and the masked tail), with
// values of tanh (|y| ≤ 1, ±1 and both zeros among them) and, outside its range, NaN, ±Inf
// and large |y|, and with NaN, ±Inf and −0 among src and dst. Two NaNs count as equal: which
// NaN operand's payload an addition passes on is the scalar compiler's choice.
func TestTanhChainSameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	negZero := math.Copysign(0, -1)
	specialY := []float64{0, negZero, 1, -1, math.NaN(), math.Inf(1), math.Inf(-1), 1e200, 1e-310}
	specialS := []float64{negZero, math.NaN(), math.Inf(1), math.Inf(-1), 1e308}
	same := func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
	}
	for _, acc := range []bool{false, true} {
		for n := range 41 {
			dst, src, y := make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range n {
				dst[i], src[i], y[i] = rng.NormFloat64(), rng.NormFloat64(), math.Tanh(rng.NormFloat64())
				if rng.IntN(4) == 0 {
					y[i] = specialY[rng.IntN(len(specialY))]
				}
				if rng.IntN(6) == 0 {
					src[i] = specialS[rng.IntN(len(specialS))]
				}
				if rng.IntN(6) == 0 {
					dst[i] = specialS[rng.IntN(len(specialS))]
				}
			}
			want := append([]float64(nil), dst...)
			for i, s := range src { // the rule, written out
				v := (1 - y[i]*y[i]) * s
				if acc {
					want[i] += v
				} else {
					want[i] = v
				}
			}
			TanhChain(dst, src, y, acc)
			for i := range n {
				if !same(dst[i], want[i]) {
					t.Fatalf("acc=%v n=%d: dst[%d] = %v, want %v (y = %v, src = %v)", acc, n, i, dst[i], want[i], y[i], src[i])
				}
			}
		}
	}
}

// TestTanhChainLeavesTheRest checks that TanhChain writes the first len(src) elements of dst
// only, the masked tail included.
func TestTanhChainLeavesTheRest(t *testing.T) {
	for n := range 34 {
		dst := make([]float64, n+9)
		for i := range dst {
			dst[i] = 7
		}
		src, y := make([]float64, n+9), make([]float64, n+9)
		for i := range src {
			src[i], y[i] = 1, 0.5
		}
		TanhChain(dst, src[:n], y, false)
		for i, v := range dst {
			want := 7.0
			if i < n {
				want = 0.75
			}
			if v != want {
				t.Fatalf("n=%d: dst[%d] = %v, want %v", n, i, v, want)
			}
		}
	}
}

// BenchmarkTanhChain is the adjoint rule on the 320×64 hidden values of one part of the
// surrogate's batch (8 states of 40 points, 64 hidden units).
func BenchmarkTanhChain(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 320 * 64
	dst, src, y := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		src[i], y[i] = rng.NormFloat64(), math.Tanh(rng.NormFloat64())
	}
	b.Run("TanhChain", func(b *testing.B) {
		for b.Loop() {
			TanhChain(dst, src, y, true)
		}
	})
	b.Run("scalar", func(b *testing.B) {
		for b.Loop() {
			tanhChainScalar(dst, src, y, true)
		}
	})
}

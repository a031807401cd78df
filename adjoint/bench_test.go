package adjoint

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// chainLength is the number of elementwise primitives in the cheap-gradient benchmark.
const chainLength = 100

// chain records x → 100 elementwise primitives → Sum on t. The "mixed" chain cycles through a
// transcendental activation, a scaling, another activation and a product with a constant, the
// shape of a layer-by-layer program. The "cheap" chain uses only Scale, Mul and Add, whose
// kernels are a single multiply or add: there every sweep is bound by memory traffic, the
// hardest case for the cheap-gradient ratio.
func chain(t *Tape, x, c *Value, cheap bool) (J *Value) {
	y := x
	for i := range chainLength {
		switch k := i % 4; {
		case k == 0 && !cheap:
			y = Tanh(y)
		case k == 2 && !cheap:
			y = Sigmoid(y)
		case k == 0, k == 1:
			y = Scale(0.9, y)
		case k == 2:
			y = Add(y, c)
		case k == 3:
			y = Mul(y, c)
		}
	}
	return Sum(y)
}

func chainInputs(n int) (x, c []float64) {
	rnd := rand.New(rand.NewPCG(1, 2))
	x, c = make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = rnd.NormFloat64()
		c[i] = 1 + 0.1*rnd.NormFloat64()
	}
	return x, c
}

// BenchmarkChain measures the cheap-gradient principle on a chain of 100 elementwise
// primitives: the forward without a tape (the primitives' kernels on preallocated buffers, the
// floor), the forward recorded on a new tape, the forward replayed on a recorded tape, and
// forward + reverse sweep.
func BenchmarkChain(b *testing.B) {
	for _, tc := range []struct {
		n     int
		cheap bool
	}{{1_000, false}, {1_000_000, false}, {1_000, true}, {1_000_000, true}} {
		n := tc.n
		x, c := chainInputs(n)
		mix := "mixed"
		if tc.cheap {
			mix = "cheap"
		}
		chain := func(t *Tape, x, c *Value) *Value { return chain(t, x, c, tc.cheap) }

		b.Run(fmt.Sprintf("%s/n=%d/untaped", mix, n), func(b *testing.B) {
			t := NewTape()
			J := chain(t, t.Vector(x), t.Constant(c, 1, n))
			_ = J
			nodes := t.nodes
			b.ResetTimer()
			for b.Loop() {
				for _, v := range nodes {
					if v.prim != nil {
						v.prim.Forward(v, v.in)
					}
				}
			}
		})
		b.Run(fmt.Sprintf("%s/n=%d/record", mix, n), func(b *testing.B) {
			t := NewTape()
			for b.Loop() {
				t.Reset()
				chain(t, t.Vector(x), t.Constant(c, 1, n))
			}
		})
		b.Run(fmt.Sprintf("%s/n=%d/replay", mix, n), func(b *testing.B) {
			t := NewTape()
			chain(t, t.Vector(x), t.Constant(c, 1, n))
			for b.Loop() {
				t.Forward()
			}
		})
		b.Run(fmt.Sprintf("%s/n=%d/forward+reverse", mix, n), func(b *testing.B) {
			t := NewTape()
			J := chain(t, t.Vector(x), t.Constant(c, 1, n))
			t.Gradient(J) // allocate the adjoint buffers once
			b.ResetTimer()
			for b.Loop() {
				t.Forward()
				t.Gradient(J)
			}
		})
		b.Run(fmt.Sprintf("%s/n=%d/reverse", mix, n), func(b *testing.B) {
			t := NewTape()
			J := chain(t, t.Vector(x), t.Constant(c, 1, n))
			t.Gradient(J)
			b.ResetTimer()
			for b.Loop() {
				t.Gradient(J)
			}
		})
		b.Run(fmt.Sprintf("%s/n=%d/tangent", mix, n), func(b *testing.B) {
			t := NewTape()
			xv := t.Vector(x)
			chain(t, xv, t.Constant(c, 1, n))
			dirs := [][]float64{c}
			t.JVP([]*Value{xv}, dirs)
			b.ResetTimer()
			for b.Loop() {
				t.JVP([]*Value{xv}, dirs)
			}
		})
	}
}

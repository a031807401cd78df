package lorenz

import (
	"math/rand/v2"
	"testing"

	"github.com/adjunto/adjunto/adjoint"
)

// testModels returns the models the window tests run over, each in both schemes.
func testModels(t *testing.T) []struct {
	name string
	m    Composable
	x0   []float64
} {
	t.Helper()
	var out []struct {
		name string
		m    Composable
		x0   []float64
	}
	for _, s := range []Integrator{RK4, Euler} {
		l63 := NewL63()
		l63.Integrator = s
		l96, err := NewL96(40)
		if err != nil {
			t.Fatal(err)
		}
		l96.Integrator = s
		if s == Euler {
			// Forward Euler is unstable on Lorenz-96 at dt = 0.05 (see TestBlowUpNamesStep).
			l96.Dt = 0.01
		}
		out = append(out,
			struct {
				name string
				m    Composable
				x0   []float64
			}{"lorenz63/" + s.String(), l63, attractorState(l63, 1)},
			struct {
				name string
				m    Composable
				x0   []float64
			}{"lorenz96/" + s.String(), l96, attractorState(l96, 2)},
		)
	}
	return out
}

// attractorState returns a state on the attractor: a seeded random start run for 500 steps.
func attractorState(m Model, seed uint64) []float64 {
	rnd := rand.New(rand.NewPCG(seed, 7))
	x := make([]float64, m.Dim())
	for i := range x {
		x[i] = 1 + rnd.NormFloat64()
	}
	if err := Integrate(m, x, 500); err != nil {
		panic(err)
	}
	return x
}

func randVec(rnd *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rnd.NormFloat64()
	}
	return v
}

// windowTL propagates (dx0, dp) through steps steps of m from x0 and returns δx_K.
func windowTL(m Model, x0, dx0, dp []float64, steps int) []float64 {
	w := &Window{Model: m, Steps: steps}
	if err := w.Linearize(x0); err != nil {
		panic(err)
	}
	dy := make([]float64, len(x0))
	w.Tangent(dy, dx0, dp)
	return dy
}

// windowAD returns (x̃_0, p̃) for the seed ỹ on x_K, by a reverse sweep over the stored
// trajectory.
func windowAD(m Model, x0, ay []float64, steps int) (ax0, ap []float64) {
	w := &Window{Model: m, Steps: steps}
	if err := w.Linearize(x0); err != nil {
		panic(err)
	}
	ax0, ap = make([]float64, len(x0)), make([]float64, m.NumParams())
	w.Adjoint(ax0, ap, ay)
	return ax0, ap
}

// windowTape records steps composed steps on one tape with x0 and p as variables.
func windowTape(m Composable, x0 []float64, steps int) (tape *adjoint.Tape, x, p, y *adjoint.Value) {
	tape = adjoint.NewTape()
	x = tape.Vector(append([]float64(nil), x0...))
	p = tape.Vector(m.Params())
	y = x
	for range steps {
		y = m.StepOn(y, p)
	}
	return tape, x, p, y
}

// TestFusedEqualsComposed proves the hand-written TL and AD equal to the ones the engine
// derives, two ways: step by step (Composed replays a one-step tape) and over the whole
// window recorded on one tape (JVP and VJP), for the initial state and the parameters at
// once.
//
// Tolerance 1e-12 relative in the 2-norm. The forward trajectories agree bit for bit (same
// operations in the same order), so the derivatives differ only by the order in which the
// chain rule's products are summed: a few ulps per step, which the tangent propagation
// amplifies no more than it amplifies the derivative itself (both grow along the leading
// Lyapunov vector). Measured: under 1e-13 up to 1000 steps.
func TestFusedEqualsComposed(t *testing.T) {
	const tol = 1e-12
	windows := []int{1, 10, 100, 1000}
	for _, tm := range testModels(t) {
		for _, steps := range windows {
			name := tm.name + "/" + itoa(steps)
			t.Run(name, func(t *testing.T) {
				m := tm.m
				c := NewComposed(m)
				rnd := rand.New(rand.NewPCG(uint64(steps), 3))
				n, np := m.Dim(), m.NumParams()
				dx0, dp, ay := randVec(rnd, n), randVec(rnd, np), randVec(rnd, n)

				// Forward: bitwise equal.
				tf, err := Trajectory(m, tm.x0, steps)
				if err != nil {
					t.Fatal(err)
				}
				tc, err := Trajectory(c, tm.x0, steps)
				if err != nil {
					t.Fatal(err)
				}
				tape, xv, pv, yv := windowTape(m, tm.x0, steps)
				for i := range tf[steps] {
					if tf[steps][i] != tc[steps][i] || tf[steps][i] != yv.Data[i] {
						t.Fatalf("forward x_K[%d]: fused %v, composed %v, window tape %v", i, tf[steps][i], tc[steps][i], yv.Data[i])
					}
				}

				// Tangent-linear.
				tlF := windowTL(m, tm.x0, dx0, dp, steps)
				tlC := windowTL(c, tm.x0, dx0, dp, steps)
				tape.JVP([]*adjoint.Value{xv, pv}, [][]float64{dx0, dp})
				if e := relDiff(tlF, tlC); e > tol {
					t.Errorf("TL fused vs composed step: relative error %.3g", e)
				}
				if e := relDiff(tlF, yv.Tan); e > tol {
					t.Errorf("TL fused vs window tape: relative error %.3g", e)
				}

				// Adjoint.
				axF, apF := windowAD(m, tm.x0, ay, steps)
				axC, apC := windowAD(c, tm.x0, ay, steps)
				tape.VJP(yv, ay)
				for _, cmp := range []struct {
					what string
					a, b []float64
				}{
					{"AD x0 fused vs composed step", axF, axC},
					{"AD p fused vs composed step", apF, apC},
					{"AD x0 fused vs window tape", axF, xv.Adj},
					{"AD p fused vs window tape", apF, pv.Adj},
				} {
					if e := relDiff(cmp.a, cmp.b); e > tol {
						t.Errorf("%s: relative error %.3g", cmp.what, e)
					} else if testing.Verbose() {
						t.Logf("%s: %.3g", cmp.what, e)
					}
				}
			})
		}
	}
}

func itoa(k int) string {
	const digits = "0123456789"
	if k == 0 {
		return "0"
	}
	var b []byte
	for ; k > 0; k /= 10 {
		b = append([]byte{digits[k%10]}, b...)
	}
	return string(b)
}

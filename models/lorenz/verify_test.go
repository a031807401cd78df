package lorenz

import (
	"fmt"
	"math"
	"testing"

	"github.com/adjunto/adjunto/verify"
)

// windowFunc returns the map (x_0, p) ↦ x_K of a K-step window of m as a verify.Func: the
// input is the initial state followed by the parameters. Tangent and Adjoint run the window's
// TL and AD step by step over the trajectory from the point set by Linearize.
func windowFunc(m Model, steps int) verify.Func {
	n, np := m.Dim(), m.NumParams()
	p0 := m.Params()
	var x0 []float64
	return verify.Func{
		N: n + np,
		M: n,
		F: func(y, in []float64) {
			m.SetParams(in[n:])
			defer m.SetParams(p0)
			x := append([]float64(nil), in[:n]...)
			if err := Integrate(m, x, steps); err != nil {
				panic(err)
			}
			copy(y, x)
		},
		Linearize: func(in []float64) {
			x0 = append(x0[:0], in[:n]...)
			p0 = append(p0[:0], in[n:]...)
			m.SetParams(p0)
		},
		Tangent: func(dy, din []float64) {
			copy(dy, windowTL(m, x0, din[:n], din[n:], steps))
		},
		Adjoint: func(ain, ay []float64) {
			ax, ap := windowAD(m, x0, ay, steps)
			for i, v := range ax {
				ain[i] += v
			}
			for i, v := range ap {
				ain[n+i] += v
			}
		},
	}
}

// dotTol is the dot-product tolerance of DESIGN.md: 1e-12 for one step, 1e-10 for the
// longer composites (measured: below 1e-15 for all of them).
func dotTol(steps int) float64 {
	if steps == 1 {
		return 1e-12
	}
	return 1e-10
}

// TestWindowDotProduct runs the adjoint test on windows of 1 to 1000 steps at the default
// time steps, fused and composed, for the initial state and the parameters together. The
// test is exact linear algebra, so it holds however far the window reaches past the
// predictability horizon (for Lorenz-96 at dt = 0.05, 1000 steps are 50 time units, ≈ 85
// e-foldings: ‖L‖ ≈ 1e37, and the relative error stays near 1e-16).
func TestWindowDotProduct(t *testing.T) {
	for _, tm := range testModels(t) {
		for _, steps := range []int{1, 10, 100, 1000} {
			for _, kind := range []string{"fused", "composed"} {
				var m Model = tm.m
				if kind == "composed" {
					m = NewComposed(tm.m)
				}
				name := fmt.Sprintf("%s/%s/%d", tm.name, kind, steps)
				fn := windowFunc(m, steps)
				fn.Linearize(append(append([]float64(nil), tm.x0...), m.Params()...))
				r := verify.DotProduct(name, fn.N, fn.M, fn.Tangent, fn.Adjoint, nil, dotTol(steps))
				if !r.Pass {
					t.Error(r)
				}
			}
		}
	}
}

// horizon is the window length, in model time units, over which the tangent-linear model
// stays accurate enough for the Taylor test to reach 1e-6 with α ≥ 1e-8 in float64. Past it
// the second-order term of M(x + α δx), which grows like the square of the error growth,
// dominates at every α whose perturbation float64 can still resolve (see
// TestTaylorPastHorizonConvergesFirstOrder). Measured with these seeds: Lorenz-96 passes up
// to 2.5 time units (≈ 4 e-foldings), Lorenz-63 up to 3; the values leave a margin.
func horizon(m Model) float64 {
	if m.Dim() == 3 {
		return 2.5
	}
	return 1.5
}

// TestWindowChecks runs all four checks of package verify (dot-product, Taylor, gradient,
// finite differences) with their default tolerances on windows of 1, 10, 100 and 1000 steps,
// fused and composed, with respect to the initial state and the parameters. The time step is
// the model's default unless the window would then reach past the horizon, in which case it
// is shortened to horizon/steps: 1000 steps of Lorenz-96 at dt = 0.0015, for example.
func TestWindowChecks(t *testing.T) {
	for _, tm := range testModels(t) {
		for _, steps := range []int{1, 10, 100, 1000} {
			for _, kind := range []string{"fused", "composed"} {
				var m Model = tm.m
				dt := setDt(tm.m, 0)
				setDt(tm.m, min(dt, horizon(tm.m)/float64(steps)))
				if kind == "composed" {
					m = NewComposed(tm.m)
				}
				name := fmt.Sprintf("%s/%s/%d", tm.name, kind, steps)
				in := append(append([]float64(nil), tm.x0...), m.Params()...)
				reps := verify.All(name, windowFunc(m, steps), in, verify.Settings{Seed: 1})
				setDt(tm.m, dt)
				reps[0] = retol(reps[0], dotTol(steps))
				for _, r := range reps {
					if !r.Pass {
						t.Error(r)
					}
				}
			}
		}
	}
}

// setDt sets the time step of m to dt when dt > 0 and returns the previous one.
func setDt(m Model, dt float64) float64 {
	var p *float64
	switch m := m.(type) {
	case *L63:
		p = &m.Dt
	case *L96:
		p = &m.Dt
	}
	old := *p
	if dt > 0 {
		*p = dt
	}
	return old
}

func retol(r verify.Report, tol float64) verify.Report {
	r.Tolerance, r.Pass = tol, r.Value <= tol
	return r
}

// TestTaylorPastHorizonConvergesFirstOrder guards the explanation of horizon: 100 RK4 steps of
// Lorenz-96 at dt = 0.05 (5 time units) miss the Taylor tolerance, yet the residual e(α)
// falls tenfold per decade of α, the signature of a correct TL model whose remainder is
// second order; a wrong TL model would leave e(α) at O(1).
func TestTaylorPastHorizonConvergesFirstOrder(t *testing.T) {
	m, err := NewL96(40)
	if err != nil {
		t.Fatal(err)
	}
	x0 := attractorState(m, 2)
	in := append(append([]float64(nil), x0...), m.Params()...)
	reps := verify.All("lorenz96/rk4/100", windowFunc(m, 100), in, verify.Settings{Seed: 1})
	tab := reps[1].Table
	for i := len(tab) - 2; i < len(tab); i++ {
		// Expected ratio 0.1 for a first-order residual; ±20% allows for the curvature of
		// the remainder and the round-off in M(x + α δx) − M(x).
		if q := tab[i].Error / tab[i-1].Error; math.Abs(q-0.1) > 0.02 {
			t.Errorf("e(%g)/e(%g) = %.3g, want ≈ 0.1 (first order)", tab[i].Alpha, tab[i-1].Alpha, q)
		}
	}
	if !reps[0].Pass {
		t.Error(reps[0])
	}
}

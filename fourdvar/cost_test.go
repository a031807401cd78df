package fourdvar

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/adjunto/adjunto/verify"
)

// testWindow builds a Lorenz-96 (N=12) window of 6 steps with observations of several kinds:
// every variable at step 2, every 3rd at step 4 (two batches there, one nonlinear), a subset
// at the start, so that irregular times, time-varying H and R, and a nonlinear H all enter.
func testWindow(m Model, seed uint64, params bool) *Window {
	rng := rand.New(rand.NewPCG(seed, 3))
	n := m.Dim()
	xt := spunUpL96(m, seed)
	xb := append([]float64(nil), xt...)
	for i := range xb {
		xb[i] += rng.NormFloat64()
	}
	w := &Window{Model: m, Steps: 6, Xb: xb, B: NewGaussianCircle(n, 1.2, 2)}
	traj := Trajectory(m, xt, w.Steps)
	add := func(step int, h *Operator, sigma float64) {
		y := make([]float64, h.Out())
		h.Apply(y, traj[step])
		s := make([]float64, h.Out())
		for j := range y {
			s[j] = sigma * (1 + 0.1*float64(j%3))
			y[j] += s[j] * rng.NormFloat64()
		}
		w.Obs = append(w.Obs, Batch{Step: step, H: h, Y: y, Sigma: s})
	}
	add(0, Subset(n, []int{1, 5, 7}), 0.5)
	add(2, Identity(n), 1)
	add(4, EveryKth(n, 3, 1), 0.7)
	add(4, Squared(n, []int{0, 2, 9}), 3)
	add(6, Identity(n), 1.5)
	if params {
		w.Pb = []float64{m.Params()[0] + 0.3}
		w.BP = ScaledIdentity{N: 1, Sigma: 0.5}
	}
	return w
}

// gradientChecks runs the gradient test and the central finite-difference check on cost c at
// a random control vector near the background.
func gradientChecks(t *testing.T, name string, c Cost, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 11))
	z := make([]float64, c.Len())
	c.Background(z)
	for i := range z {
		z[i] += 0.3 * rng.NormFloat64()
	}
	grad := make([]float64, c.Len())
	c.FuncGrad(grad, z)
	h := randVec(rng, c.Len(), 1)
	// The whole-window cost is a long composite: ρ(α) reaches 1 to within about 1e-7 as the
	// Taylor remainder and round-off cross; 1e-6 is the verify default.
	if r := verify.GradientTest(name, c.Func, grad, z, h, 0); !r.Pass {
		t.Errorf("%v", r)
	}
	// Central differences have error h² + ε/h ≈ 1e-10 relative to J's scale; J ~ 1e2 here,
	// so 1e-6 relative leaves room for the window's curvature.
	if r := verify.FiniteDifference(name, c.Func, grad, z, 1e-6); !r.Pass {
		t.Errorf("%v", r)
	}
}

func TestStrongGradient(t *testing.T) {
	for _, tc := range []struct {
		name          string
		params, state bool
	}{
		{"cvt", false, false},
		{"cvt+params", true, false},
		{"state", false, true},
		{"state+params", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newTestL96(12, 8, 0.05)
			c := NewStrong(testWindow(m, 1, tc.params))
			c.StateControl = tc.state
			gradientChecks(t, tc.name, c, 2)
		})
	}
}

func TestWeakGradient(t *testing.T) {
	for _, state := range []bool{false, true} {
		m := newTestL96(12, 8, 0.05)
		c := NewWeak(testWindow(m, 4, false), ScaledIdentity{N: 12, Sigma: 0.2})
		c.StateControl = state
		gradientChecks(t, "weak", c, 5)
	}
}

// TestStrongLinearisation checks the tangent-linear and adjoint of the whole window:
// the dot-product test of JacVec against JacTVec, and the Taylor test of JacVec against the
// whitened misfits.
func TestStrongLinearisation(t *testing.T) {
	for _, params := range []bool{false, true} {
		m := newTestL96(12, 8, 0.05)
		c := NewStrong(testWindow(m, 6, params))
		rng := rand.New(rand.NewPCG(6, 1))
		z := randVec(rng, c.Len(), 0.3)
		c.Linearize(z)
		// A composite of 6 RK4 steps and 5 operators: the contract's 1e-10 for long
		// composites.
		r := verify.DotProduct("strong", c.Len(), c.NumObs(), c.JacVec, c.JacTVec, rng, 1e-10)
		if !r.Pass {
			t.Errorf("%v", r)
		}
		misfit := func(y, z []float64) {
			c.Func(z)
			for i := range c.W.Obs {
				b := &c.W.Obs[i]
				for j, s := range b.Sigma {
					y[c.obs.offsets[i]+j] = c.obs.resid[i][j] * s
				}
			}
		}
		jvp := func(dy, dz []float64) {
			c.Linearize(z)
			c.JacVec(dy, dz)
		}
		if r := verify.Taylor("strong", c.NumObs(), misfit, jvp, z, randVec(rng, c.Len(), 1), 0); !r.Pass {
			t.Errorf("%v", r)
		}
	}
}

// TestCostHasNoOtherScaling guards the definition J = ½ (x0−xb)ᵀB⁻¹(x0−xb) + ½ Σ (y−H(x))ᵀR⁻¹(y−H(x)):
// no division by the number of observations, no missing ½.
func TestCostHasNoOtherScaling(t *testing.T) {
	m := newTestLinear(3, 1)
	x0 := []float64{1, 2, 3}
	xb := []float64{0, 2, 5}
	w := &Window{Model: m, Steps: 1, Xb: xb, B: Diagonal{Sigma: []float64{1, 2, 4}},
		Obs: []Batch{{Step: 1, H: Subset(3, []int{2}), Y: []float64{0}, Sigma: []float64{0.5}}}}
	x1 := make([]float64, 3)
	m.Step(x1, x0)
	want := 0.5*(1.0/1+0/4+4.0/16) + 0.5*(x1[2]*x1[2])/0.25
	for _, state := range []bool{false, true} {
		c := NewStrong(w)
		c.StateControl = state
		z := make([]float64, 3)
		if state {
			copy(z, x0)
		} else {
			w.B.SqrtSolve(z, []float64{1, 0, -2})
		}
		if got := c.Func(z); math.Abs(got-want) > 1e-12*want {
			t.Errorf("StateControl=%v: J = %v, want %v", state, got, want)
		}
	}
}

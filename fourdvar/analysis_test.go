package fourdvar

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/adjunto/adjunto/optimize"
)

// linearWindow is a window of a linear model with linear operators: J is exactly quadratic,
// the Gauss-Newton Hessian is its Hessian, and one incremental outer loop with a converged
// inner loop lands on the minimum.
func linearWindow(seed uint64) *Window {
	rng := rand.New(rand.NewPCG(seed, 9))
	n := 10
	m := newTestLinear(n, seed)
	w := &Window{Model: m, Steps: 5, Xb: randVec(rng, n, 1), B: NewGaussianCircle(n, 0.8, 1.5)}
	for _, k := range []int{1, 3, 5} {
		h := EveryKth(n, 2, k%2)
		w.Obs = append(w.Obs, Batch{Step: k, H: h, Y: randVec(rng, h.Out(), 1), Sigma: randVec(rng, h.Out(), 0)})
		for j := range w.Obs[len(w.Obs)-1].Sigma {
			w.Obs[len(w.Obs)-1].Sigma[j] = 0.5 + 0.1*float64(j)
		}
	}
	return w
}

func TestMinimizersAgreeOnQuadratic(t *testing.T) {
	w := linearWindow(1)
	// 2e-9 of ‖∇J_0‖ ≈ 68 is ~1.4e-7; tighter ends in line-search failures at round-off (B
	// applied by FFT fails at 1.8e-9). The Hessian in v is ≥ I, so z is then within 1.4e-7
	// of the minimum.
	ref, st, err := Minimizer{GradReduction: 2e-9, MaxIterations: 500}.Minimize(NewStrong(w))
	if err != nil {
		t.Fatal(err)
	}
	if st.CostFinal >= st.CostInitial {
		t.Fatalf("L-BFGS did not lower J: %v -> %v", st.CostInitial, st.CostFinal)
	}
	// One outer loop solves the quadratic exactly up to the CG tolerance: the inner loop's
	// n = 10 iterations suffice in exact arithmetic.
	zi, sti, err := Incremental{Outer: 1, Inner: 50, Tolerance: 1e-12}.Minimize(NewStrong(w))
	if err != nil {
		t.Fatal(err)
	}
	// CG's last quadratic value is J at the new point, since the quadratic is J itself.
	if got, want := sti.History[len(sti.History)-2], sti.CostFinal; math.Abs(got-want) > 1e-9*want {
		t.Errorf("incremental: last quadratic value %v, J at the new point %v", got, want)
	}
	for _, m := range []struct {
		name string
		z    []float64
	}{{"incremental", zi}} {
		for i := range ref {
			// Both minima are accurate to ~1.4e-7 (see above) on O(1) controls.
			if math.Abs(m.z[i]-ref[i]) > 2e-7 {
				t.Fatalf("%s: z[%d] = %v, L-BFGS gives %v", m.name, i, m.z[i], ref[i])
			}
		}
	}
	for _, name := range []string{"cg", "bfgs"} {
		meth, _ := optimize.New(name, 0)
		// 1e-8: nonlinear CG stalls in its line search near 1e-9 (round-off in J ~ 200).
		// The Hessian in the control variable is I + GᵀG ≥ I, so ‖z − z*‖ ≤ ‖∇J‖ ≤ 1e-6.
		z, _, err := Minimizer{Method: meth, GradReduction: 1e-8, MaxIterations: 500}.Minimize(NewStrong(w))
		if err != nil {
			t.Fatal(name, err)
		}
		for i := range ref {
			if math.Abs(z[i]-ref[i]) > 1e-5 {
				t.Fatalf("%s: z[%d] = %v, L-BFGS gives %v", name, i, z[i], ref[i])
			}
		}
	}
	// Adam with a fixed rate only approaches the minimum: after 500 steps J must be within
	// 1% of the minimum's distance from the background's.
	adam, _ := optimize.New("adam", 0.05)
	_, sta, err := Minimizer{Method: adam, MaxIterations: 500}.Minimize(NewStrong(w))
	if err != nil {
		t.Fatal(err)
	}
	if gap := (sta.CostFinal - st.CostFinal) / (st.CostInitial - st.CostFinal); gap > 0.01 {
		t.Errorf("Adam: J = %v after 500 steps, minimum %v, background %v", sta.CostFinal, st.CostFinal, st.CostInitial)
	}
}

// TestIncrementalOuterLoopsHelp checks that on a nonlinear window (Lorenz-96 over a long
// window, and a nonlinear H) relinearising brings incremental 4DVar to the nonlinear
// minimum that L-BFGS finds, where a single outer loop stops short.
func TestIncrementalOuterLoopsHelp(t *testing.T) {
	m := newTestL96(12, 8, 0.05)
	w := testWindow(m, 8, false)
	_, ref, err := Minimizer{GradReduction: 1e-10, MaxIterations: 1000}.Minimize(NewStrong(w))
	if err != nil {
		t.Fatal(err)
	}
	_, one, err := Incremental{Outer: 1, Inner: 100, Tolerance: 1e-10}.Minimize(NewStrong(w))
	if err != nil {
		t.Fatal(err)
	}
	_, five, err := Incremental{Outer: 5, Inner: 100, Tolerance: 1e-10}.Minimize(NewStrong(w))
	if err != nil {
		t.Fatal(err)
	}
	if !(five.CostFinal < one.CostFinal) {
		t.Errorf("5 outer loops: J = %v, not below 1 outer loop's %v", five.CostFinal, one.CostFinal)
	}
	// Gauss-Newton converges fast near a small-residual minimum: five loops reach L-BFGS's
	// minimum to 1e-8 relative.
	if math.Abs(five.CostFinal-ref.CostFinal) > 1e-8*ref.CostFinal {
		t.Errorf("5 outer loops: J = %v, L-BFGS %v", five.CostFinal, ref.CostFinal)
	}
	if five.OuterLoops != 5 || five.Evaluations != 6 {
		t.Errorf("outer loops %d, evaluations %d; want 5 and 6", five.OuterLoops, five.Evaluations)
	}
}

// TestIncrementalBacktrackingNeverRaisesJ guards the globalisation of incremental 4DVar: on
// a 30-step Lorenz-96 window observed only at its end, from a background 2σ off, the plain
// Gauss-Newton increment overshoots (J ends above its start for seeds 1, 2 and 7); halving
// rejected increments keeps J from rising in every case.
func TestIncrementalBacktrackingNeverRaisesJ(t *testing.T) {
	rose := 0
	for seed := uint64(1); seed < 8; seed++ {
		m := newTestL96(12, 8, 0.05)
		rng := rand.New(rand.NewPCG(seed, 3))
		xt := spunUpL96(m, seed)
		traj := Trajectory(m, xt, 30)
		xb := append([]float64(nil), xt...)
		for i := range xb {
			xb[i] += 2 * rng.NormFloat64()
		}
		sigma := make([]float64, 12)
		for i := range sigma {
			sigma[i] = 1
		}
		w := &Window{Model: m, Steps: 30, Xb: xb, B: ScaledIdentity{N: 12, Sigma: 2},
			Obs: []Batch{{Step: 30, H: Identity(12), Y: traj[30], Sigma: sigma}}}
		_, plain, _ := Incremental{Outer: 3, Inner: 50, Backtrack: -1}.Minimize(NewStrong(w))
		_, safe, err := Incremental{Outer: 3, Inner: 50}.Minimize(NewStrong(w))
		if err != nil {
			t.Fatal(err)
		}
		if plain.CostFinal > plain.CostInitial {
			rose++
		}
		if safe.CostFinal > safe.CostInitial {
			t.Errorf("seed %d: J rose from %v to %v with backtracking", seed, safe.CostInitial, safe.CostFinal)
		}
	}
	if rose == 0 {
		t.Error("plain Gauss-Newton never raised J: the case no longer tests the backtracking")
	}
}

package optimize

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
)

// rosenbrock returns the extended Rosenbrock function
// J(x) = Σ (1-x_i)² + 100 (x_{i+1} - x_i²)², minimum 0 at (1, ..., 1),
// with its exact Hessian-vector product.
func rosenbrock(n int) Problem {
	return Problem{
		FuncGrad: func(g, x []float64) float64 {
			f := 0.0
			clear(g)
			for i := 0; i < n-1; i++ {
				a, b := 1-x[i], x[i+1]-x[i]*x[i]
				f += a*a + 100*b*b
				g[i] += -2*a - 400*x[i]*b
				g[i+1] += 200 * b
			}
			return f
		},
		HessVec: func(dst, x, v []float64) {
			clear(dst)
			for i := 0; i < n-1; i++ {
				hii := 2 - 400*(x[i+1]-x[i]*x[i]) + 800*x[i]*x[i]
				hij := -400 * x[i]
				dst[i] += hii*v[i] + hij*v[i+1]
				dst[i+1] += hij*v[i] + 200*v[i+1]
			}
		},
	}
}

func rosenbrockStart(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 1
		if i%2 == 0 {
			x[i] = -1.2
		}
	}
	return x
}

func maxAbsDiff(x []float64, v float64) float64 {
	d := 0.0
	for _, xi := range x {
		d = math.Max(d, math.Abs(xi-v))
	}
	return d
}

// TestRosenbrock checks that every method reaches the minimum (1, ..., 1) of
// the Rosenbrock function from the classical start (-1.2, 1, ...). With the
// default gradient threshold 1e-10 the error in x is ≤ ‖H⁻¹‖·1e-10 ≈ 1e-7 at
// worst (H is ill-conditioned near the valley floor); 1e-6 is safe.
func TestRosenbrock(t *testing.T) {
	for _, tc := range []struct {
		n       int
		m       Method
		maxIter int
	}{
		{2, &LBFGS{}, 100},
		{2, &BFGS{}, 100},
		{2, &CG{}, 100},
		{2, &CG{Variant: FletcherReeves}, 1000},
		{2, &CG{Variant: PolakRibierePolyak}, 100},
		{2, &CG{Variant: DaiYuan}, 1000},
		{2, &CG{Variant: HagerZhang}, 100},
		{2, &GradientDescent{}, 2000},
		{2, &Newton{}, 100},
		{2, &Adam{LearningRate: 0.01}, 10000},
		{2, &SGD{LearningRate: 1e-3, Momentum: 0.9, Nesterov: true}, 20000},
		{100, &LBFGS{}, 1000},
		{100, &BFGS{}, 1000},
		{100, &CG{}, 1000},
		{100, &CG{Variant: PolakRibierePolyak}, 1000},
		{100, &CG{Variant: HagerZhang}, 1000},
		{100, &CG{Variant: FletcherReeves}, 10000},
	} {
		r, err := Minimize(rosenbrock(tc.n), rosenbrockStart(tc.n), &Settings{MaxIterations: tc.maxIter}, tc.m)
		if err != nil {
			t.Errorf("n=%d %T%+v: %v", tc.n, tc.m, tc.m, err)
			continue
		}
		if r.Status != GradientConverged || maxAbsDiff(r.X, 1) > 1e-6 {
			t.Errorf("n=%d %T%+v: status %v after %d iterations, max|x-1| = %.3g", tc.n, tc.m, tc.m, r.Status, r.Iterations, maxAbsDiff(r.X, 1))
		}
		if len(r.History) != r.Iterations+1 || r.History[len(r.History)-1].J != r.J {
			t.Errorf("n=%d %T: history of %d records for %d iterations", tc.n, tc.m, len(r.History), r.Iterations)
		}
		t.Logf("n=%3d %-22T %6d iterations %6d evaluations", tc.n, tc.m, r.Iterations, r.Evaluations)
	}
}

// quadratic returns J(x) = ½ xᵀAx for an n×n SPD A with eigenvalues
// log-spaced in [1, κ], rotated so that no method sees a diagonal.
func quadratic(rnd *rand.Rand, n int, kappa float64) Problem {
	eig := make([]float64, n)
	for i := range eig {
		eig[i] = math.Pow(kappa, float64(i)/float64(n-1))
	}
	av := matVec(spdWithEigenvalues(rnd, eig))
	return Problem{
		FuncGrad: func(g, x []float64) float64 {
			av(g, x)
			return 0.5 * floats.Dot(x, g)
		},
		HessVec: func(dst, _, v []float64) { av(dst, v) },
	}
}

// TestRosenbrockNewtonLocalMinimum: the extended Rosenbrock function has a
// second, local minimum near (-1, 1, ..., 1) for n ≥ 4 (Kok and Sandrock,
// 2009); modified Newton from the classical start goes there. Asserted so
// that a change of behaviour is seen.
func TestRosenbrockNewtonLocalMinimum(t *testing.T) {
	r, err := Minimize(rosenbrock(100), rosenbrockStart(100), nil, &Newton{})
	if err != nil || r.Status != GradientConverged {
		t.Fatalf("status %v, err %v", r.Status, err)
	}
	// At the local minimum x₀ ≈ -0.99 and J ≈ 3.99 (Kok and Sandrock).
	if math.Abs(r.X[0]+0.99) > 0.01 || math.Abs(r.J-3.99) > 0.01 || maxAbsDiff(r.X[1:], 1) > 0.02 {
		t.Errorf("x₀ = %g, J = %g, max|x_i - 1| (i ≥ 1) = %g", r.X[0], r.J, maxAbsDiff(r.X[1:], 1))
	}
	t.Logf("Newton, n=100: local minimum J = %.6g at x₀ = %.6g after %d iterations", r.J, r.X[0], r.Iterations)
}

// TestConditionNumber shows what the condition number κ does to each method
// on ½xᵀAx (n = 50) from a random start: the iterations needed to reduce J by
// 1e-12. Gradient descent converges like ((κ-1)/(κ+1))^k, so its count grows
// like κ: it needs over ten times more at κ = 1e3 than at κ = 10 and cannot
// make it in 20000 iterations at κ = 1e6. CG's bound grows like √κ (and in
// exact arithmetic CG ends in n steps); L-BFGS behaves alike. Their counts
// must grow less than √(1e6/10) ≈ 316 times from κ = 10 to 1e6, where gradient
// descent's grow more than 20000/its count at κ = 10 (about 800).
func TestConditionNumber(t *testing.T) {
	const (
		n      = 50
		budget = 20000
	)
	rnd := rand.New(rand.NewPCG(7, 8))
	kappas := []float64{10, 1e3, 1e6}
	methods := []struct {
		name string
		m    func() Method
	}{
		{"GradientDescent", func() Method { return &GradientDescent{} }},
		{"LBFGS", func() Method { return &LBFGS{} }},
		{"CG", func() Method { return &CG{} }},
	}
	iters := make(map[string][]int)
	for _, kappa := range kappas {
		p := quadratic(rnd, n, kappa)
		x0 := make([]float64, n)
		for i := range x0 {
			x0[i] = rnd.NormFloat64()
		}
		j0 := p.FuncGrad(make([]float64, n), x0)
		for _, m := range methods {
			r, err := Minimize(p, x0, &Settings{MaxIterations: budget, GradientThreshold: -1, FunctionRelativeTolerance: -1,
				Callback: func(it Iteration) error {
					if it.J <= 1e-12*j0 {
						return ErrStop
					}
					return nil
				}}, m.m())
			if err != nil {
				t.Fatalf("κ=%g %s: %v", kappa, m.name, err)
			}
			k := r.Iterations
			if r.Status != Stopped {
				k = math.MaxInt // did not reach the target
			}
			iters[m.name] = append(iters[m.name], k)
			t.Logf("κ=%-6g %-16s %6d iterations (%v), J/J0 = %.2g", kappa, m.name, r.Iterations, r.Status, r.J/j0)
		}
	}
	gd := iters["GradientDescent"]
	if gd[1] < 10*gd[0] {
		t.Errorf("gradient descent: %d iterations at κ=1e3, %d at κ=10: want at least 10 times more", gd[1], gd[0])
	}
	if gd[2] != math.MaxInt {
		t.Errorf("gradient descent reached the target at κ=1e6 in %d iterations; want it to fail within %d", gd[2], budget)
	}
	for _, name := range []string{"LBFGS", "CG"} {
		it := iters[name]
		for i, k := range it {
			if k == math.MaxInt {
				t.Errorf("%s did not reach the target at κ=%g", name, kappas[i])
			}
		}
		if it[2] > 316*it[0] || it[2] > budget/5 {
			t.Errorf("%s: %d iterations at κ=1e6 against %d at κ=10: grows faster than √κ", name, it[2], it[0])
		}
	}
}

// TestQuadraticForms runs every method on the course's four 2-D quadratic
// forms J = ½xᵀAx and asserts what each does:
//
//   - positive definite: all reach the minimum x = 0 (Newton in one step);
//   - singular (A ⪰ 0, null space span{(1,-1)}): every step lies in the range
//     of A, span{(1,1)}, so all reach the minimiser nearest x0, its projection
//     on the line of minimisers x₁ + x₂ = 0;
//   - negative definite: J is unbounded below; line-search methods stop with
//     Unbounded (J = -Inf in the line search) or LineSearchFailure (step out
//     of bounds), keeping the last good point; fixed-step methods run away to
//     the iteration limit. Started at x = 0, the maximum, all stop at once
//     with GradientConverged: a first-order method cannot tell a maximum from
//     a minimum;
//   - saddle (eigenvalues 3 and -1): from x0 on the stable manifold span{(1,1)}
//     the first-order methods converge to the saddle point; from a generic x0
//     all escape along (1,-1) and J goes to -∞, Newton included (gonum's
//     Newton shifts H to H + τI, positive definite).
func TestQuadraticForms(t *testing.T) {
	forms := map[string][2][2]float64{
		"positive definite": {{2, 1}, {1, 2}},
		"negative definite": {{-2, -1}, {-1, -2}},
		"singular":          {{1, 1}, {1, 1}},
		"saddle":            {{1, 2}, {2, 1}},
	}
	quad := func(a [2][2]float64) Problem {
		mul := func(d, v []float64) {
			d[0] = a[0][0]*v[0] + a[0][1]*v[1]
			d[1] = a[1][0]*v[0] + a[1][1]*v[1]
		}
		return Problem{
			FuncGrad: func(g, x []float64) float64 {
				mul(g, x)
				return 0.5 * (x[0]*g[0] + x[1]*g[1])
			},
			HessVec: func(d, _, v []float64) { mul(d, v) },
		}
	}
	methods := func() []Method {
		return []Method{&LBFGS{}, &BFGS{}, &CG{}, &GradientDescent{}, &Newton{}, &SGD{LearningRate: 0.1}, &Adam{LearningRate: 0.1}}
	}
	fixedStep := func(m Method) bool { _, ok := m.(Stepper); return ok }
	run := func(form string, x0 []float64, m Method) (*Result, error) {
		return Minimize(quad(forms[form]), x0, nil, m)
	}
	// The gradient threshold 1e-10 bounds the distance to the minimiser by
	// 1e-10/λ_min(range) = 1e-10; 1e-8 is a safe bound.
	const tol = 1e-8
	for _, m := range methods() {
		r, err := run("positive definite", []float64{1, -0.3}, m)
		if err != nil || r.Status != GradientConverged || floats.Norm(r.X, 2) > tol {
			t.Errorf("positive definite, %T: x = %v, status %v, err %v", m, r.X, r.Status, err)
		}
		if _, ok := m.(*Newton); ok && r.Iterations != 1 {
			t.Errorf("positive definite, Newton: %d iterations, want 1", r.Iterations)
		}

		r, err = run("singular", []float64{1, 0}, m)
		if err != nil || r.Status != GradientConverged || !floats.EqualApprox(r.X, []float64{0.5, -0.5}, tol) {
			t.Errorf("singular, %T: x = %v, status %v, err %v; want (0.5, -0.5)", m, r.X, r.Status, err)
		}

		r, err = run("negative definite", []float64{1, 0}, m)
		if fixedStep(m) {
			if err != nil || r.Status != IterationLimit || r.J > -1e4 {
				t.Errorf("negative definite, %T: status %v, J = %g, err %v; want IterationLimit and J → -∞", m, r.Status, r.J, err)
			}
		} else {
			if (r.Status != Unbounded && r.Status != LineSearchFailure) || err == nil || r.J > -1 {
				t.Errorf("negative definite, %T: status %v, J = %g, err %v; want Unbounded or LineSearchFailure with J ≤ J(x0) = -1", m, r.Status, r.J, err)
			}
		}
		r, err = run("negative definite", []float64{0, 0}, m)
		if err != nil || r.Status != GradientConverged || r.Iterations != 0 {
			t.Errorf("negative definite from the maximum, %T: status %v after %d iterations, err %v", m, r.Status, r.Iterations, err)
		}

		if _, ok := m.(*Newton); !ok {
			r, err = run("saddle", []float64{1, 1}, m)
			if err != nil || r.Status != GradientConverged || floats.Norm(r.X, 2) > tol {
				t.Errorf("saddle from its stable manifold, %T: x = %v, status %v, err %v; want the saddle 0", m, r.X, r.Status, err)
			}
		}
		r, _ = run("saddle", []float64{1, 0.9}, m)
		if r.Status.Converged() || r.J >= 0 || math.Abs(r.X[0]+r.X[1]) > math.Abs(r.X[0]-r.X[1]) {
			t.Errorf("saddle, generic start, %T: x = %v, J = %g, status %v; want an escape along (1,-1)", m, r.X, r.J, r.Status)
		}
	}
}

// TestFuncGradOncePerPoint guards the evaluation cache: gonum calls Func and
// Grad separately at the same x, and each distinct x must cost exactly one
// FuncGrad call (one forward and one adjoint run).
func TestFuncGradOncePerPoint(t *testing.T) {
	for _, m := range []Method{&LBFGS{}, &BFGS{}, &CG{}, &GradientDescent{}, &Newton{}} {
		p := rosenbrock(10)
		seen := map[[10]float64]int{}
		calls := 0
		fg := p.FuncGrad
		p.FuncGrad = func(g, x []float64) float64 {
			calls++
			seen[[10]float64(x)]++
			return fg(g, x)
		}
		r, err := Minimize(p, rosenbrockStart(10), nil, m)
		if err != nil {
			t.Fatalf("%T: %v", m, err)
		}
		for x, c := range seen {
			if c > 1 {
				t.Errorf("%T: FuncGrad called %d times at %v", m, c, x)
				break
			}
		}
		if r.Evaluations != calls {
			t.Errorf("%T: Result.Evaluations = %d, FuncGrad calls %d", m, r.Evaluations, calls)
		}
	}
}

// TestFuncOnlyUsedForLineSearch: with Problem.Func set, gradient descent's
// backtracking line search asks for J alone at trial points, which Func
// answers without an adjoint run.
func TestFuncOnlyUsedForLineSearch(t *testing.T) {
	p := rosenbrock(2)
	var fg, f int
	full := p.FuncGrad
	p.FuncGrad = func(g, x []float64) float64 { fg++; return full(g, x) }
	p.Func = func(x []float64) float64 { f++; return full(make([]float64, 2), x) }
	r, err := Minimize(p, rosenbrockStart(2), &Settings{MaxIterations: 2000}, &GradientDescent{})
	if err != nil || r.Status != GradientConverged {
		t.Fatalf("status %v, err %v", r.Status, err)
	}
	if f == 0 || r.Evaluations != f+fg {
		t.Errorf("Func called %d times, FuncGrad %d, Evaluations %d", f, fg, r.Evaluations)
	}
}

// TestNoDefaultConvergerStop guards against gonum's default converger, which
// stops after 100 iterations that improve J by less than 1e-10 in absolute
// terms. On the 100-D Rosenbrock function scaled by 1e-12 (J(x0) ≈ 1.2e-9)
// almost every improvement is below 1e-10, yet L-BFGS, which is invariant to
// the scaling of J, must go on to the minimum as it does unscaled (542
// iterations).
func TestNoDefaultConvergerStop(t *testing.T) {
	p := rosenbrock(100)
	fg := p.FuncGrad
	p.FuncGrad = func(g, x []float64) float64 {
		f := fg(g, x)
		floats.Scale(1e-12, g)
		return 1e-12 * f
	}
	r, err := Minimize(p, rosenbrockStart(100), &Settings{GradientThreshold: 1e-22}, &LBFGS{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Iterations <= 100 || r.Status != GradientConverged || maxAbsDiff(r.X, 1) > 1e-6 {
		t.Errorf("status %v after %d iterations, max|x-1| = %g; want the minimum after more than 100", r.Status, r.Iterations, maxAbsDiff(r.X, 1))
	}
}

// TestLineSearchFailureKeepsBest: when the gradient turns wrong (here its sign
// flips once J < 1, so the next direction is not a descent direction), gonum
// ends with Failure and an error; the best point found must be returned with
// an error wrapping ErrLineSearch, and it must be the best of the history.
func TestLineSearchFailureKeepsBest(t *testing.T) {
	p := rosenbrock(2)
	fg := p.FuncGrad
	p.FuncGrad = func(g, x []float64) float64 {
		f := fg(g, x)
		if f < 1 {
			floats.Scale(-1, g)
		}
		return f
	}
	for _, m := range []Method{&LBFGS{}, &CG{}, &GradientDescent{}} {
		r, err := Minimize(p, rosenbrockStart(2), nil, m)
		if !errors.Is(err, ErrLineSearch) || r == nil || r.Status != LineSearchFailure {
			t.Fatalf("%T: err %v, result %v; want ErrLineSearch with a result", m, err, r)
		}
		best := math.Inf(1)
		for _, it := range r.History {
			best = math.Min(best, it.J)
		}
		if r.J != best || r.J >= 24.2 {
			t.Errorf("%T: Result.J = %g, best of history %g, J(x0) = 24.2", m, r.J, best)
		}
		if j := fg(make([]float64, 2), r.X); j != r.J {
			t.Errorf("%T: J(Result.X) = %g, Result.J = %g", m, j, r.J)
		}
	}
}

// TestDivergenceNamesIteration: a cost or gradient that turns NaN or Inf stops
// the run with Diverged and an error naming the iteration, for both kinds of
// method, keeping the best finite point.
func TestDivergenceNamesIteration(t *testing.T) {
	for _, bad := range []struct {
		name  string
		spoil func(g []float64) float64
		index int
	}{
		{"NaN cost", func(g []float64) float64 { return math.NaN() }, -1},
		{"+Inf cost", func(g []float64) float64 { return math.Inf(1) }, -1},
		{"NaN gradient", func(g []float64) float64 { g[1] = math.NaN(); return 1 }, 1},
		{"Inf gradient", func(g []float64) float64 { g[0] = math.Inf(-1); return 1 }, 0},
	} {
		for _, m := range []Method{&LBFGS{}, &Adam{LearningRate: 0.01}} {
			p := rosenbrock(2)
			fg := p.FuncGrad
			calls := 0
			p.FuncGrad = func(g, x []float64) float64 {
				calls++
				f := fg(g, x)
				if calls == 6 {
					return bad.spoil(g)
				}
				return f
			}
			r, err := Minimize(p, rosenbrockStart(2), nil, m)
			var de *DivergenceError
			if !errors.As(err, &de) || !errors.Is(err, ErrDiverged) {
				t.Fatalf("%s, %T: err %v, want a *DivergenceError", bad.name, m, err)
			}
			if r.Status != Diverged || de.Evaluation != 6 || de.Index != bad.index || de.Iteration != r.Iterations+1 {
				t.Errorf("%s, %T: status %v, %+v, %d iterations", bad.name, m, r.Status, *de, r.Iterations)
			}
			if !strings.Contains(err.Error(), "iteration") || math.IsNaN(r.J) || r.J >= 24.2 {
				t.Errorf("%s, %T: error %q, J = %g", bad.name, m, err, r.J)
			}
		}
	}
}

// TestLimitsAndCallback covers the other ways a run stops.
func TestLimitsAndCallback(t *testing.T) {
	p := rosenbrock(2)
	x0 := rosenbrockStart(2)
	for _, m := range []Method{&LBFGS{}, &Adam{}} {
		r, err := Minimize(p, x0, &Settings{MaxIterations: 5}, m)
		if err != nil || r.Status != IterationLimit || r.Iterations != 5 || len(r.History) != 6 {
			t.Errorf("%T MaxIterations 5: status %v, %d iterations, %d records, err %v", m, r.Status, r.Iterations, len(r.History), err)
		}
		r, err = Minimize(p, x0, &Settings{MaxEvaluations: 7}, m)
		if err != nil || r.Status != EvaluationLimit || r.Evaluations != 7 {
			t.Errorf("%T MaxEvaluations 7: status %v, %d evaluations, err %v", m, r.Status, r.Evaluations, err)
		}
		r, err = Minimize(p, x0, &Settings{Callback: func(it Iteration) error {
			if it.Iter == 3 {
				return ErrStop
			}
			return nil
		}}, m)
		if err != nil || r.Status != Stopped || r.Iterations != 3 {
			t.Errorf("%T ErrStop at 3: status %v, %d iterations, err %v", m, r.Status, r.Iterations, err)
		}
		boom := errors.New("boom")
		r, err = Minimize(p, x0, &Settings{Callback: func(Iteration) error { return boom }}, m)
		if !errors.Is(err, boom) || r.Status != Stopped || r.Iterations != 0 {
			t.Errorf("%T callback error: status %v, err %v", m, r.Status, err)
		}
	}
	// A constant cost stops on the relative-change test.
	flat := Problem{FuncGrad: func(g, x []float64) float64 { g[0] = 1; return 3 }}
	r, err := Minimize(flat, []float64{0}, &Settings{FunctionIterations: 4}, &SGD{})
	if err != nil || r.Status != FunctionConverged || r.Iterations != 4 {
		t.Errorf("flat cost: status %v after %d iterations, err %v; want FunctionConverged after 4", r.Status, r.Iterations, err)
	}
}

// TestBadInput: invalid problems, settings and vectors give clear errors.
func TestBadInput(t *testing.T) {
	p := rosenbrock(2)
	x0 := rosenbrockStart(2)
	for _, tc := range []struct {
		name string
		p    Problem
		x0   []float64
		m    Method
		want error
	}{
		{"nil FuncGrad", Problem{}, x0, nil, ErrProblem},
		{"empty x0", p, nil, nil, ErrLength},
		{"Newton without HessVec", Problem{FuncGrad: p.FuncGrad}, x0, &Newton{}, ErrProblem},
		{"negative learning rate", p, x0, &SGD{LearningRate: -1}, ErrSetting},
		{"Inf learning rate", p, x0, &Adam{LearningRate: math.Inf(1)}, ErrSetting},
		{"Beta1 = 1", p, x0, &Adam{Beta1: 1}, ErrSetting},
		{"Beta2 < 0", p, x0, &AdamW{Beta2: -0.5}, ErrSetting},
		{"RMSprop Alpha = 1.5", p, x0, &RMSprop{Alpha: 1.5}, ErrSetting},
		{"Adadelta Rho = 1", p, x0, &Adadelta{Rho: 1}, ErrSetting},
		{"negative momentum", p, x0, &SGD{Momentum: -0.9}, ErrSetting},
		{"Nesterov without momentum", p, x0, &SGD{Nesterov: true}, ErrSetting},
		{"negative weight decay", p, x0, &Adagrad{WeightDecay: -1}, ErrSetting},
		{"negative LBFGS memory", p, x0, &LBFGS{Memory: -1}, ErrSetting},
		{"bad CG variant", p, x0, &CG{Variant: 99}, ErrSetting},
		{"Newton Increase 1", p, x0, &Newton{Increase: 1}, ErrSetting},
	} {
		r, err := Minimize(tc.p, tc.x0, nil, tc.m)
		if !errors.Is(err, tc.want) || r != nil {
			t.Errorf("%s: err %v, result %v; want %v and no result", tc.name, err, r, tc.want)
		}
	}
	for _, s := range []Stepper{&SGD{}, &SGD{Momentum: 0.5}, &Adagrad{}, &RMSprop{}, &Adadelta{}, &Adam{}, &AdamW{}} {
		x := []float64{1, 2, 3}
		if err := s.Init(3); err != nil {
			t.Fatal(err)
		}
		err := s.Step(x, []float64{1, 2})
		if !errors.Is(err, ErrLength) || !strings.Contains(err.Error(), "len(grad) = 2") {
			t.Errorf("%T: short gradient: %v", s, err)
		}
		if x[0] != 1 || x[1] != 2 || x[2] != 3 {
			t.Errorf("%T: x changed by a rejected step: %v", s, x)
		}
	}
	if _, err := New("adamm", 0.1); !errors.Is(err, ErrUnknownMethod) || !strings.Contains(err.Error(), `"adamm"`) {
		t.Errorf("New(adamm): %v", err)
	}
	if _, err := New("adam", -1); !errors.Is(err, ErrSetting) {
		t.Errorf("New(adam, -1): %v", err)
	}
	if _, err := NewStepper("lbfgs", 0); !errors.Is(err, ErrSetting) || !strings.Contains(err.Error(), "Minimize") {
		t.Errorf("NewStepper(lbfgs): %v", err)
	}
}

// TestNew checks that every listed name builds a method that runs.
func TestNew(t *testing.T) {
	for _, name := range Names() {
		m, err := New(strings.ToUpper(name), 0)
		if err != nil {
			t.Fatalf("New(%q): %v", name, err)
		}
		r, err := Minimize(rosenbrock(2), rosenbrockStart(2), &Settings{MaxIterations: 3}, m)
		if err != nil || r.Iterations == 0 || r.J >= 24.2 && name != "adadelta" {
			t.Errorf("%s: %d iterations, J = %g, err %v", name, r.Iterations, r.J, err)
		}
		if _, ok := m.(Stepper); ok {
			if _, err := NewStepper(name, 0.5); err != nil {
				t.Errorf("NewStepper(%q): %v", name, err)
			}
		}
	}
}

// TestCallbackSeesIterate guards Iteration.X: the callback must see the iterate whose cost it
// is told, for every kind of method (gonum's line searches evaluate trial points that are not
// iterates), and History must not keep the vectors.
func TestCallbackSeesIterate(t *testing.T) {
	quad := func(x []float64) float64 { return 0.5*x[0]*x[0] + 2*x[1]*x[1] }
	p := Problem{FuncGrad: func(g, x []float64) float64 {
		g[0], g[1] = x[0], 4*x[1]
		return quad(x)
	}}
	for _, m := range []Method{&LBFGS{}, &CG{}, &GradientDescent{}, &Adam{LearningRate: 0.1}} {
		calls := 0
		s := &Settings{MaxIterations: 20, Callback: func(it Iteration) error {
			calls++
			if len(it.X) != 2 || quad(it.X) != it.J {
				return fmt.Errorf("iteration %d: X = %v has J = %v, record says %v", it.Iter, it.X, quad(it.X), it.J)
			}
			return nil
		}}
		res, err := Minimize(p, []float64{1, 1}, s, m)
		if err != nil {
			t.Fatalf("%T: %v", m, err)
		}
		if calls == 0 {
			t.Fatalf("%T: callback never called", m)
		}
		for _, it := range res.History {
			if it.X != nil {
				t.Fatalf("%T: History keeps X", m)
			}
		}
	}
}

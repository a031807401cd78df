package optimize

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	gopt "gonum.org/v1/gonum/optimize"
)

// barzilaiBorwein is a Method written against Driver alone, as a user would
// write one: gradient descent with the Barzilai-Borwein step
// α_k = sᵀs / sᵀy (s = x_k - x_{k-1}, y = ∇J_k - ∇J_{k-1}).
type barzilaiBorwein struct{ alpha0 float64 }

var _ Method = (*barzilaiBorwein)(nil)

func (m *barzilaiBorwein) Init(n int) error {
	if !(m.alpha0 > 0) {
		return ErrSetting
	}
	return nil
}

func (m *barzilaiBorwein) Run(d *Driver, x0 []float64) error {
	n := d.Dim()
	x, xp := append([]float64(nil), x0...), make([]float64, n)
	g, gp := make([]float64, n), make([]float64, n)
	alpha := m.alpha0
	for k := 0; ; k++ {
		f, err := d.FuncGrad(g, x)
		if err != nil {
			return err
		}
		if d.Iterate(x, f, g) != NotTerminated {
			return nil
		}
		if k > 0 {
			ss, sy := 0.0, 0.0
			for i := range x {
				s, y := x[i]-xp[i], g[i]-gp[i]
				ss += s * s
				sy += s * y
			}
			if sy > 0 {
				alpha = ss / sy
			}
		}
		copy(xp, x)
		copy(gp, g)
		for i := range x {
			x[i] -= alpha * g[i]
		}
	}
}

// TestUserMethod checks that a method defined outside the package's list runs
// under Minimize with its stopping tests, counts and history.
func TestUserMethod(t *testing.T) {
	// J = Σ i·x_i²/2: the Barzilai-Borwein method converges R-linearly.
	n := 10
	p := Problem{FuncGrad: func(g, x []float64) float64 {
		f := 0.0
		for i, xi := range x {
			c := float64(i + 1)
			g[i] = c * xi
			f += c * xi * xi / 2
		}
		return f
	}}
	x0 := make([]float64, n)
	for i := range x0 {
		x0[i] = 1
	}
	r, err := Minimize(p, x0, &Settings{GradientThreshold: 1e-8}, &barzilaiBorwein{alpha0: 0.1})
	if err != nil || r.Status != GradientConverged {
		t.Fatalf("status %v, err %v", r.Status, err)
	}
	if d := maxAbsDiff(r.X, 0); d > 1e-8 {
		t.Errorf("x off the minimum by %g", d)
	}
	if len(r.History) != r.Iterations+1 || r.Evaluations != r.Iterations+1 || r.Gradients != r.Evaluations {
		t.Errorf("%d iterations, %d history records, %d evaluations, %d gradients", r.Iterations, len(r.History), r.Evaluations, r.Gradients)
	}
	if _, err := Minimize(p, x0, nil, &barzilaiBorwein{}); !errors.Is(err, ErrSetting) {
		t.Errorf("invalid setting: %v", err)
	}
}

// TestGonumNelderMead runs gonum's derivative-free Nelder-Mead through the
// Gonum adapter: it never asks for a gradient, so FuncGrad is not called when
// Func is set, and it ends by its own simplex test (MethodConverged) or the
// function test.
func TestGonumNelderMead(t *testing.T) {
	p := rosenbrock(2)
	grads := 0
	fg := p.FuncGrad
	p.FuncGrad = func(g, x []float64) float64 { grads++; return fg(g, x) }
	p.Func = func(x []float64) float64 { return fg(make([]float64, 2), x) }
	r, err := Minimize(p, rosenbrockStart(2), &Settings{MaxIterations: -1}, Gonum{Method: &gopt.NelderMead{}})
	if err != nil || !r.Status.Converged() {
		t.Fatalf("status %v, err %v", r.Status, err)
	}
	if d := maxAbsDiff(r.X, 1); d > 1e-4 {
		t.Errorf("x = %v, off (1, 1) by %g", r.X, d)
	}
	if grads != 0 || r.Gradients != 0 || !math.IsNaN(r.GradNorm) {
		t.Errorf("FuncGrad called %d times (Result.Gradients %d), GradNorm %v; want 0, 0, NaN", grads, r.Gradients, r.GradNorm)
	}
	if _, err := Minimize(p, rosenbrockStart(2), nil, Gonum{}); !errors.Is(err, ErrSetting) {
		t.Errorf("nil gonum method: %v", err)
	}
}

// TestFuncSavesGradients measures what Problem.Func saves: with it, a line
// search that needs J alone at a trial point pays a forward run instead of a
// forward and an adjoint run. Gradient descent's backtracking search and
// L-BFGS with a backtracking search on the 10-D Rosenbrock function.
func TestFuncSavesGradients(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    func() Method
	}{
		{"gd", func() Method { return &GradientDescent{} }},
		{"lbfgs+backtracking", func() Method { return &LBFGS{Linesearcher: &gopt.Backtracking{}} }},
	} {
		p := rosenbrock(10)
		s := &Settings{MaxIterations: 20000}
		without, err := Minimize(Problem{FuncGrad: p.FuncGrad}, rosenbrockStart(10), s, tc.m())
		if err != nil {
			t.Fatalf("%s without Func: %v", tc.name, err)
		}
		p.Func = func(x []float64) float64 { return p.FuncGrad(make([]float64, 10), x) }
		with, err := Minimize(p, rosenbrockStart(10), s, tc.m())
		if err != nil {
			t.Fatalf("%s with Func: %v", tc.name, err)
		}
		// The iterates are the same: Func returns the J that FuncGrad does.
		if with.Iterations != without.Iterations || with.J != without.J {
			t.Errorf("%s: %d iterations to J = %g with Func, %d to %g without", tc.name, with.Iterations, with.J, without.Iterations, without.J)
		}
		if with.Gradients >= without.Gradients {
			t.Errorf("%s: %d gradients with Func, %d without: nothing saved", tc.name, with.Gradients, without.Gradients)
		}
		t.Logf("%s: %d iterations; gradients (adjoint runs) %d with Func, %d without; forward runs %d and %d",
			tc.name, with.Iterations, with.Gradients, without.Gradients, with.Evaluations, without.Evaluations)
	}
}

// TestSetRateBeforeFirstStepNotLost guards against Init resetting a rate set
// before the first step, by Step's lazy Init and by Minimize's Init.
func TestSetRateBeforeFirstStepNotLost(t *testing.T) {
	s := &SGD{LearningRate: 0.1}
	s.SetRate(0.25)
	x := []float64{1}
	if err := s.Step(x, []float64{2}); err != nil || x[0] != 0.5 || s.Rate() != 0.25 {
		t.Errorf("Step after SetRate(0.25): x = %v, Rate %v, err %v; want 0.5, 0.25", x[0], s.Rate(), err)
	}
	a := &Adam{}
	a.SetRate(0.05)
	p := Problem{FuncGrad: func(g, x []float64) float64 { g[0] = 2 * x[0]; return x[0] * x[0] }}
	r, err := Minimize(p, []float64{1}, &Settings{MaxIterations: 1}, a)
	// Adam's first step has length η whatever the gradient.
	if err != nil || math.Abs(r.History[0].J-1) > 0 || math.Abs(1-0.05-math.Sqrt(r.J)) > 1e-8 {
		t.Errorf("Minimize after SetRate(0.05): J = %v, err %v; want (1-0.05)²", r.J, err)
	}
	// Once a step has been taken, Init restores the configured rate.
	if err := s.Init(1); err != nil || s.Rate() != 0.1 {
		t.Errorf("Init after a step: Rate %v, err %v; want 0.1", s.Rate(), err)
	}
}

// TestStepperStateResumes: k steps, State through JSON, a fresh method with
// SetState, k more steps must equal 2k uninterrupted steps bit for bit.
func TestStepperStateResumes(t *testing.T) {
	makers := []func() Resumable{
		func() Resumable { return &SGD{LearningRate: 1e-3} },
		func() Resumable { return &SGD{LearningRate: 1e-3, Momentum: 0.9, Nesterov: true} },
		func() Resumable { return &Adagrad{LearningRate: 0.05} },
		func() Resumable { return &RMSprop{Momentum: 0.5, Centered: true} },
		func() Resumable { return &Adadelta{} },
		func() Resumable { return &Adam{AMSGrad: true} },
		func() Resumable { return &AdamW{WeightDecay: 0.01} },
	}
	p := rosenbrock(4)
	const k = 7
	run := func(s Stepper, x []float64, steps int) {
		g := make([]float64, len(x))
		for range steps {
			p.FuncGrad(g, x)
			if err := s.Step(x, g); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, mk := range makers {
		ref := mk()
		xr := rosenbrockStart(4)
		run(ref, xr, 2*k)

		a := mk()
		xa := rosenbrockStart(4)
		run(a, xa, k)
		a.SetRate(a.Rate() * 0.5) // a live rate differing from LearningRate must be saved too
		ref2 := mk()
		xr2 := rosenbrockStart(4)
		run(ref2, xr2, k)
		ref2.SetRate(ref2.Rate() * 0.5)
		run(ref2, xr2, k)

		b, err := json.Marshal(a.State())
		if err != nil {
			t.Fatal(err)
		}
		var st StepperState
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatal(err)
		}
		c := mk()
		if err := c.Init(4); err != nil {
			t.Fatal(err)
		}
		if err := c.SetState(st); err != nil {
			t.Fatalf("%T: %v", c, err)
		}
		run(c, xa, k)
		for i := range xa {
			if math.Float64bits(xa[i]) != math.Float64bits(xr2[i]) {
				t.Errorf("%T: resumed x[%d] = %v, uninterrupted %v", c, i, xa[i], xr2[i])
			}
		}
		if err := c.SetState(StepperState{Method: "Other"}); !errors.Is(err, ErrSetting) {
			t.Errorf("%T: state of another method: %v", c, err)
		}
	}
	if err := (&Adam{}).SetState((&Adam{}).State()); !errors.Is(err, ErrSetting) {
		t.Errorf("SetState before Init: %v", err)
	}
	a := &Adam{}
	_ = a.Init(3)
	st := a.State()
	st.Vectors["m"] = st.Vectors["m"][:2]
	if err := a.SetState(st); !errors.Is(err, ErrLength) {
		t.Errorf("short vector: %v", err)
	}
}

// TestNeedsHessVec: Newton and a gonum method that asks for the Hessian need HessVec; the
// others do not.
func TestNeedsHessVec(t *testing.T) {
	for _, c := range []struct {
		m    Method
		want bool
	}{
		{&Newton{}, true}, {Gonum{Method: &gopt.Newton{}}, true}, {Gonum{Method: &gopt.NelderMead{}}, false},
		{&LBFGS{}, false}, {&Adam{}, false}, {&barzilaiBorwein{}, false},
	} {
		if got := NeedsHessVec(c.m); got != c.want {
			t.Errorf("NeedsHessVec(%T) = %v, want %v", c.m, got, c.want)
		}
	}
}

// methodFunc adapts a function to Method, for the tests of what Minimize does with a
// method's outcome.
type methodFunc func(d *Driver, x0 []float64) error

func (methodFunc) Init(int) error                      { return nil }
func (m methodFunc) Run(d *Driver, x0 []float64) error { return m(d, x0) }

// TestMethodOutcomes: an error after the first iterate is a Failure with the best point
// kept; an error before it, or no iterate at all, is an input error; a clean return is the
// method's own convergence; Func without Problem.Func falls back to FuncGrad, counted.
func TestMethodOutcomes(t *testing.T) {
	p := rosenbrock(2)
	boom := errors.New("boom")
	once := func(err error) methodFunc {
		return func(d *Driver, x0 []float64) error {
			f, _ := d.Func(x0)
			d.Iterate(x0, f, nil)
			return err
		}
	}
	r, err := Minimize(p, rosenbrockStart(2), nil, once(boom))
	if !errors.Is(err, boom) || r == nil || r.Status != Failure || math.Abs(r.J-24.2) > 1e-12 || r.Gradients != 1 {
		t.Errorf("error after an iterate: %v, %+v", err, r)
	}
	if r, err := Minimize(p, rosenbrockStart(2), nil, once(nil)); err != nil || r.Status != MethodConverged || !r.Status.Converged() {
		t.Errorf("clean return: %v, %+v", err, r)
	}
	none := methodFunc(func(*Driver, []float64) error { return nil })
	if r, err := Minimize(p, rosenbrockStart(2), nil, none); !errors.Is(err, ErrProblem) || r != nil {
		t.Errorf("no iterate: %v, %+v", err, r)
	}
	needs := methodFunc(func(d *Driver, x0 []float64) error { return d.HessVec(make([]float64, 2), x0, x0) })
	if r, err := Minimize(Problem{FuncGrad: p.FuncGrad}, rosenbrockStart(2), nil, needs); !errors.Is(err, ErrProblem) || r != nil {
		t.Errorf("HessVec without Problem.HessVec: %v, %+v", err, r)
	}
}

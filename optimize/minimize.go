package optimize

import (
	"errors"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/floats"
)

// Default values of the zero Settings.
const (
	defaultMaxIterations      = 1000
	defaultGradientThreshold  = 1e-10
	defaultFunctionRelTol     = 1e-14
	defaultFunctionIterations = 10
)

// Minimize runs method m on problem p from x0 and returns the result.
// x0 is not modified. A nil s selects the default Settings and a nil m
// selects &LBFGS{}. Minimize calls m.Init(len(x0)) and then m.Run with a
// Driver that evaluates p, counts the evaluations and applies the stopping
// tests of s; so a Stepper starts from a clean state.
//
// Minimize returns a non-nil Result whenever the run has started, also
// together with an error: when the run diverged (the error is a
// *DivergenceError naming the iteration), when a line search failed (the
// error wraps ErrLineSearch and Result holds the best point found), when the
// method failed (status Failure) and when Settings.Callback returned an
// error other than ErrStop. Reaching a limit (iterations, evaluations,
// runtime) is not an error: Result.Status says so. Input errors (nil
// FuncGrad, empty x0, invalid method settings, a method that needs HessVec
// without it) return a nil Result and an error.
func Minimize(p Problem, x0 []float64, s *Settings, m Method) (*Result, error) {
	if p.FuncGrad == nil {
		return nil, fmt.Errorf("%w: Problem.FuncGrad is nil", ErrProblem)
	}
	n := len(x0)
	if n == 0 {
		return nil, fmt.Errorf("%w: empty starting point x0", ErrLength)
	}
	if m == nil {
		m = &LBFGS{}
	}
	if s == nil {
		s = &Settings{}
	}
	if err := m.Init(n); err != nil {
		return nil, err
	}
	r := newDriver(p, n, s)
	err := m.Run(r, x0)
	switch {
	case r.status != NotTerminated:
		err = r.err
	case err != nil && len(r.res.History) == 0:
		return nil, err // the method refused the problem before its first iterate
	case len(r.res.History) == 0:
		return nil, fmt.Errorf("%w: %T returned without reporting an iterate", ErrProblem, m)
	case err != nil:
		r.status, r.err = Failure, err
	default:
		r.status = MethodConverged
	}
	r.res.Status = r.status
	r.res.Evaluations = r.evals
	r.res.Gradients = r.grads
	r.res.HessVecs = r.hvecs
	r.res.Runtime = time.Since(r.start)
	return &r.res, err
}

// Driver is what a Method sees of a run of Minimize: it evaluates the
// problem, counting the evaluations and checking that they are finite, and
// it records the iterates and applies the stopping tests of Settings. A
// Method calls Iterate at every iterate it accepts, x0 first, and stops when
// Iterate returns a status other than NotTerminated.
type Driver struct {
	p     Problem
	n     int
	start time.Time

	maxIter, maxEval int
	maxRuntime       time.Duration
	gradTol, fRelTol float64
	fIters           int
	callback         func(Iteration) error

	iter    int // number of the iterate being computed or recorded
	evals   int
	grads   int
	hvecs   int
	fPrev   float64 // J at the previous iterate, for the function test
	stall   int     // consecutive iterations with a negligible change of J
	div     *DivergenceError
	status  Status // set when the run is stopped by this package's tests
	err     error
	scratch []float64 // gradient discarded by Func when Problem.Func is nil

	res Result // res.X, res.Grad hold the best iterate
}

func newDriver(p Problem, n int, s *Settings) *Driver {
	r := &Driver{p: p, n: n, start: time.Now()}
	r.maxIter = s.MaxIterations
	switch {
	case r.maxIter == 0:
		r.maxIter = defaultMaxIterations
	case r.maxIter < 0:
		r.maxIter = math.MaxInt
	}
	r.maxEval = s.MaxEvaluations
	if r.maxEval <= 0 {
		r.maxEval = math.MaxInt
	}
	r.maxRuntime = s.MaxRuntime
	r.gradTol = s.GradientThreshold
	if r.gradTol == 0 {
		r.gradTol = defaultGradientThreshold
	}
	r.fRelTol = s.FunctionRelativeTolerance
	if r.fRelTol == 0 {
		r.fRelTol = defaultFunctionRelTol
	}
	r.fIters = s.FunctionIterations
	if r.fIters <= 0 {
		r.fIters = defaultFunctionIterations
	}
	r.callback = s.Callback
	r.res.X = make([]float64, n)
	r.res.Grad = make([]float64, n)
	r.res.J = math.Inf(1)
	r.res.GradNorm = math.NaN()
	return r
}

// Dim returns the number of unknowns.
func (r *Driver) Dim() int { return r.n }

// HasFunc reports whether the problem has Func, so that J alone costs less
// than J and ∇J together.
func (r *Driver) HasFunc() bool { return r.p.Func != nil }

// HasHessVec reports whether the problem has HessVec.
func (r *Driver) HasHessVec() bool { return r.p.HessVec != nil }

// FuncGrad returns J(x) and writes ∇J(x) into grad. If J or ∇J is not
// finite it returns a *DivergenceError (and the run's status is Diverged or
// Unbounded): the method should return that error.
func (r *Driver) FuncGrad(grad, x []float64) (float64, error) {
	f := r.evalFuncGrad(grad, x)
	return f, r.diverged()
}

// Func returns J(x), by Problem.Func when the problem has it and by
// FuncGrad otherwise. Its error is that of FuncGrad.
func (r *Driver) Func(x []float64) (float64, error) {
	var f float64
	if r.p.Func != nil {
		f = r.evalFunc(x)
	} else {
		if r.scratch == nil {
			r.scratch = make([]float64, r.n)
		}
		f = r.evalFuncGrad(r.scratch, x)
	}
	return f, r.diverged()
}

// HessVec writes the product of the Hessian at x (or the approximation the
// problem gives) with v into dst. It returns an error wrapping ErrProblem if
// the problem has no HessVec.
func (r *Driver) HessVec(dst, x, v []float64) error {
	if r.p.HessVec == nil {
		return fmt.Errorf("%w: Problem.HessVec is nil", ErrProblem)
	}
	r.hvecs++
	r.p.HessVec(dst, x, v)
	return nil
}

// Iterate records iterate x with cost f and gradient grad (nil for a method
// that does not use gradients: the gradient test is then skipped), keeps it
// if it is the best so far and applies the stopping tests. It returns
// NotTerminated if the run goes on, else the status it stops with.
func (r *Driver) Iterate(x []float64, f float64, grad []float64) Status {
	if r.status != NotTerminated {
		return r.status
	}
	return r.iterate(x, f, grad)
}

func (r *Driver) diverged() error {
	if r.div == nil {
		return nil
	}
	if r.status == NotTerminated {
		r.stopDiverged()
	}
	return r.err
}

// evalFuncGrad calls FuncGrad and checks that its outputs are finite.
func (r *Driver) evalFuncGrad(grad, x []float64) float64 {
	r.evals++
	r.grads++
	f := r.p.FuncGrad(grad, x)
	r.checkFinite(f, grad)
	return f
}

// evalFunc calls Func and checks that J is finite.
func (r *Driver) evalFunc(x []float64) float64 {
	r.evals++
	f := r.p.Func(x)
	r.checkFinite(f, nil)
	return f
}

func (r *Driver) checkFinite(f float64, grad []float64) {
	if r.div != nil {
		return
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		r.div = &DivergenceError{Iteration: r.iter, Evaluation: r.evals, Index: -1, Value: f}
		return
	}
	for i, g := range grad {
		if math.IsNaN(g) || math.IsInf(g, 0) {
			r.div = &DivergenceError{Iteration: r.iter, Evaluation: r.evals, Index: i, Value: g}
			return
		}
	}
}

// stopDiverged sets the status for a divergence found by checkFinite.
func (r *Driver) stopDiverged() {
	r.status = Diverged
	if r.div.Index < 0 && math.IsInf(r.div.Value, -1) {
		r.status = Unbounded
	}
	r.err = r.div
}

// iterate records iterate number r.iter at x with cost f and gradient grad,
// keeps it if it is the best so far, and applies the stopping tests. It
// returns NotTerminated (and advances r.iter) if the run goes on.
func (r *Driver) iterate(x []float64, f float64, grad []float64) Status {
	gnorm := math.NaN()
	if grad != nil {
		gnorm = floats.Norm(grad, 2)
	}
	if f <= r.res.J || r.iter == 0 {
		copy(r.res.X, x)
		if grad == nil {
			for i := range r.res.Grad {
				r.res.Grad[i] = math.NaN()
			}
		} else {
			copy(r.res.Grad, grad)
		}
		r.res.J = f
		r.res.GradNorm = gnorm
	}
	r.res.Iterations = r.iter
	r.res.Evaluations = r.evals
	r.res.Gradients = r.grads
	r.res.HessVecs = r.hvecs
	it := Iteration{Iter: r.iter, J: f, GradNorm: gnorm, Evaluations: r.evals, Elapsed: time.Since(r.start)}
	r.res.History = append(r.res.History, it)

	if r.callback != nil {
		it.X = x
		if err := r.callback(it); err != nil {
			r.status = Stopped
			if !errors.Is(err, ErrStop) {
				r.err = err
			}
			return r.status
		}
	}
	switch {
	case r.gradTol > 0 && gnorm < r.gradTol:
		r.status = GradientConverged
	case r.functionConverged(f):
		r.status = FunctionConverged
	case r.iter >= r.maxIter:
		r.status = IterationLimit
	case r.evals >= r.maxEval:
		r.status = EvaluationLimit
	case r.maxRuntime > 0 && it.Elapsed >= r.maxRuntime:
		r.status = RuntimeLimit
	default:
		r.iter++
	}
	return r.status
}

func (r *Driver) functionConverged(f float64) bool {
	prev := r.fPrev
	r.fPrev = f
	if r.fRelTol < 0 || r.iter == 0 {
		return false
	}
	if math.Abs(f-prev) > r.fRelTol*math.Max(math.Abs(f), math.Abs(prev)) {
		r.stall = 0
		return false
	}
	r.stall++
	return r.stall >= r.fIters
}

// RunStepper runs a Stepper as a full-batch method: evaluate, record, step.
// It is the Run of every Stepper of this package; a user Stepper implements
// Run as
//
//	func (s *MyStepper) Run(d *optimize.Driver, x0 []float64) error { return optimize.RunStepper(d, s, x0) }
//
// An error of Step ends the run with status Failure.
func RunStepper(d *Driver, s Stepper, x0 []float64) error {
	x := append([]float64(nil), x0...)
	grad := make([]float64, d.n)
	for {
		f, err := d.FuncGrad(grad, x)
		if err != nil {
			return err
		}
		if d.Iterate(x, f, grad) != NotTerminated {
			return nil
		}
		if err := s.Step(x, grad); err != nil {
			return err
		}
	}
}

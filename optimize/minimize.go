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
// selects &LBFGS{}. Minimize calls m.Init(len(x0)) first, so a Stepper starts
// from a clean state.
//
// Minimize returns a non-nil Result whenever the run has started, also
// together with an error: when the run diverged (the error is a
// *DivergenceError naming the iteration), when a line search failed (the
// error wraps ErrLineSearch and Result holds the best point found), and when
// Settings.Callback returned an error other than ErrStop. Reaching a limit
// (iterations, evaluations, runtime) is not an error: Result.Status says so.
// Input errors (nil FuncGrad, empty x0, invalid method settings, a method
// that needs HessVec without it) return a nil Result and an error.
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
	r := newRun(p, n, s)
	var err error
	switch m := m.(type) {
	case Stepper:
		err = r.stepping(m, x0)
	case lineSearchMethod:
		err = r.lineSearch(m, x0)
	default:
		return nil, fmt.Errorf("%w: %T is neither a Stepper nor a line-search method of this package", ErrProblem, m)
	}
	if err != nil && r.res.Status == NotTerminated {
		return nil, err
	}
	r.res.Runtime = time.Since(r.start)
	return &r.res, err
}

// run is the state of one call of Minimize shared by the stepping loop and
// the gonum driver.
type run struct {
	p     Problem
	n     int
	start time.Time

	maxIter, maxEval int
	maxRuntime       time.Duration
	gradTol, fRelTol float64
	fIters           int
	callback         func(Iteration) error

	iter   int // number of the iterate being computed or recorded
	evals  int
	hvecs  int
	fPrev  float64 // J at the previous iterate, for the function test
	stall  int     // consecutive iterations with a negligible change of J
	div    *DivergenceError
	status Status // set when the run is stopped by this package's tests
	err    error

	res Result // res.X, res.Grad hold the best iterate
}

func newRun(p Problem, n int, s *Settings) *run {
	r := &run{p: p, n: n, start: time.Now()}
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

// evalFuncGrad calls FuncGrad and checks that its outputs are finite.
func (r *run) evalFuncGrad(grad, x []float64) float64 {
	r.evals++
	f := r.p.FuncGrad(grad, x)
	r.checkFinite(f, grad)
	return f
}

// evalFunc calls Func and checks that J is finite.
func (r *run) evalFunc(x []float64) float64 {
	r.evals++
	f := r.p.Func(x)
	r.checkFinite(f, nil)
	return f
}

func (r *run) checkFinite(f float64, grad []float64) {
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
func (r *run) stopDiverged() {
	r.status = Diverged
	if r.div.Index < 0 && math.IsInf(r.div.Value, -1) {
		r.status = Unbounded
	}
	r.err = r.div
}

// iterate records iterate number r.iter at x with cost f and gradient grad,
// keeps it if it is the best so far, and applies the stopping tests. It
// returns NotTerminated (and advances r.iter) if the run goes on.
func (r *run) iterate(x []float64, f float64, grad []float64) Status {
	gnorm := floats.Norm(grad, 2)
	if f <= r.res.J || r.iter == 0 {
		copy(r.res.X, x)
		copy(r.res.Grad, grad)
		r.res.J = f
		r.res.GradNorm = gnorm
	}
	r.res.Iterations = r.iter
	r.res.Evaluations = r.evals
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

func (r *run) functionConverged(f float64) bool {
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

// stepping runs a Stepper as a full-batch method: evaluate, test, step.
func (r *run) stepping(s Stepper, x0 []float64) error {
	x := append([]float64(nil), x0...)
	grad := make([]float64, r.n)
	for {
		f := r.evalFuncGrad(grad, x)
		if r.div != nil {
			r.stopDiverged()
			break
		}
		if r.iterate(x, f, grad) != NotTerminated {
			break
		}
		if err := s.Step(x, grad); err != nil {
			r.status = Stopped
			r.err = err
			break
		}
	}
	r.res.Status = r.status
	r.res.Evaluations = r.evals
	return r.err
}

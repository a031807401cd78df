package optimize

import (
	"errors"
	"fmt"
	"time"
)

// Problem states an unconstrained minimisation problem min_x J(x).
//
// Only FuncGrad is required. In adjunto one call of FuncGrad is one forward
// run of a model (or network) followed by one adjoint run (backpropagation).
type Problem struct {
	// FuncGrad returns J(x) and writes ∇J(x) into grad, which has len(x).
	// It must not modify x and must not keep x or grad after it returns.
	FuncGrad func(grad, x []float64) float64

	// Func, optional, returns J(x) alone (a forward run without the adjoint).
	// Line searches that only need J at a trial point use it when it is set;
	// when it is nil FuncGrad is called and its gradient kept for later.
	Func func(x []float64) float64

	// HessVec, optional, writes the product of the Hessian of J at x, or of an
	// approximation of it such as the Gauss-Newton matrix J_Mᵀ W J_M, with v
	// into dst. It must not modify x or v. Newton needs it.
	HessVec func(dst, x, v []float64)
}

// Settings holds the stopping rules and the observer of a run. The zero value
// (or a nil *Settings) selects the default documented on each field. The
// tests are made once per iteration, after J and ∇J are known there.
type Settings struct {
	// MaxIterations bounds the number of iterations (steps from x0).
	// Zero means 1000; a negative value means no bound.
	MaxIterations int

	// MaxEvaluations bounds the number of calls of FuncGrad and Func together.
	// Zero or a negative value means no bound.
	MaxEvaluations int

	// MaxRuntime bounds the wall-clock time of the run. Zero means no bound.
	MaxRuntime time.Duration

	// GradientThreshold stops the run with GradientConverged once the
	// Euclidean norm ‖∇J(x)‖₂ falls below it. Zero means 1e-10; a negative
	// value disables the test.
	GradientThreshold float64

	// FunctionRelativeTolerance and FunctionIterations stop the run with
	// FunctionConverged when, for FunctionIterations consecutive iterations,
	// the cost changes by no more than FunctionRelativeTolerance relative:
	// |J_k - J_{k-1}| ≤ tol·max(|J_k|, |J_{k-1}|). A cost that rises (as
	// Adam's may at first) is a change, not a stall. Zero tolerance means
	// 1e-14, a negative one disables the test; zero FunctionIterations
	// means 10.
	FunctionRelativeTolerance float64
	FunctionIterations        int

	// Callback, if not nil, is called once per iteration, iteration 0 being
	// x0, with the record that is appended to Result.History. A non-nil
	// error stops the run with status Stopped; Minimize returns it unless it
	// is ErrStop.
	Callback func(Iteration) error
}

// Iteration is the record of one iteration of a run.
type Iteration struct {
	Iter        int           // iteration number; 0 is the starting point
	J           float64       // cost at the iterate
	GradNorm    float64       // ‖∇J‖₂ at the iterate
	Evaluations int           // calls of FuncGrad and Func so far
	Elapsed     time.Duration // wall-clock time since the start of the run

	// X is the iterate itself, set only in the record passed to Settings.Callback and valid
	// only during that call: the run reuses the slice, so copy it to keep it. It is nil in
	// Result.History, which would otherwise hold a vector per iteration.
	X []float64
}

// Result is the outcome of a run.
type Result struct {
	// X is the best iterate: the one with the lowest J among the iterates.
	// For the line-search methods, whose iterates decrease J, it is the last
	// one. It is kept and reported when the run ends on an error.
	X []float64
	// J and Grad are the cost and its gradient at X; GradNorm is ‖Grad‖₂.
	J        float64
	Grad     []float64
	GradNorm float64

	Iterations  int // iterations made (steps from x0)
	Evaluations int // calls of FuncGrad and Func
	Gradients   int // calls of FuncGrad alone: the adjoint runs
	HessVecs    int // calls of HessVec

	Status  Status        // why the run ended
	Runtime time.Duration // wall-clock time of the run

	// History holds one record per iteration, History[0] being x0.
	History []Iteration
}

// Status says why a run stopped.
type Status int

// The statuses of a run. Converged reports which of them mean success.
const (
	NotTerminated     Status = iota // the run has not stopped
	GradientConverged               // ‖∇J‖₂ fell below Settings.GradientThreshold
	FunctionConverged               // J stopped decreasing (Settings.FunctionRelativeTolerance)
	IterationLimit                  // Settings.MaxIterations reached
	EvaluationLimit                 // Settings.MaxEvaluations reached
	RuntimeLimit                    // Settings.MaxRuntime reached
	LineSearchFailure               // the line search failed or found no descent direction
	Diverged                        // J or ∇J became NaN or ±Inf
	Unbounded                       // J reached -Inf: the problem has no minimum
	Stopped                         // Settings.Callback returned an error
	MethodConverged                 // the method's own convergence test ended the run
	Failure                         // the method failed with an error of its own
)

var statusNames = [...]string{
	NotTerminated:     "NotTerminated",
	GradientConverged: "GradientConverged",
	FunctionConverged: "FunctionConverged",
	IterationLimit:    "IterationLimit",
	EvaluationLimit:   "EvaluationLimit",
	RuntimeLimit:      "RuntimeLimit",
	LineSearchFailure: "LineSearchFailure",
	Diverged:          "Diverged",
	Unbounded:         "Unbounded",
	Stopped:           "Stopped",
	MethodConverged:   "MethodConverged",
	Failure:           "Failure",
}

// String returns the name of the status.
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("Status(%d)", int(s))
	}
	return statusNames[s]
}

// Converged reports whether the status is one of the convergence tests
// (GradientConverged, FunctionConverged or MethodConverged) rather than a
// limit or a failure.
func (s Status) Converged() bool {
	return s == GradientConverged || s == FunctionConverged || s == MethodConverged
}

// Sentinel errors. Errors returned by this package wrap one of them, so that
// errors.Is tells the cause apart.
var (
	// ErrStop, returned by Settings.Callback, stops a run without an error.
	ErrStop = errors.New("optimize: stopped by callback")
	// ErrDiverged: J or ∇J became NaN or ±Inf; the error is a *DivergenceError.
	ErrDiverged = errors.New("optimize: diverged")
	// ErrLineSearch: a line search failed; Result holds the best point found.
	ErrLineSearch = errors.New("optimize: line search failed")
	// ErrSetting: a setting or hyperparameter is out of its domain.
	ErrSetting = errors.New("optimize: invalid setting")
	// ErrProblem: the Problem lacks a function the method needs.
	ErrProblem = errors.New("optimize: invalid problem")
	// ErrLength: a vector does not have the length the method was set up for.
	ErrLength = errors.New("optimize: length mismatch")
	// ErrUnknownMethod: New was given a name it does not know.
	ErrUnknownMethod = errors.New("optimize: unknown method")
	// ErrNotPositiveDefinite: linear CG met a direction p with pᵀAp ≤ 0.
	ErrNotPositiveDefinite = errors.New("optimize: operator not positive definite")
)

// DivergenceError says where a run met a non-finite cost or gradient.
type DivergenceError struct {
	Iteration  int     // iteration being computed when it happened (0 is x0)
	Evaluation int     // number of the evaluation (1-based) that returned it
	Index      int     // gradient component, or -1 for the cost J
	Value      float64 // the offending value (NaN or ±Inf)
}

// Error implements the error interface.
func (e *DivergenceError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("optimize: diverged: cost J = %v at iteration %d (evaluation %d)",
			e.Value, e.Iteration, e.Evaluation)
	}
	return fmt.Sprintf("optimize: diverged: gradient component %d = %v at iteration %d (evaluation %d)",
		e.Index, e.Value, e.Iteration, e.Evaluation)
}

// Unwrap returns ErrDiverged.
func (e *DivergenceError) Unwrap() error { return ErrDiverged }

// Method is a minimisation algorithm that Minimize can run. The contract is
// open: any type with these two methods is one, and Minimize knows nothing
// else about it. This package's methods are of three kinds:
//
//   - line-search methods wrapped from gonum/optimize: LBFGS, BFGS, CG,
//     GradientDescent and Newton; any other gonum method (NelderMead, a
//     LinesearchMethod with a NextDirectioner of one's own, …) runs through
//     the Gonum adapter;
//   - stepping methods, which implement Stepper: SGD (with momentum and
//     Nesterov momentum), Adagrad, RMSprop, Adadelta, Adam (with AMSGrad) and
//     AdamW; a user Stepper implements Run with RunStepper;
//   - a user's own algorithm, written against Driver.
type Method interface {
	// Init prepares the method for a problem with n unknowns, discarding the
	// state of any earlier run. It returns an error wrapping ErrSetting if a
	// setting of the method is outside its domain.
	Init(n int) error
	// Run minimises from x0, which it must not modify, evaluating J through
	// d and reporting every iterate, x0 first, to d.Iterate; it returns when
	// d.Iterate says to stop, when its own test says the minimum is found
	// (Minimize then reports MethodConverged), or with an error. An error
	// returned from a Driver evaluation (divergence) should be returned as
	// it is; any other error ends the run with status Failure.
	Run(d *Driver, x0 []float64) error
}

// Stepper is a method that updates a vector in place from a gradient, one
// step at a time: the interface a mini-batch training loop uses, calling Step
// with the gradient of each batch. Step must not allocate.
type Stepper interface {
	Method
	// Step updates x in place from the gradient grad of J at x. If Init has
	// not been called it calls Init(len(x)); otherwise x and grad must have
	// the length given to Init, or Step returns an error wrapping ErrLength
	// and leaves x untouched.
	Step(x, grad []float64) error
	// Reset clears the state accumulated by Step (moments, step count) and
	// keeps the settings, including the current learning rate.
	Reset()
	// Rate returns the learning rate η of the next step (the method's
	// LearningRate field, which Init sets to its default if it is zero).
	Rate() float64
	// SetRate sets η for the next steps; schedules call it between steps.
	// A rate set before the first Step survives the Init that Minimize or
	// Step makes (Init restores LearningRate only once a step has been
	// taken with the set rate). It panics if lr is negative or NaN.
	SetRate(lr float64)
}

// Resumable is a Stepper whose accumulated state (moments, step count, live
// learning rate) can be saved and restored, so that training interrupted
// after k steps and resumed from the saved state takes bit for bit the steps
// an uninterrupted run takes. Every Stepper of this package is Resumable.
type Resumable interface {
	Stepper
	// State returns a copy of the accumulated state.
	State() StepperState
	// SetState restores a state returned by State of the same method after
	// Init with the same n. It returns an error wrapping ErrSetting for the
	// state of another method and ErrLength for vectors of another length.
	SetState(StepperState) error
}

// StepperState is the accumulated state of a Resumable, in a form that
// encoding/json writes and reads back exactly (float64 values are written
// with the shortest representation that parses back to the same bits).
type StepperState struct {
	// Method names the method the state belongs to ("Adam", "SGD", …).
	Method string `json:"method"`
	// Rate is the live learning rate, Steps the number of steps taken.
	Rate  float64 `json:"rate"`
	Steps int     `json:"steps"`
	// Vectors holds the per-component state by name (Adam's "m" and "v", …);
	// vectors the settings do not use are absent.
	Vectors map[string][]float64 `json:"vectors,omitempty"`
}

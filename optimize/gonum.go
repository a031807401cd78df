package optimize

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	gopt "gonum.org/v1/gonum/optimize"
)

var (
	_ Method = (*LBFGS)(nil)
	_ Method = (*BFGS)(nil)
	_ Method = (*CG)(nil)
	_ Method = (*GradientDescent)(nil)
	_ Method = (*Newton)(nil)
	_ Method = Gonum{}

	_ HessVecUser = (*Newton)(nil)
	_ HessVecUser = Gonum{}
)

// HessVecUser is a Method that can say whether it needs Problem.HessVec, so that a caller
// which can supply Hessian-vector products only at a price (a 4DVar cost linearising its
// model, say) supplies them only when they are used.
type HessVecUser interface {
	Method
	// UsesHessVec reports whether Run will call Driver.HessVec.
	UsesHessVec() bool
}

// NeedsHessVec reports whether m needs Problem.HessVec: whether it is a HessVecUser that
// says so.
func NeedsHessVec(m Method) bool {
	h, ok := m.(HessVecUser)
	return ok && h.UsesHessVec()
}

// UsesHessVec reports true: Newton assembles the Hessian from HessVec.
func (*Newton) UsesHessVec() bool { return true }

// UsesHessVec reports whether the gonum method's Uses asks for the Hessian.
func (g Gonum) UsesHessVec() bool {
	if g.Method == nil {
		return false
	}
	u, err := g.Method.Uses(gopt.Available{Grad: true, Hess: true})
	return err == nil && u.Hess
}

// LBFGS is the limited-memory BFGS quasi-Newton method of gonum/optimize
// (Nocedal 1980; Liu and Nocedal 1989) with a line search satisfying the
// strong Wolfe conditions. It needs O(Memory·n) storage: the method of choice
// for large smooth problems such as 4DVar and full-batch network training.
type LBFGS struct {
	// Memory is the number of correction pairs (s, y) kept. Zero means 15.
	Memory int
	// Linesearcher, if not nil, replaces gonum's default (More-Thuente).
	Linesearcher gopt.Linesearcher
}

// Init checks the settings.
func (m *LBFGS) Init(n int) error {
	if m.Memory < 0 {
		return fmt.Errorf("%w: LBFGS.Memory = %d, want ≥ 0", ErrSetting, m.Memory)
	}
	return nil
}

func (m *LBFGS) gonum() gopt.Method {
	// GradStopThreshold NaN: the gradient test is ours (Euclidean norm).
	return &gopt.LBFGS{Store: m.Memory, Linesearcher: m.Linesearcher, GradStopThreshold: math.NaN()}
}

// Run runs the method with gonum/optimize.
func (m *LBFGS) Run(d *Driver, x0 []float64) error { return runGonum(d, m.gonum(), x0) }

// BFGS is the BFGS quasi-Newton method of gonum/optimize, which keeps a dense
// n×n inverse-Hessian approximation: for small problems.
type BFGS struct {
	// Linesearcher, if not nil, replaces gonum's default (More-Thuente).
	Linesearcher gopt.Linesearcher
}

// Init does nothing: BFGS has no settings to check.
func (m *BFGS) Init(n int) error { return nil }

func (m *BFGS) gonum() gopt.Method {
	return &gopt.BFGS{Linesearcher: m.Linesearcher, GradStopThreshold: math.NaN()}
}

// Run runs the method with gonum/optimize.
func (m *BFGS) Run(d *Driver, x0 []float64) error { return runGonum(d, m.gonum(), x0) }

// CGVariant selects the formula for β_k in nonlinear conjugate gradient,
// d_k = -∇J_k + β_k d_{k-1}. The zero value is HestenesStiefel, gonum's
// default.
type CGVariant int

// The β formulas of gonum/optimize (see its cg.go for the literature).
const (
	HestenesStiefel    CGVariant = iota // Hestenes and Stiefel (1952)
	FletcherReeves                      // Fletcher and Reeves (1964)
	PolakRibierePolyak                  // Polak and Ribière (1969), Polyak (1969), with β ≥ 0
	DaiYuan                             // Dai and Yuan (1999)
	HagerZhang                          // Hager and Zhang (2005)
)

var cgVariantNames = [...]string{"HestenesStiefel", "FletcherReeves", "PolakRibierePolyak", "DaiYuan", "HagerZhang"}

// String returns the name of the variant.
func (v CGVariant) String() string {
	if v < 0 || int(v) >= len(cgVariantNames) {
		return fmt.Sprintf("CGVariant(%d)", int(v))
	}
	return cgVariantNames[v]
}

// CG is the nonlinear conjugate gradient method of gonum/optimize with
// automatic restarts. For a quadratic J with an exact line search it is the
// linear conjugate gradient method; see LinearCG for the matrix-free solver of
// A x = b.
type CG struct {
	// Variant is the β formula; the zero value is HestenesStiefel.
	Variant CGVariant
	// Linesearcher, if not nil, replaces gonum's default (More-Thuente).
	Linesearcher gopt.Linesearcher
}

// Init checks the variant.
func (m *CG) Init(n int) error {
	if m.Variant < 0 || int(m.Variant) >= len(cgVariantNames) {
		return fmt.Errorf("%w: CG.Variant = %d is not a CGVariant", ErrSetting, int(m.Variant))
	}
	return nil
}

func (m *CG) gonum() gopt.Method {
	var v gopt.CGVariant
	switch m.Variant {
	case FletcherReeves:
		v = &gopt.FletcherReeves{}
	case PolakRibierePolyak:
		v = &gopt.PolakRibierePolyak{}
	case DaiYuan:
		v = &gopt.DaiYuan{}
	case HagerZhang:
		v = &gopt.HagerZhang{}
	default:
		v = &gopt.HestenesStiefel{}
	}
	return &gopt.CG{Variant: v, Linesearcher: m.Linesearcher, GradStopThreshold: math.NaN()}
}

// Run runs the method with gonum/optimize.
func (m *CG) Run(d *Driver, x0 []float64) error { return runGonum(d, m.gonum(), x0) }

// GradientDescent is steepest descent, d_k = -∇J_k, with gonum's line search
// (backtracking from a quadratic estimate of the step). Its convergence rate
// degrades with the condition number κ of the Hessian, as ((κ-1)/(κ+1))^k.
// For descent with a fixed step (learning rate) use SGD.
type GradientDescent struct {
	// Linesearcher, if not nil, replaces gonum's default (backtracking).
	Linesearcher gopt.Linesearcher
}

// Init does nothing: GradientDescent has no settings to check.
func (m *GradientDescent) Init(n int) error { return nil }

func (m *GradientDescent) gonum() gopt.Method {
	return &gopt.GradientDescent{Linesearcher: m.Linesearcher, GradStopThreshold: math.NaN()}
}

// Run runs the method with gonum/optimize.
func (m *GradientDescent) Run(d *Driver, x0 []float64) error { return runGonum(d, m.gonum(), x0) }

// Newton is the modified Newton method of gonum/optimize: it solves
// (H + τI) d = -∇J with the smallest τ ≥ 0 (grown by Increase) that makes the
// matrix positive definite, then searches along d. The Hessian is assembled
// from Problem.HessVec by n products with the unit vectors, so the method
// suits small problems; with a Gauss-Newton HessVec it is Gauss-Newton.
type Newton struct {
	// Increase is the factor by which τ grows. Zero means 5; else it must be > 1.
	Increase float64
	// Linesearcher, if not nil, replaces gonum's default (Bisection).
	Linesearcher gopt.Linesearcher
}

// Init checks the settings.
func (m *Newton) Init(n int) error {
	if m.Increase != 0 && !(m.Increase > 1) {
		return fmt.Errorf("%w: Newton.Increase = %v, want > 1", ErrSetting, m.Increase)
	}
	return nil
}

func (m *Newton) gonum() gopt.Method {
	return &gopt.Newton{Increase: m.Increase, Linesearcher: m.Linesearcher, GradStopThreshold: math.NaN()}
}

// Run runs the method with gonum/optimize.
func (m *Newton) Run(d *Driver, x0 []float64) error { return runGonum(d, m.gonum(), x0) }

// Gonum runs any method of gonum/optimize (NelderMead, GuessAndCheck with a
// local method, a LinesearchMethod with a NextDirectioner of one's own, …)
// under this package's Problem, Settings and Result:
//
//	Minimize(p, x0, nil, optimize.Gonum{Method: &gopt.NelderMead{}})
//
// The problem's Func, FuncGrad and HessVec are offered to the method as
// gonum's Func, Grad and Hess (assembled from n HessVec products); the
// method's Uses says which it needs. All the stopping tests are this
// package's; configure the gonum method's own gradient test off (a
// GradStopThreshold of NaN) so that it does not end the run first. A
// derivative-free method reports no gradient, so Result.Grad is NaN and only
// the function test, the limits and the method's own convergence apply.
// The gonum method's state is reset by its own Init, which gonum calls.
type Gonum struct {
	Method gopt.Method // the gonum method to run, such as &gopt.NelderMead{}
}

// Init checks that there is a method.
func (g Gonum) Init(n int) error {
	if g.Method == nil {
		return fmt.Errorf("%w: Gonum.Method is nil", ErrSetting)
	}
	return nil
}

// Run runs the gonum method.
func (g Gonum) Run(d *Driver, x0 []float64) error { return runGonum(d, g.Method, x0) }

// evalCache serves gonum's separate Func and Grad calls at one x from a
// single FuncGrad call (one forward and one adjoint run).
type evalCache struct {
	x       []float64
	f       float64
	grad    []float64
	valid   bool // x and f hold a computed point
	hasGrad bool // grad holds ∇J at x
	// first is set at each major iteration: the next point is the first
	// trial of a line search, usually accepted, where gonum will ask for the
	// gradient next; FuncGrad there costs one forward run less than Func
	// followed by FuncGrad.
	first bool
}

// runGonum runs a gonum method with this package's stopping tests.
func runGonum(r *Driver, m gopt.Method, x0 []float64) error {
	uses, err := m.Uses(gopt.Available{Grad: true, Hess: true})
	if err != nil {
		return fmt.Errorf("%w: %T: %w", ErrProblem, m, err)
	}
	if uses.Hess && r.p.HessVec == nil {
		return fmt.Errorf("%w: %T needs Problem.HessVec", ErrProblem, m)
	}
	c := &evalCache{x: make([]float64, r.n), grad: make([]float64, r.n)}
	eval := func(x []float64, needGrad bool) {
		if c.valid && (c.hasGrad || !needGrad) && floats.Equal(x, c.x) {
			return
		}
		copy(c.x, x)
		c.valid = true
		first := c.first && uses.Grad
		c.first = false
		if !needGrad && r.p.Func != nil && !first {
			c.f = r.evalFunc(x)
			c.hasGrad = false
			return
		}
		c.f = r.evalFuncGrad(c.grad, x)
		c.hasGrad = true
	}
	prob := gopt.Problem{
		Func: func(x []float64) float64 {
			eval(x, false)
			return c.f
		},
		Grad: func(grad, x []float64) {
			eval(x, true)
			copy(grad, c.grad)
		},
		Status: func() (gopt.Status, error) {
			// Called by gonum after every evaluation.
			switch {
			case r.div != nil:
				r.stopDiverged()
				return gopt.Failure, r.err
			case r.evals >= r.maxEval:
				r.status = EvaluationLimit
				return gopt.FunctionEvaluationLimit, nil
			}
			return gopt.NotTerminated, nil
		},
	}
	if !uses.Grad {
		prob.Grad = nil
	}
	if uses.Hess {
		e := make([]float64, r.n)
		col := make([]float64, r.n)
		prob.Hess = func(h *mat.SymDense, x []float64) {
			for j := range r.n {
				e[j] = 1
				r.p.HessVec(col, x, e)
				e[j] = 0
				r.hvecs++
				for i := 0; i <= j; i++ {
					// Symmetrise: column j gives H[i][j], earlier columns H[j][i].
					if i == j {
						h.SetSym(i, j, col[i])
					} else {
						h.SetSym(i, j, 0.5*(h.At(i, j)+col[i]))
					}
				}
				for i := j + 1; i < r.n; i++ {
					h.SetSym(i, j, col[i])
				}
			}
		}
	}
	settings := &gopt.Settings{
		// All the convergence tests are ours, made in the converger, which
		// gonum calls at every major iteration including x0. Without it
		// gonum's default converger would stop after 100 iterations with
		// less than 1e-10 absolute decrease.
		Converger:  converger{r, c},
		Concurrent: 1,
	}
	res, err := gopt.Minimize(prob, x0, settings, m)
	switch {
	case r.status != NotTerminated:
		// Stopped by one of our tests, the divergence check or the callback.
	case res == nil:
		return err
	case err == nil && gonumConverged(res.Status):
		return nil // the method's own test: Minimize reports MethodConverged
	case res.Status == gopt.FunctionNegativeInfinity:
		r.status = Unbounded
		r.err = fmt.Errorf("%w: J = -Inf at iteration %d", ErrDiverged, r.iter)
	case res.Status == gopt.Failure || err != nil:
		r.status = LineSearchFailure
		if err == nil {
			err = errors.New(res.Status.String())
		}
		r.err = fmt.Errorf("%w at iteration %d (best point kept: J = %g, ‖∇J‖ = %g): %w",
			ErrLineSearch, r.iter, r.res.J, r.res.GradNorm, err)
	default:
		r.status = LineSearchFailure
		r.err = fmt.Errorf("%w: gonum stopped with status %v at iteration %d", ErrLineSearch, res.Status, r.iter)
	}
	return r.err
}

// gonumConverged reports whether a gonum status is one of its convergence tests.
func gonumConverged(s gopt.Status) bool {
	switch s {
	case gopt.Success, gopt.FunctionThreshold, gopt.FunctionConvergence, gopt.GradientThreshold, gopt.StepConvergence:
		return true
	}
	return false
}

// converger adapts run.iterate to gonum's Converger.
type converger struct {
	r *Driver
	c *evalCache
}

func (converger) Init(int) {}

func (c converger) Converged(loc *gopt.Location) gopt.Status {
	c.c.first = true
	if c.r.iterate(loc.X, loc.F, loc.Gradient) != NotTerminated {
		// Any terminating status will do: Minimize reads run.status.
		return gopt.Success
	}
	return gopt.NotTerminated
}

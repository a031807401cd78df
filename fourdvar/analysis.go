package fourdvar

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/adjunto/adjunto/optimize"
)

// Stats describes one analysis: the minimisation of a cost from the background.
type Stats struct {
	CostInitial     float64 `json:"cost_initial"`      // J at the background
	GradNormInitial float64 `json:"grad_norm_initial"` // ‖∇J‖₂ at the background, in the control variable
	CostFinal       float64 `json:"cost_final"`        // J at the analysis
	GradNormFinal   float64 `json:"grad_norm_final"`   // ‖∇J‖₂ at the analysis
	Iterations      int     `json:"iterations"`        // minimiser iterations (inner CG iterations for incremental 4DVar)
	Evaluations     int     `json:"evaluations"`       // cost evaluations, with or without gradient
	Status          string  `json:"status"`            // why the minimiser stopped (optimize.Status names)

	// OuterLoops and HessVecs count, for incremental 4DVar, the relinearisations and the
	// Gauss-Newton products of the inner loops.
	OuterLoops int `json:"outer_loops,omitempty"` // relinearisations
	HessVecs   int `json:"hess_vecs,omitempty"`   // Gauss-Newton products

	// Restarts counts the restarts after a trial point blew the model up (see
	// Minimizer.Restarts).
	Restarts int `json:"restarts,omitempty"`
	// Backtracks counts the halvings of incremental 4DVar's increments (see
	// Incremental.Backtrack).
	Backtracks int `json:"backtracks,omitempty"`

	// History is J at each iteration (the quadratic model's value in incremental inner
	// loops), History[0] being the background.
	History []float64 `json:"-"`

	Wall time.Duration `json:"-"` // wall-clock time of the analysis
}

// GradReduction returns ‖∇J‖ at the analysis over ‖∇J‖ at the background.
func (s *Stats) GradReduction() float64 { return s.GradNormFinal / s.GradNormInitial }

// Minimizer finds the analysis of a cost. The zero value is L-BFGS stopping at a gradient
// reduction of 1e-6 or after 200 iterations.
type Minimizer struct {
	// Method is any method of package optimize; nil means L-BFGS. A Stepper (Adam, SGD…)
	// runs with its own learning rate for MaxIterations steps unless the gradient test
	// stops it first.
	Method optimize.Method

	// MaxIterations bounds the iterations; zero means 200.
	MaxIterations int

	// GradReduction stops the run once ‖∇J(z)‖ ≤ GradReduction·‖∇J(z_b)‖; zero means 1e-6.
	GradReduction float64

	// Restarts bounds the restarts after a trial point of the line search made the model
	// blow up (J or ∇J NaN or ±Inf): the minimisation restarts, with a fresh method, from
	// the best point found, whose first step is short. Over long windows of a chaotic model
	// a line search that extrapolates can land far outside the attractor. Zero means 3; a
	// negative value means none. Stats.Restarts counts them.
	Restarts int
}

// where returns ": " and the reason the last evaluation of c became non-finite (the time
// loop names the step and the state), or "" when c does not say.
func where(c Cost) string {
	if e, ok := c.(interface{ Err() error }); ok && e.Err() != nil {
		return ": " + e.Err().Error()
	}
	return ""
}

// hessVecer is a Cost with Hessian-vector products, such as Strong's Gauss-Newton
// products.
type hessVecer interface {
	HessVec(dst, z, u []float64)
}

var _ hessVecer = (*Strong)(nil)

// ErrDiverged is wrapped by the errors of an analysis whose cost or gradient became NaN or
// ±Inf.
var ErrDiverged = errors.New("fourdvar: diverged")

// Minimize minimises c from its background and returns the analysis control vector and the
// statistics. It returns an error wrapping ErrDiverged if J or ∇J became non-finite, and the
// error of optimize.Minimize if the line search failed; z and the stats then describe the
// best point found.
func (mz Minimizer) Minimize(c Cost) ([]float64, Stats, error) {
	start := time.Now()
	n := c.Len()
	z := make([]float64, n)
	c.Background(z)
	grad := make([]float64, n)
	var st Stats
	st.CostInitial = c.FuncGrad(grad, z)
	st.GradNormInitial = norm(grad)
	st.Evaluations = 1
	if !finite(st.CostInitial) || !finite(st.GradNormInitial) {
		st.Status = optimize.Diverged.String()
		st.CostFinal, st.GradNormFinal = st.CostInitial, st.GradNormInitial
		st.Wall = time.Since(start)
		return z, st, fmt.Errorf("%w: J = %v, ‖∇J‖ = %v at the background%s", ErrDiverged, st.CostInitial, st.GradNormInitial, where(c))
	}
	maxIter := mz.MaxIterations
	if maxIter == 0 {
		maxIter = 200
	}
	red := mz.GradReduction
	if red == 0 {
		red = 1e-6
	}
	restarts := mz.Restarts
	if restarts == 0 {
		restarts = 3
	}
	settings := &optimize.Settings{
		GradientThreshold: red * st.GradNormInitial,
		// Stop on stagnation only when J is flat to round-off.
		FunctionRelativeTolerance: 1e-13,
		FunctionIterations:        5,
	}
	if st.GradNormInitial == 0 {
		settings.GradientThreshold = math.SmallestNonzeroFloat64
	}
	// No Func: with L-BFGS the first trial step is usually accepted, and gonum then asks for
	// the gradient at the same point; FuncGrad alone does it in one forward and one adjoint
	// run, where Func then FuncGrad would integrate the window forward twice.
	prob := optimize.Problem{FuncGrad: c.FuncGrad}
	if h, ok := c.(hessVecer); ok {
		prob.HessVec = h.HessVec // for Newton: Gauss-Newton products
	}
	st.CostFinal, st.GradNormFinal = st.CostInitial, st.GradNormInitial
	var err error
	for {
		settings.MaxIterations = maxIter - st.Iterations
		var res *optimize.Result
		res, err = optimize.Minimize(prob, z, settings, mz.Method)
		if res == nil {
			break
		}
		st.Evaluations += res.Evaluations
		st.Status = res.Status.String()
		improved := finite(res.J) && res.J <= st.CostFinal
		if improved {
			copy(z, res.X)
			st.CostFinal, st.GradNormFinal = res.J, res.GradNorm
		}
		st.Iterations += res.Iterations
		for i, it := range res.History {
			if i > 0 || len(st.History) == 0 {
				st.History = append(st.History, it.J)
			}
		}
		if err == nil || !errors.Is(err, optimize.ErrDiverged) || st.Restarts >= restarts || st.Iterations >= maxIter {
			break
		}
		st.Restarts++
	}
	st.Wall = time.Since(start)
	if err != nil && errors.Is(err, optimize.ErrDiverged) {
		err = fmt.Errorf("%w after %d restarts: %w", ErrDiverged, st.Restarts, err)
	}
	return z, st, err
}

// Incremental is incremental 4DVar (Courtier, Thépaut and Hollingsworth, 1994): each outer
// loop relinearises the model and observation operators about the current trajectory, and
// the inner loop minimises the quadratic cost of the increment δz,
//
//	q(δz) = ½ ‖z_g + δz‖² + ½ ‖G δz − d‖²,   d = R^{-1/2}(y − H(x_g)),
//
// by the matrix-free linear conjugate gradient method on its normal equations
//
//	(I + Gᵀ G) δz = −∇J(z_g),   I + Gᵀ G = I + B^{1/2} Σ_k M'ᵀ H'ᵀ R⁻¹ H' M' B^{1/2},
//
// the Gauss-Newton Hessian in the control variable: one tangent-linear and one adjoint
// integration per CG iteration. The zero value does 3 outer loops of at most 20 inner
// iterations.
type Incremental struct {
	// Outer is the number of outer loops; zero means 3.
	Outer int
	// Inner bounds the CG iterations of each inner loop; zero means 20.
	Inner int
	// Tolerance stops an inner loop once its residual ‖b − A δz‖ ≤ Tolerance·‖b‖; zero
	// means 1e-4.
	Tolerance float64
	// Backtrack bounds the halvings of an increment that would raise the nonlinear J: the
	// Gauss-Newton step minimises a quadratic model, which over a long window of a chaotic
	// model can overshoot far. If J still rises after Backtrack halvings the run stops at
	// the last accepted point with status LineSearchFailure. Zero means 5; a negative value
	// takes every increment whole (plain incremental 4DVar).
	Backtrack int
	// GradReduction ends the outer loops early, with status GradientConverged, once
	// ‖∇J(z)‖ ≤ GradReduction·‖∇J(z_b)‖; zero means 1e-6. Otherwise the status after the
	// last outer loop is IterationLimit.
	GradReduction float64
}

// Minimize runs incremental 4DVar on c from its background and returns the analysis control
// vector and the statistics: Iterations counts CG iterations, Evaluations nonlinear cost
// evaluations (each with its gradient, which is the next outer loop's linearisation),
// HessVecs Gauss-Newton products, and History holds the quadratic model's value along each
// inner loop (J itself at the start of each).
func (inc Incremental) Minimize(c *Strong) ([]float64, Stats, error) {
	start := time.Now()
	outer := inc.Outer
	if outer == 0 {
		outer = 3
	}
	inner := inc.Inner
	if inner == 0 {
		inner = 20
	}
	tol := inc.Tolerance
	if tol == 0 {
		tol = 1e-4
	}
	red := inc.GradReduction
	if red == 0 {
		red = 1e-6
	}
	n := c.Len()
	z := make([]float64, n)
	c.Background(z)
	grad := make([]float64, n)
	b := make([]float64, n)
	dz := make([]float64, n)
	scratch := make([]float64, c.NumObs())
	var st Stats
	st.Status = optimize.IterationLimit.String()
	gn := func(dst, u []float64) {
		st.HessVecs++
		c.GaussNewtonVec(dst, u, scratch)
	}
	backtrack := inc.Backtrack
	if backtrack == 0 {
		backtrack = 5
	}
	trial := make([]float64, n)
	tgrad := make([]float64, n)
	// FuncGrad at z_g is the outer loop's linearisation: it leaves the trajectory that
	// GaussNewtonVec linearises about.
	j := c.FuncGrad(grad, z)
	st.Evaluations++
	st.CostInitial, st.GradNormInitial = j, norm(grad)
	for it := 0; ; it++ {
		g := norm(grad)
		st.CostFinal, st.GradNormFinal = j, g
		st.History = append(st.History, j)
		if !finite(j) || !finite(g) {
			st.Status = optimize.Diverged.String()
			st.Wall = time.Since(start)
			return z, st, fmt.Errorf("%w: J = %v, ‖∇J‖ = %v at outer loop %d%s", ErrDiverged, j, g, it, where(c))
		}
		if g <= red*st.GradNormInitial {
			st.Status = optimize.GradientConverged.String()
			break
		}
		if it == outer {
			break
		}
		st.OuterLoops++
		for i, v := range grad {
			b[i] = -v
		}
		clear(dz)
		res, err := optimize.LinearCG(dz, gn, b, &optimize.LinearCGSettings{MaxIterations: inner, Tolerance: tol})
		if res != nil {
			st.Iterations += res.Iterations
			// Each CG step lowers the quadratic by ½ α_k ‖r_k‖².
			q := j
			for k, a := range res.Alpha {
				q -= 0.5 * a * res.Residuals[k] * res.Residuals[k]
				st.History = append(st.History, q)
			}
		}
		if err != nil {
			st.Status = optimize.Diverged.String()
			st.Wall = time.Since(start)
			return z, st, fmt.Errorf("%w: inner loop of outer loop %d: %w", ErrDiverged, it, err)
		}
		// The increment minimises the quadratic model; on the nonlinear J it may overshoot.
		// Accept it if J does not rise, else halve it (at most Backtrack times).
		accepted := false
		for h := 0; ; h++ {
			for i, v := range dz {
				trial[i] = z[i] + v
			}
			jt := c.FuncGrad(tgrad, trial)
			st.Evaluations++
			if backtrack < 0 || (finite(jt) && jt <= j) {
				copy(z, trial)
				copy(grad, tgrad)
				j = jt
				accepted = true
				break
			}
			if h >= backtrack {
				break
			}
			st.Backtracks++
			for i := range dz {
				dz[i] *= 0.5
			}
		}
		if !accepted {
			// Leave c linearised about the analysis, as after an accepted step.
			j = c.FuncGrad(grad, z)
			st.Evaluations++
			st.CostFinal, st.GradNormFinal = j, norm(grad)
			st.History = append(st.History, j)
			st.Status = optimize.LineSearchFailure.String()
			break
		}
	}
	st.Wall = time.Since(start)
	return z, st, nil
}

func norm(v []float64) float64 { return math.Sqrt(dot(v, v)) }

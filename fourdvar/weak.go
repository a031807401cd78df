package fourdvar

import (
	"fmt"
	"math"

	"github.com/adjunto/adjunto/adjoint"
)

// Weak is the weak-constraint 4DVar cost of a Window: the model may err, by η_k at each step,
//
//	x_k = M(x_{k−1}) + η_k,  η_k ~ N(0, Q),
//
//	J = ½ (x_0 − x_b)ᵀ B⁻¹ (x_0 − x_b) + ½ Σ_{k=1..K} η_kᵀ Q⁻¹ η_k
//	    + ½ Σ_k (y_k − H_k(x_k))ᵀ R_k⁻¹ (y_k − H_k(x_k)),
//
// the "model-error forcing" formulation (Trémolet, 2006). The control vector is
// (v, w_1, …, w_K) with x_0 = x_b + B^{1/2} v and η_k = Q^{1/2} w_k, so J_b + J_q = ½ vᵀv +
// ½ Σ w_kᵀw_k; with StateControl it is (x_0, η_1, …, η_K). Its length is (K+1)·Dim(). As Q
// shrinks the minimiser tends to the strong-constraint one. Model parameters are not
// estimated (Window.Pb must be nil).
//
// The model errors enter the engine's time loop as its adjoint.Forcing, whose adjoints
// x̃_k give the gradient blocks as the reverse sweep passes; Checkpoint is the loop's
// policy, as for Strong. A Weak keeps the initial state and the model errors of its last
// evaluation. It is not safe for concurrent use.
type Weak struct {
	// W is the window; see Strong.W.
	W *Window
	// Q is the model-error covariance of one step, Dim() = Model.Dim().
	Q Covariance
	// StateControl selects the untransformed control vector; see Strong.StateControl.
	StateControl bool
	// Checkpoint is the checkpointing policy of the adjoint sweep; see Strong.Checkpoint.
	Checkpoint adjoint.Policy

	n      int
	obs    obsLoop
	eta    [][]float64 // η_1 … η_K of the last evaluation (eta[0] unused)
	lam    []float64
	tmp    []float64
	tmp2   []float64
	jb, jq float64
	jo     float64

	grad, z []float64 // FuncGrad's arguments while the reverse sweep runs
}

var _ adjoint.Forcing = (*Weak)(nil)

// NewWeak returns the weak-constraint cost of w with model-error covariance q. It panics if
// the shapes are inconsistent or w estimates parameters.
func NewWeak(w *Window, q Covariance) *Weak {
	w.check("NewWeak")
	if w.Pb != nil {
		panic("fourdvar: NewWeak: parameter estimation is not supported by the weak-constraint cost")
	}
	n := w.Model.Dim()
	if q == nil || q.Dim() != n {
		panic(fmt.Sprintf("fourdvar: NewWeak: Q missing or of the wrong size for model dimension %d", n))
	}
	c := &Weak{W: w, Q: q, n: n}
	c.obs.init(w)
	buf := make([]float64, (w.Steps+1)*n)
	c.eta = make([][]float64, w.Steps+1)
	for k := range c.eta {
		c.eta[k] = buf[k*n : (k+1)*n : (k+1)*n]
	}
	c.lam = make([]float64, n)
	c.tmp = make([]float64, n)
	c.tmp2 = make([]float64, n)
	return c
}

// Len returns (K+1)·Dim().
func (c *Weak) Len() int { return (c.W.Steps + 1) * c.n }

func (c *Weak) checkLen(op string, z []float64) {
	if len(z) != c.Len() {
		panic(fmt.Sprintf("fourdvar: Weak.%s: control vector of length %d, want %d", op, len(z), c.Len()))
	}
}

// Background writes the control vector of the background: zero, or (x_b, 0, …, 0) with
// StateControl.
func (c *Weak) Background(z []float64) {
	c.checkLen("Background", z)
	clear(z)
	if c.StateControl {
		copy(z, c.W.Xb)
	}
}

// Initial writes into x0 the initial state that z stands for.
func (c *Weak) Initial(x0, z []float64) {
	c.checkLen("Initial", z)
	if c.StateControl {
		copy(x0, z[:c.n])
		return
	}
	c.W.B.SqrtMul(x0, z[:c.n])
	for i, b := range c.W.Xb {
		x0[i] += b
	}
}

// Trajectory returns the states x_0 … x_K of the last evaluation, owned by c, recomputed
// when the checkpointing policy did not keep them.
func (c *Weak) Trajectory() [][]float64 { return c.obs.trajectory() }

// Err returns why the last evaluation's J was NaN: the time loop's error naming the step at
// which a state, a cost term or an adjoint became non-finite; nil after a finite one.
func (c *Weak) Err() error { return c.obs.err }

// Terms returns J_b, J_q and J_o of the last evaluation.
func (c *Weak) Terms() (jb, jq, jo float64) { return c.jb, c.jq, c.jo }

// penalty returns ½‖C^{-1/2} z‖² under StateControl (x − ref) or ½‖z‖², and writes the
// physical vector into x: ref + C^{1/2} z, or z itself.
func (c *Weak) penalty(x, z, ref []float64, cov Covariance) float64 {
	if c.StateControl {
		copy(x, z)
		whiten(c.tmp2, c.tmp, z, ref, cov)
		return 0.5 * dot(c.tmp2, c.tmp2)
	}
	fromControl(x, z, ref, cov)
	return 0.5 * dot(z, z)
}

// start sets x_0 and η_1 … η_K from z and computes J_b and J_q.
func (c *Weak) start(z []float64) {
	w := c.W
	n := c.n
	c.jb = c.penalty(c.obs.x0, z[:n], w.Xb, w.B)
	c.jq = 0
	for k := 1; k <= w.Steps; k++ {
		c.jq += c.penalty(c.eta[k], z[k*n:(k+1)*n], nil, c.Q)
	}
}

// Add adds the model error η_k to the state x_k: Weak is the loop's forcing.
func (c *Weak) Add(k int, x []float64) {
	for i, e := range c.eta[k] {
		x[i] += e
	}
}

// Adjoint receives λ_k = x̃_k in FuncGrad's reverse sweep and writes the gradient block of
// the k-th control, w_k + Q^{1/2} λ_k (v + B^{1/2} λ_0 for k = 0; Q⁻¹η_k + λ_k with
// StateControl).
func (c *Weak) Adjoint(k int, lam []float64) {
	if c.grad == nil {
		return
	}
	w := c.W
	n := c.n
	g := c.grad[k*n : (k+1)*n]
	zk := c.z[k*n : (k+1)*n]
	cov := c.Q
	var ref []float64
	if k == 0 {
		cov, ref = w.B, w.Xb
	}
	if c.StateControl {
		copy(g, lam)
		addPrecision(g, c.tmp, c.tmp2, zk, ref, cov)
	} else {
		cov.SqrtMul(g, lam)
		for i, v := range zk {
			g[i] += v
		}
	}
}

// Func returns J(z).
func (c *Weak) Func(z []float64) float64 {
	c.checkLen("Func", z)
	c.start(z)
	c.jo = c.obs.value(c.Checkpoint, c)
	return c.jb + c.jq + c.jo
}

// FuncGrad returns J(z) and writes ∇J(z) into grad by one forward and one adjoint
// integration. The adjoint λ_k of x_k gives the gradient of the k-th model-error block,
// w_k + Q^{1/2} λ_k, as it passes.
func (c *Weak) FuncGrad(grad, z []float64) float64 {
	c.checkLen("FuncGrad", z)
	if len(grad) != len(z) {
		panic(fmt.Sprintf("fourdvar: Weak.FuncGrad: gradient of length %d, want %d", len(grad), len(z)))
	}
	c.start(z)
	c.grad, c.z = grad, z
	c.jo = c.obs.gradient(c.lam, nil, c.Checkpoint, c)
	c.grad, c.z = nil, nil
	if c.obs.err != nil {
		for i := range grad {
			grad[i] = math.NaN()
		}
		return math.NaN()
	}
	return c.jb + c.jq + c.jo
}

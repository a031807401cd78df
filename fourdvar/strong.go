package fourdvar

import (
	"fmt"
	"math"

	"github.com/adjunto/adjunto/adjoint"
)

// Cost is a variational cost function of a control vector z, with its gradient by one adjoint
// integration. It is what optimize.Problem needs.
type Cost interface {
	// Len returns the length of the control vector.
	Len() int
	// Func returns J(z): one forward integration.
	Func(z []float64) float64
	// FuncGrad returns J(z) and writes ∇J(z) into grad: one forward and one adjoint
	// integration.
	FuncGrad(grad, z []float64) float64
	// Background writes into z the control vector of the background, where minimisation
	// starts.
	Background(z []float64)
	// Initial writes into x0 the state at step 0 that z stands for.
	Initial(x0, z []float64)
}

var (
	_ Cost = (*Strong)(nil)
	_ Cost = (*Weak)(nil)
)

// Strong is the strong-constraint 4DVar cost of a Window: the model is taken as perfect, so
// the trajectory is determined by the state x_0 at the window's start (and by the model
// parameters p when they are estimated):
//
//	J(x_0) = ½ (x_0 − x_b)ᵀ B⁻¹ (x_0 − x_b) + ½ Σ_k (y_k − H_k(x_k))ᵀ R_k⁻¹ (y_k − H_k(x_k)),
//	x_k = M(x_{k−1}).
//
// By default the control vector is v with x_0 = x_b + B^{1/2} v (the control-variable
// transform), so J_b = ½ vᵀv and B⁻¹ is never needed; with the parameters it is (v, w) with
// p = p_b + B_p^{1/2} w. With StateControl it is (x_0, p) itself.
//
// The observation term runs on the engine's time loop, adjoint.Loop, under the
// checkpointing policy Checkpoint. A Strong keeps the initial state of its last evaluation,
// about whose trajectory JacVec, JacTVec and GaussNewtonVec linearise (recomputing the
// states that the policy does not store). It sets the model's parameters when it estimates
// them. It is not safe for concurrent use.
type Strong struct {
	// W is the window. Do not change its shapes after NewStrong; values (Xb, observation
	// values and sigmas) may change between evaluations.
	W *Window
	// StateControl selects the control vector (x_0, p) instead of the transformed (v, w);
	// J_b then uses B^{-1/2}. The default (false) is the control-variable transform.
	StateControl bool
	// Checkpoint is the checkpointing policy of the adjoint sweeps: which states of the
	// window are stored and which recomputed. Every policy gives the same J and gradient
	// to the last bit. Nil means adjoint.StoreAll, the fastest; adjoint.Revolve holds a
	// few states whatever the window's length.
	Checkpoint adjoint.Policy

	n, np int
	obs   obsLoop

	views     [][]float64 // per-batch windows of JacTVec's input
	lastZ     []float64   // the control vector of the last evaluation
	gnScratch []float64   // HessVec's observation-space scratch
	lam       []float64
	lamPrev   []float64
	xk, xk1   []float64 // states stepped beside JacVec's tangent when the trajectory is not kept
	ap        []float64
	p         []float64
	tmp       []float64
	tmp2      []float64
	dp        []float64
	tp1       []float64
	tp2       []float64
	jb, jo    float64
}

// NewStrong returns the strong-constraint cost of w. It panics if the shapes of w are
// inconsistent.
func NewStrong(w *Window) *Strong {
	w.check("NewStrong")
	c := &Strong{W: w, n: w.Model.Dim()}
	if w.Pb != nil {
		c.np = len(w.Pb)
	}
	c.init()
	return c
}

func (c *Strong) init() {
	n := c.n
	c.obs.init(c.W)
	c.lam = make([]float64, n)
	c.lamPrev = make([]float64, n)
	c.tmp = make([]float64, n)
	c.tmp2 = make([]float64, n)
	if c.np > 0 {
		c.ap = make([]float64, c.np)
		c.p = make([]float64, c.np)
		c.dp = make([]float64, c.np)
		c.tp1 = make([]float64, c.np)
		c.tp2 = make([]float64, c.np)
	}
}

// Len returns the size of the control vector: Model.Dim(), plus the number of parameters
// when they are estimated.
func (c *Strong) Len() int { return c.n + c.np }

// NumObs returns the number of scalar observations, the length of JacVec's output.
func (c *Strong) NumObs() int { return c.obs.m }

func (c *Strong) checkLen(op string, z []float64) {
	if len(z) != c.Len() {
		panic(fmt.Sprintf("fourdvar: Strong.%s: control vector of length %d, want %d", op, len(z), c.Len()))
	}
}

// Background writes the control vector of the background: zero with the control-variable
// transform, (x_b, p_b) with StateControl.
func (c *Strong) Background(z []float64) {
	c.checkLen("Background", z)
	if !c.StateControl {
		clear(z)
		return
	}
	copy(z, c.W.Xb)
	copy(z[c.n:], c.W.Pb)
}

// Initial writes into x0 the initial state that z stands for.
func (c *Strong) Initial(x0, z []float64) {
	c.checkLen("Initial", z)
	if len(x0) != c.n {
		panic(fmt.Sprintf("fourdvar: Strong.Initial: state of length %d, want %d", len(x0), c.n))
	}
	if c.StateControl {
		copy(x0, z[:c.n])
		return
	}
	fromControl(x0, z[:c.n], c.W.Xb, c.W.B)
}

// Params writes into p the model parameters that z stands for; it panics when the
// parameters are not estimated.
func (c *Strong) Params(p, z []float64) {
	c.checkLen("Params", z)
	if c.np == 0 || len(p) != c.np {
		panic(fmt.Sprintf("fourdvar: Strong.Params: %d parameters estimated, destination of length %d", c.np, len(p)))
	}
	if c.StateControl {
		copy(p, z[c.n:])
		return
	}
	fromControl(p, z[c.n:], c.W.Pb, c.W.BP)
}

// Trajectory returns the states x_0 … x_K of the last evaluation, recomputed from x_0 when
// the checkpointing policy did not keep them. The slices are owned by c and overwritten by
// the next evaluation.
func (c *Strong) Trajectory() [][]float64 { return c.obs.trajectory() }

// Err returns why the last evaluation's J was NaN: the time loop's error naming the step at
// which a state, a cost term or an adjoint became non-finite; nil after a finite one.
func (c *Strong) Err() error { return c.obs.err }

// Terms returns the background and observation terms J_b and J_o of the last evaluation.
func (c *Strong) Terms() (jb, jo float64) { return c.jb, c.jo }

// start sets x_0 and the model parameters from z and returns J_b.
func (c *Strong) start(z []float64) float64 {
	w := c.W
	n := c.n
	x0 := c.obs.x0
	c.lastZ = append(c.lastZ[:0], z...)
	c.jb = 0
	if c.StateControl {
		copy(x0, z[:n])
		whiten(c.tmp2, c.tmp, x0, w.Xb, w.B)
		c.jb = 0.5 * dot(c.tmp2, c.tmp2)
	} else {
		v := z[:n]
		fromControl(x0, v, w.Xb, w.B)
		c.jb = 0.5 * dot(v, v)
	}
	if c.np > 0 {
		c.jb += c.paramForward(z[n:])
		w.Model.SetParams(c.p)
	}
	return c.jb
}

// forward evaluates J at z and keeps the adjoint forcings.
func (c *Strong) forward(z []float64) float64 {
	c.start(z)
	c.jo = c.obs.value(c.Checkpoint, nil)
	return c.jb + c.jo
}

func (c *Strong) paramForward(zp []float64) float64 {
	w := c.W
	if c.StateControl {
		copy(c.p, zp)
		whiten(c.tp2, c.tp1, zp, w.Pb, w.BP)
		return 0.5 * dot(c.tp2, c.tp2)
	}
	fromControl(c.p, zp, w.Pb, w.BP)
	return 0.5 * dot(zp, zp)
}

// Func returns J(z).
func (c *Strong) Func(z []float64) float64 {
	c.checkLen("Func", z)
	return c.forward(z)
}

// FuncGrad returns J(z) and writes ∇J(z) into grad, by one forward integration and one
// adjoint integration backward through the window:
//
//	λ_K = H_Kᵀ R_K⁻¹ (H_K(x_K) − y_K),
//	λ_{k−1} = M'(x_{k−1})ᵀ λ_k + H_{k−1}ᵀ R_{k−1}⁻¹ (H_{k−1}(x_{k−1}) − y_{k−1}),
//	∇_v J = v + B^{1/2} λ_0,   ∇_w J = w + B_p^{1/2} Σ_k M_p(x_{k−1})ᵀ λ_k.
func (c *Strong) FuncGrad(grad, z []float64) float64 {
	c.checkLen("FuncGrad", z)
	if len(grad) != len(z) {
		panic(fmt.Sprintf("fourdvar: Strong.FuncGrad: gradient of length %d, want %d", len(grad), len(z)))
	}
	c.start(z)
	c.jo = c.obs.gradient(c.lam, c.ap, c.Checkpoint, nil)
	if c.obs.err != nil {
		for i := range grad {
			grad[i] = math.NaN()
		}
		return math.NaN()
	}
	c.gradient(grad, z)
	return c.jb + c.jo
}

// gradient sets grad = ∇J_b(z) + Tᵀ (λ_0, a_p), T being the map from z to (x_0, p).
func (c *Strong) gradient(grad, z []float64) {
	w := c.W
	n := c.n
	c.pullBack(grad, c.lam, c.ap)
	if c.StateControl {
		addPrecision(grad[:n], c.tmp, c.tmp2, z[:n], w.Xb, w.B)
		if c.np > 0 {
			addPrecision(grad[n:], c.tp1, c.tp2, z[n:], w.Pb, w.BP)
		}
		return
	}
	for i, v := range z {
		grad[i] += v
	}
}

// pullBack sets dz = Tᵀ (ax, ap): the adjoint of the map from the control vector to the
// initial state and parameters.
func (c *Strong) pullBack(dz, ax, ap []float64) {
	n := c.n
	if c.StateControl {
		copy(dz[:n], ax)
		if c.np > 0 {
			copy(dz[n:], ap)
		}
		return
	}
	c.W.B.SqrtMul(dz[:n], ax)
	if c.np > 0 {
		c.W.BP.SqrtMul(dz[n:], ap)
	}
}

// Linearize evaluates J at z and keeps the trajectory, about which JacVec, JacTVec and
// GaussNewtonVec then linearise. It returns J(z).
func (c *Strong) Linearize(z []float64) float64 { return c.Func(z) }

// JacVec sets dy = G dz, where G = R^{-1/2} H' M' T is the Jacobian of the whitened
// observation misfits R^{-1/2}(H_k(x_k) − y_k), stacked batch after batch, with respect to
// the control vector, about the trajectory of the last evaluation: one tangent-linear
// integration. len(dy) = NumObs().
func (c *Strong) JacVec(dy, dz []float64) {
	c.checkLen("JacVec", dz)
	if len(dy) != c.obs.m {
		panic(fmt.Sprintf("fourdvar: Strong.JacVec: output of length %d, want %d observations", len(dy), c.obs.m))
	}
	w := c.W
	n := c.n
	dx := c.lam // c.lam and c.lamPrev are scratch outside an adjoint sweep
	dxn := c.lamPrev
	var dp []float64
	if c.StateControl {
		copy(dx, dz[:n])
		if c.np > 0 {
			dp = c.dp
			copy(dp, dz[n:])
		}
	} else {
		w.B.SqrtMul(dx, dz[:n])
		if c.np > 0 {
			dp = c.dp
			w.BP.SqrtMul(dp, dz[n:])
		}
	}
	// The states come from the kept trajectory, or are stepped beside the tangent.
	var traj [][]float64
	var x, xn []float64
	if c.obs.valid {
		traj = c.obs.traj
	} else {
		if c.xk == nil {
			c.xk, c.xk1 = make([]float64, n), make([]float64, n)
		}
		x, xn = c.xk, c.xk1
		copy(x, c.obs.x0)
	}
	for k := 0; k <= w.Steps; k++ {
		if traj != nil {
			x = traj[k]
		}
		for _, i := range c.obs.steps[k] {
			b := &w.Obs[i]
			out := dy[c.obs.offsets[i] : c.obs.offsets[i]+b.Len()]
			b.H.Tangent(out, x, dx)
			for j, s := range b.Sigma {
				out[j] /= s
			}
		}
		if k < w.Steps {
			w.Model.StepTangent(dxn, x, dx, dp)
			dx, dxn = dxn, dx
			if traj == nil {
				w.Model.Step(xn, x)
				x, xn = xn, x
			}
		}
	}
}

// JacTVec sets dz = Gᵀ dy, the adjoint of JacVec: one adjoint integration.
func (c *Strong) JacTVec(dz, dy []float64) {
	c.checkLen("JacTVec", dz)
	if len(dy) != c.obs.m {
		panic(fmt.Sprintf("fourdvar: Strong.JacTVec: input of length %d, want %d observations", len(dy), c.obs.m))
	}
	if c.views == nil {
		c.views = make([][]float64, len(c.W.Obs))
	}
	for i := range c.W.Obs {
		c.views[i] = dy[c.obs.offsets[i] : c.obs.offsets[i]+c.W.Obs[i].Len()]
	}
	c.obs.adjointOf(c.lam, c.ap, c.views, c.Checkpoint, nil)
	clear(c.views) // keep no reference to the caller's dy
	c.pullBack(dz, c.lam, c.ap)
}

// GaussNewtonVec sets dst = (H_b + Gᵀ G) u, the Gauss-Newton approximation of the Hessian of
// J about the last evaluation times u; H_b = I with the control-variable transform and
// blockdiag(B⁻¹, B_p⁻¹) with StateControl. It is the operator of incremental 4DVar's inner
// loop: I + B^{1/2} Σ M'ᵀ H'ᵀ R⁻¹ H' M' B^{1/2}. scratch must have length NumObs().
func (c *Strong) GaussNewtonVec(dst, u, scratch []float64) {
	c.JacVec(scratch, u)
	c.JacTVec(dst, scratch)
	if !c.StateControl {
		for i, v := range u {
			dst[i] += v
		}
		return
	}
	n := c.n
	addPrecision(dst[:n], c.tmp2, c.tmp, u[:n], nil, c.W.B)
	if c.np > 0 {
		addPrecision(dst[n:], c.tp2, c.tp1, u[n:], nil, c.W.BP)
	}
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Misfit evaluates J at z, keeps the trajectory, and writes into dst the whitened misfits
// R^{-1/2}(H_k(x_k) − y_k), stacked batch after batch: the map whose Jacobian JacVec
// applies, so that J = J_b + ½‖Misfit‖². len(dst) = NumObs().
func (c *Strong) Misfit(dst, z []float64) float64 {
	c.checkLen("Misfit", z)
	if len(dst) != c.obs.m {
		panic(fmt.Sprintf("fourdvar: Strong.Misfit: output of length %d, want %d observations", len(dst), c.obs.m))
	}
	j := c.forward(z)
	for i := range c.W.Obs {
		for k, s := range c.W.Obs[i].Sigma {
			dst[c.obs.offsets[i]+k] = c.obs.resid[i][k] * s
		}
	}
	return j
}

// Temporary: the store-everything adjoint loop that Strong had before it ran on
// adjoint.Loop, kept only to benchmark the old path against the new one in the same run.

package fourdvar

import "fmt"

// oldStrong is the strong-constraint 4DVar cost of a Window: the model is taken as perfect, so
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
// A oldStrong keeps the trajectory of its last evaluation, which JacVec, JacTVec and
// GaussNewtonVec linearise about. It sets the model's parameters when it estimates them.
// It is not safe for concurrent use.
type oldStrong struct {
	// W is the window. Do not change its shapes after newOldStrong; values (Xb, observation
	// values and sigmas) may change between evaluations.
	W *Window
	// StateControl selects the control vector (x_0, p) instead of the transformed (v, w);
	// J_b then uses B^{-1/2}. The default (false) is the control-variable transform.
	StateControl bool

	n, np   int
	steps   [][]int
	offsets []int // offsets[b] is where batch b starts in an observation-space vector
	m       int   // number of scalar observations

	traj    [][]float64
	resid   [][]float64 // (H(x) − y)/σ² per batch, the adjoint forcing
	views   [][]float64 // per-batch windows of JacTVec's input
	hy      []float64   // scratch in observation space, one batch long at most
	lam     []float64
	lamPrev []float64
	ap      []float64
	p       []float64
	tmp     []float64
	tmp2    []float64
	dp      []float64
	tp1     []float64
	tp2     []float64
	jb, jo  float64
}

// newOldStrong returns the strong-constraint cost of w. It panics if the shapes of w are
// inconsistent.
func newOldStrong(w *Window) *oldStrong {
	w.check("newOldStrong")
	c := &oldStrong{W: w, n: w.Model.Dim()}
	if w.Pb != nil {
		c.np = len(w.Pb)
	}
	c.init()
	return c
}

func (c *oldStrong) init() {
	w := c.W
	n := c.n
	c.steps = w.byStep()
	c.offsets = make([]int, len(w.Obs))
	maxOut := 0
	for i := range w.Obs {
		c.offsets[i] = c.m
		c.m += w.Obs[i].Len()
		maxOut = max(maxOut, w.Obs[i].Len())
	}
	buf := make([]float64, (w.Steps+1)*n)
	c.traj = make([][]float64, w.Steps+1)
	for k := range c.traj {
		c.traj[k] = buf[k*n : (k+1)*n : (k+1)*n]
	}
	rbuf := make([]float64, c.m)
	c.resid = make([][]float64, len(w.Obs))
	for i := range w.Obs {
		c.resid[i] = rbuf[c.offsets[i] : c.offsets[i]+w.Obs[i].Len()]
	}
	c.hy = make([]float64, maxOut)
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
func (c *oldStrong) Len() int { return c.n + c.np }

// NumObs returns the number of scalar observations, the length of JacVec's output.
func (c *oldStrong) NumObs() int { return c.m }

func (c *oldStrong) checkLen(op string, z []float64) {
	if len(z) != c.Len() {
		panic(fmt.Sprintf("fourdvar: oldStrong.%s: control vector of length %d, want %d", op, len(z), c.Len()))
	}
}

// Background writes the control vector of the background: zero with the control-variable
// transform, (x_b, p_b) with StateControl.
func (c *oldStrong) Background(z []float64) {
	c.checkLen("Background", z)
	if !c.StateControl {
		clear(z)
		return
	}
	copy(z, c.W.Xb)
	copy(z[c.n:], c.W.Pb)
}

// Initial writes into x0 the initial state that z stands for.
func (c *oldStrong) Initial(x0, z []float64) {
	c.checkLen("Initial", z)
	if len(x0) != c.n {
		panic(fmt.Sprintf("fourdvar: oldStrong.Initial: state of length %d, want %d", len(x0), c.n))
	}
	if c.StateControl {
		copy(x0, z[:c.n])
		return
	}
	c.W.B.SqrtMul(x0, z[:c.n])
	for i, b := range c.W.Xb {
		x0[i] += b
	}
}

// Params writes into p the model parameters that z stands for; it panics when the
// parameters are not estimated.
func (c *oldStrong) Params(p, z []float64) {
	c.checkLen("Params", z)
	if c.np == 0 || len(p) != c.np {
		panic(fmt.Sprintf("fourdvar: oldStrong.Params: %d parameters estimated, destination of length %d", c.np, len(p)))
	}
	if c.StateControl {
		copy(p, z[c.n:])
		return
	}
	c.W.BP.SqrtMul(p, z[c.n:])
	for i, b := range c.W.Pb {
		p[i] += b
	}
}

// Trajectory returns the states x_0 … x_K of the last evaluation. The slices are owned by c
// and overwritten by the next evaluation.
func (c *oldStrong) Trajectory() [][]float64 { return c.traj }

// Terms returns the background and observation terms J_b and J_o of the last evaluation.
func (c *oldStrong) Terms() (jb, jo float64) { return c.jb, c.jo }

// forward evaluates J at z and keeps the trajectory and the adjoint forcings.
func (c *oldStrong) forward(z []float64) float64 {
	w := c.W
	n := c.n
	x0 := c.traj[0]
	c.jb = 0
	if c.StateControl {
		copy(x0, z[:n])
		for i := range n {
			c.tmp[i] = x0[i] - w.Xb[i]
		}
		w.B.SqrtSolve(c.tmp2, c.tmp)
		c.jb = 0.5 * dot(c.tmp2, c.tmp2)
	} else {
		v := z[:n]
		w.B.SqrtMul(x0, v)
		for i, b := range w.Xb {
			x0[i] += b
		}
		c.jb = 0.5 * dot(v, v)
	}
	if c.np > 0 {
		c.jb += c.paramForward(z[n:])
		w.Model.SetParams(c.p)
	}
	for k := 1; k <= w.Steps; k++ {
		w.Model.Step(c.traj[k], c.traj[k-1])
	}
	c.jo = 0
	for i := range w.Obs {
		b := &w.Obs[i]
		r := c.resid[i]
		b.H.Apply(r, c.traj[b.Step])
		for j, y := range b.Y {
			s := b.Sigma[j]
			d := r[j] - y
			c.jo += 0.5 * (d / s) * (d / s)
			r[j] = d / (s * s)
		}
	}
	return c.jb + c.jo
}

func (c *oldStrong) paramForward(zp []float64) float64 {
	w := c.W
	if c.StateControl {
		copy(c.p, zp)
		for i := range c.tp1 {
			c.tp1[i] = zp[i] - w.Pb[i]
		}
		w.BP.SqrtSolve(c.tp2, c.tp1)
		return 0.5 * dot(c.tp2, c.tp2)
	}
	w.BP.SqrtMul(c.p, zp)
	for i, b := range w.Pb {
		c.p[i] += b
	}
	return 0.5 * dot(zp, zp)
}

// Func returns J(z).
func (c *oldStrong) Func(z []float64) float64 {
	c.checkLen("Func", z)
	return c.forward(z)
}

// FuncGrad returns J(z) and writes ∇J(z) into grad, by one forward integration and one
// adjoint integration backward through the window:
//
//	λ_K = H_Kᵀ R_K⁻¹ (H_K(x_K) − y_K),
//	λ_{k−1} = M'(x_{k−1})ᵀ λ_k + H_{k−1}ᵀ R_{k−1}⁻¹ (H_{k−1}(x_{k−1}) − y_{k−1}),
//	∇_v J = v + B^{1/2} λ_0,   ∇_w J = w + B_p^{1/2} Σ_k M_p(x_{k−1})ᵀ λ_k.
func (c *oldStrong) FuncGrad(grad, z []float64) float64 {
	c.checkLen("FuncGrad", z)
	if len(grad) != len(z) {
		panic(fmt.Sprintf("fourdvar: oldStrong.FuncGrad: gradient of length %d, want %d", len(grad), len(z)))
	}
	f := c.forward(z)
	c.sweepBack(c.resid, false)
	c.gradient(grad, z)
	return f
}

// sweepBack runs the adjoint model backward through the window with forcings f (one slice
// per batch, in observation space) applied as H_kᵀ f at each batch's step; scaled divides
// each forcing by σ first (JacTVec). Afterwards c.lam holds λ_0 and c.ap Σ M_pᵀ λ_k.
func (c *oldStrong) sweepBack(f [][]float64, scaled bool) {
	w := c.W
	clear(c.lam)
	if c.np > 0 {
		clear(c.ap)
	}
	var ap []float64
	if c.np > 0 {
		ap = c.ap
	}
	for k := w.Steps; k >= 0; k-- {
		for _, i := range c.steps[k] {
			b := &w.Obs[i]
			fi := f[i]
			if scaled {
				hy := c.hy[:len(fi)]
				for j, v := range fi {
					hy[j] = v / b.Sigma[j]
				}
				fi = hy
			}
			b.H.Adjoint(c.lam, c.traj[k], fi)
		}
		if k > 0 {
			clear(c.lamPrev)
			w.Model.StepAdjoint(c.lamPrev, ap, c.traj[k-1], c.lam)
			c.lam, c.lamPrev = c.lamPrev, c.lam
		}
	}
}

// gradient sets grad = ∇J_b(z) + Tᵀ (λ_0, a_p), T being the map from z to (x_0, p).
func (c *oldStrong) gradient(grad, z []float64) {
	w := c.W
	n := c.n
	c.pullBack(grad, c.lam, c.ap)
	if c.StateControl {
		for i := range n {
			c.tmp[i] = z[i] - w.Xb[i]
		}
		w.B.SqrtSolve(c.tmp2, c.tmp)
		w.B.SqrtSolve(c.tmp, c.tmp2)
		for i := range n {
			grad[i] += c.tmp[i]
		}
		if c.np > 0 {
			zp := z[n:]
			for i := range c.tp1 {
				c.tp1[i] = zp[i] - w.Pb[i]
			}
			w.BP.SqrtSolve(c.tp2, c.tp1)
			w.BP.SqrtSolve(c.tp1, c.tp2)
			for i, v := range c.tp1 {
				grad[n+i] += v
			}
		}
		return
	}
	for i, v := range z {
		grad[i] += v
	}
}

// pullBack sets dz = Tᵀ (ax, ap): the adjoint of the map from the control vector to the
// initial state and parameters.
func (c *oldStrong) pullBack(dz, ax, ap []float64) {
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
func (c *oldStrong) Linearize(z []float64) float64 { return c.Func(z) }

// JacVec sets dy = G dz, where G = R^{-1/2} H' M' T is the Jacobian of the whitened
// observation misfits R^{-1/2}(H_k(x_k) − y_k), stacked batch after batch, with respect to
// the control vector, about the trajectory of the last evaluation: one tangent-linear
// integration. len(dy) = NumObs().
func (c *oldStrong) JacVec(dy, dz []float64) {
	c.checkLen("JacVec", dz)
	if len(dy) != c.m {
		panic(fmt.Sprintf("fourdvar: oldStrong.JacVec: output of length %d, want %d observations", len(dy), c.m))
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
	for k := 0; k <= w.Steps; k++ {
		for _, i := range c.steps[k] {
			b := &w.Obs[i]
			out := dy[c.offsets[i] : c.offsets[i]+b.Len()]
			b.H.Tangent(out, c.traj[k], dx)
			for j, s := range b.Sigma {
				out[j] /= s
			}
		}
		if k < w.Steps {
			w.Model.StepTangent(dxn, c.traj[k], dx, dp)
			dx, dxn = dxn, dx
		}
	}
}

// JacTVec sets dz = Gᵀ dy, the adjoint of JacVec: one adjoint integration.
func (c *oldStrong) JacTVec(dz, dy []float64) {
	c.checkLen("JacTVec", dz)
	if len(dy) != c.m {
		panic(fmt.Sprintf("fourdvar: oldStrong.JacTVec: input of length %d, want %d observations", len(dy), c.m))
	}
	if c.views == nil {
		c.views = make([][]float64, len(c.W.Obs))
	}
	for i := range c.W.Obs {
		c.views[i] = dy[c.offsets[i] : c.offsets[i]+c.W.Obs[i].Len()]
	}
	c.sweepBack(c.views, true)
	clear(c.views) // keep no reference to the caller's dy
	c.pullBack(dz, c.lam, c.ap)
}

// GaussNewtonVec sets dst = (H_b + Gᵀ G) u, the Gauss-Newton approximation of the Hessian of
// J about the last evaluation times u; H_b = I with the control-variable transform and
// blockdiag(B⁻¹, B_p⁻¹) with StateControl. It is the operator of incremental 4DVar's inner
// loop: I + B^{1/2} Σ M'ᵀ H'ᵀ R⁻¹ H' M' B^{1/2}. scratch must have length NumObs().
func (c *oldStrong) GaussNewtonVec(dst, u, scratch []float64) {
	c.JacVec(scratch, u)
	c.JacTVec(dst, scratch)
	if !c.StateControl {
		for i, v := range u {
			dst[i] += v
		}
		return
	}
	n := c.n
	c.W.B.SqrtSolve(c.tmp, u[:n])
	c.W.B.SqrtSolve(c.tmp2, c.tmp)
	for i := range n {
		dst[i] += c.tmp2[i]
	}
	if c.np > 0 {
		c.W.BP.SqrtSolve(c.tp1, u[n:])
		c.W.BP.SqrtSolve(c.tp2, c.tp1)
		for i, v := range c.tp2 {
			dst[n+i] += v
		}
	}
}

// Misfit evaluates J at z, keeps the trajectory, and writes into dst the whitened misfits
// R^{-1/2}(H_k(x_k) − y_k), stacked batch after batch: the map whose Jacobian JacVec
// applies, so that J = J_b + ½‖Misfit‖². len(dst) = NumObs().
func (c *oldStrong) Misfit(dst, z []float64) float64 {
	c.checkLen("Misfit", z)
	if len(dst) != c.m {
		panic(fmt.Sprintf("fourdvar: oldStrong.Misfit: output of length %d, want %d observations", len(dst), c.m))
	}
	j := c.forward(z)
	for i := range c.W.Obs {
		for k, s := range c.W.Obs[i].Sigma {
			dst[c.offsets[i]+k] = c.resid[i][k] * s
		}
	}
	return j
}

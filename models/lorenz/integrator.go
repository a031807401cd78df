package lorenz

// field is the right-hand side f(x; p) of dx/dt = f(x; p) with its hand-written (fused)
// kernels. The integrator calls each kernel once per stage, so a kernel also does the
// stage's vector update in the same pass over memory.
type field interface {
	// eval sets k = f(x) and, when next is not nil, next = base + h·k. k may be nil when next
	// is not: the stage state alone is wanted.
	eval(k, next, x, base []float64, h float64)

	// last sets y = x + dt6·(((k1 + 2 k2) + 2 k3) + f(x4)), the fourth RK4 stage and the
	// combination in one pass.
	last(y, x4, x, k1, k2, k3 []float64, dt6 float64)

	// tangent sets, when k is not nil, k = f(x) and, when next is not nil too,
	// next = base + h·k; and it sets the tangent dk = f_x(x)·dx + f_p·dp (dp nil: zero)
	// and, when dnext is not nil, dnext = dbase + h·dk.
	tangent(k, next, dk, dnext, x, base, dx, dbase, dp []float64, h float64)

	// adjoint computes w = s·f_x(x)ᵀ g, accumulates ap += s·f_pᵀ g (ap nil: skipped) and
	// ax += w + e·ay, and, when gnext is not nil, sets gnext = c·ay + h·w.
	adjoint(ax, gnext, ap, x, g, ay []float64, s, c, h, e float64)
}

// integrator holds the scratch buffers of one model's RK4 and Euler steps and their TL and
// AD, so that a step allocates nothing once the buffers exist.
type integrator struct {
	n              int
	k1, k2, k3     []float64 // stage slopes (the fourth is folded into the combination)
	x2, x3, x4     []float64 // stage states
	d1, d2, d3, d4 []float64 // stage slope tangents
	dx2, dx3, dx4  []float64 // stage state tangents
	g1, g2, g3     []float64 // stage slope adjoints
	flat           []float64
}

func (w *integrator) ensure(n int) {
	if w.n == n && w.flat != nil {
		return
	}
	w.n = n
	w.flat = make([]float64, 16*n)
	bufs := []*[]float64{
		&w.k1, &w.k2, &w.k3, &w.x2, &w.x3, &w.x4,
		&w.d1, &w.d2, &w.d3, &w.d4, &w.dx2, &w.dx3, &w.dx4,
		&w.g1, &w.g2, &w.g3,
	}
	for i, b := range bufs {
		*b = w.flat[i*n : (i+1)*n : (i+1)*n]
	}
}

// step sets dst = M(x) for the scheme s with time step dt.
//
// The RK4 combination is evaluated as x + dt/6·(((k1 + 2k2) + 2k3) + k4), the same operations
// in the same order as the composed step, so that fused and composed trajectories agree to
// the last bit; on a chaotic attractor any other order would drift apart within a few
// hundred steps.
func (w *integrator) step(f field, s Integrator, dt float64, dst, x []float64) {
	w.ensure(len(x))
	w.stepStages(f, s, dt, dst, x, w.x2, w.x3, w.x4)
}

// stepStages is step with the RK4 stage states written to x2, x3 and x4.
func (w *integrator) stepStages(f field, s Integrator, dt float64, dst, x, x2, x3, x4 []float64) {
	if s == Euler {
		f.eval(w.k1, dst, x, x, dt)
		return
	}
	h, dt6 := dt/2, dt/6
	f.eval(w.k1, x2, x, x, h)
	f.eval(w.k2, x3, x2, x, h)
	f.eval(w.k3, x4, x3, x, dt)
	f.last(dst, x4, x, w.k1, w.k2, w.k3, dt6)
}

// tapeLen is the length of the tape of a step: the three RK4 stage states, nothing for Euler.
func tapeLen(s Integrator, n int) int {
	if s == Euler {
		return 0
	}
	return 3 * n
}

// stepTape is step saving the stage states in tape, bit for bit the ones stepAdjoint would
// recompute.
func (w *integrator) stepTape(f field, s Integrator, dt float64, dst, tape, x []float64) {
	w.ensure(len(x))
	if s == Euler {
		w.stepStages(f, s, dt, dst, x, nil, nil, nil)
		return
	}
	n := len(x)
	w.stepStages(f, s, dt, dst, x, tape[:n], tape[n:2*n], tape[2*n:3*n])
}

// stepTangent sets dy = M'(x)·dx + M_p(x)·dp.
func (w *integrator) stepTangent(f field, s Integrator, dt float64, dy, x, dx, dp []float64) {
	w.ensure(len(x))
	if s == Euler {
		f.tangent(nil, nil, w.d1, dy, x, nil, dx, dx, dp, dt)
		return
	}
	h, dt6 := dt/2, dt/6
	f.tangent(w.k1, w.x2, w.d1, w.dx2, x, x, dx, dx, dp, h)
	f.tangent(w.k2, w.x3, w.d2, w.dx3, w.x2, x, w.dx2, dx, dp, h)
	f.tangent(w.k3, w.x4, w.d3, w.dx4, w.x3, x, w.dx3, dx, dp, dt)
	f.tangent(nil, nil, w.d4, nil, w.x4, nil, w.dx4, nil, dp, 0)
	n := len(dx)
	d1, d2, d3, d4, dy := w.d1[:n], w.d2[:n], w.d3[:n], w.d4[:n], dy[:n]
	for i, v := range dx {
		dy[i] = v + dt6*(d1[i]+2*d2[i]+2*d3[i]+d4[i])
	}
}

// stepAdjoint accumulates ax += M'(x)ᵀ·ay and ap += M_p(x)ᵀ·ay. RK4 recomputes the stage
// states from x first (one forward step without the final combination), then runs the stages
// backwards:
//
//	k̃4 = dt/6·ỹ,  x̃4 = f_x(x4)ᵀ k̃4,  k̃3 = dt/3·ỹ + dt·x̃4,
//	x̃3 = f_x(x3)ᵀ k̃3,  k̃2 = dt/3·ỹ + dt/2·x̃3,
//	x̃2 = f_x(x2)ᵀ k̃2,  k̃1 = dt/6·ỹ + dt/2·x̃2,
//	x̃ += ỹ + x̃4 + x̃3 + x̃2 + f_x(x)ᵀ k̃1,
//
// with p̃ += Σ_j f_p(x_j)ᵀ k̃_j.
func (w *integrator) stepAdjoint(f field, s Integrator, dt float64, ax, ap, x, ay []float64) {
	w.ensure(len(x))
	if s == Euler {
		f.adjoint(ax, nil, ap, x, ay, ay, dt, 0, 0, 1)
		return
	}
	// The stage states only: their slopes are not needed by the adjoint.
	h := dt / 2
	f.eval(w.k1, w.x2, x, x, h)
	f.eval(w.k2, w.x3, w.x2, x, h)
	f.eval(nil, w.x4, w.x3, x, dt)
	w.adjointStages(f, dt, ax, ap, x, w.x2, w.x3, w.x4, ay)
}

// stepAdjointTape is stepAdjoint with the stage states read from a tape saved by stepTape.
func (w *integrator) stepAdjointTape(f field, s Integrator, dt float64, ax, ap, x, tape, ay []float64) {
	w.ensure(len(x))
	if s == Euler {
		f.adjoint(ax, nil, ap, x, ay, ay, dt, 0, 0, 1)
		return
	}
	n := len(x)
	w.adjointStages(f, dt, ax, ap, x, tape[:n], tape[n:2*n], tape[2*n:3*n], ay)
}

// adjointStages runs the four RK4 stages backwards from the stage states x2, x3, x4.
func (w *integrator) adjointStages(f field, dt float64, ax, ap, x, x2, x3, x4, ay []float64) {
	h, dt3, dt6 := dt/2, dt/3, dt/6
	f.adjoint(ax, w.g3, ap, x4, ay, ay, dt6, dt3, dt, 1)
	f.adjoint(ax, w.g2, ap, x3, w.g3, ay, 1, dt3, h, 0)
	f.adjoint(ax, w.g1, ap, x2, w.g2, ay, 1, dt6, h, 0)
	f.adjoint(ax, nil, ap, x, w.g1, ay, 1, 0, 0, 0)
}

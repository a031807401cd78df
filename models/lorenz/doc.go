// Package lorenz provides the Lorenz-63 and Lorenz-96 models, the dynamical systems that
// adjunto's 4DVar assimilates into, with their tangent-linear (TL) and adjoint (AD) models
// with respect to both the initial state and the model parameters.
//
// # The models
//
// Lorenz-63 (Lorenz 1963) is the three-variable convection model
//
//	dx/dt = σ (y − x),   dy/dt = x (ρ − z) − y,   dz/dt = x y − β z,
//
// chaotic for σ = 10, ρ = 28, β = 8/3: the butterfly. Lorenz-96 (Lorenz 1996) is a ring of
// N ≥ 4 variables with advection, damping and forcing,
//
//	dx_i/dt = (x_{i+1} − x_{i−2}) x_{i−1} − x_i + F,   indices mod N,
//
// chaotic for F = 8 with an error-doubling time of about 0.4 time units (0.05 time units
// being "6 hours"). The parameters p are (σ, ρ, β) and (F): 4DVar can estimate them too.
//
// # Time stepping
//
// A model step M maps x_k to x_{k+1} by forward Euler, x + dt f(x), or by classical RK4,
//
//	k1 = f(x),  k2 = f(x + dt/2 k1),  k3 = f(x + dt/2 k2),  k4 = f(x + dt k3),
//	M(x) = x + dt/6 (k1 + 2 k2 + 2 k3 + k4).
//
// The TL model of a step is δx_{k+1} = M'(x_k) δx_k + M_p(x_k) δp: the chain rule through
// the stages, δk1 = f_x(x) δx + f_p δp, δk2 = f_x(x2)(δx + dt/2 δk1) + f_p δp, and so on. The
// AD model is its transpose, run through the stages backwards:
//
//	x̃ += M'(x)ᵀ ỹ,   p̃ += M_p(x)ᵀ ỹ.
//
// Both need the stage states x2, x3, x4 of the step, which StepAdjoint recomputes from x (one
// forward step without the final sum): the memory of a long window is then one state per
// step, or fewer with the checkpointing of adjoint.Loop.
//
// # Fused and composed
//
// Each model has two implementations of the same step. The fused one (Step, StepTangent,
// StepAdjoint on *L63 and *L96) is hand-written: one pass over the state per stage, TL and AD
// derived on paper, no allocation once the scratch buffers exist — how operational adjoint
// models are written. The composed one (StepOn, and Composed, which replays it) records the
// step on an adjoint.Tape from the engine's primitives (Shift for the Lorenz-96 ring, a 1×1
// broadcast for the parameters) and lets the engine derive TL and AD. Its two pieces are
// exported so that every model recorded on a tape shares them: Integrator.StepOn, the one RK4
// (and Euler) step on a tape, and L96TendencyOn, the one composed Lorenz-96 tendency (package
// surrogate integrates its networks with the first and corrects the second).
//
// The fused step performs the composed step's floating-point operations in the same order
// and rounds after each one, so their trajectories agree to the last bit. That matters: on a
// chaotic attractor a one-ulp difference grows by e^{λt} and, for Lorenz-96 after 1000 steps
// of 0.05, would make the two linearisation trajectories unrelated. With equal trajectories
// the fused and composed derivatives differ only in how the chain rule's sums are ordered,
// ~1e-16 relative per step, and the tests prove them equal to 1e-12 over 1000 steps.
//
// # Verifying long windows
//
// The dot-product test ⟨M' δx, ỹ⟩ = ⟨δx, M'ᵀ ỹ⟩ is exact linear algebra and holds to round-off
// over any window. The Taylor test ‖M(x + α δx) − M(x)‖ / ‖α M' δx‖ → 1 does not: its remainder
// grows like the square of the error growth, so past a few e-foldings no α that float64 can
// resolve is small enough. The tests therefore run the Taylor, gradient and finite-difference
// checks on windows within the TL model's validity (about 1.5 time units for Lorenz-96), and
// show that beyond it the residual still falls at first order, as a correct TL model's must.
//
// # Concurrency
//
// Models own scratch buffers: a model value is not safe for concurrent use. Give each
// goroutine its own.
//
// # References
//
// E. N. Lorenz, Deterministic nonperiodic flow, J. Atmos. Sci. 20, 130–141, 1963.
//
// E. N. Lorenz, Predictability: a problem partly solved, Proc. ECMWF Seminar on
// Predictability, vol. 1, 1–18, 1996.
//
// O. Talagrand and P. Courtier, Variational assimilation of meteorological observations with
// the adjoint vorticity equation. I: Theory, Q. J. R. Meteorol. Soc. 113, 1311–1328, 1987.
//
// A. Griewank and A. Walther, Evaluating Derivatives, 2nd ed., SIAM, 2008.
package lorenz

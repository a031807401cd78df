// Package verify proves tangent-linear (TL) and adjoint (AD) code right. It checks any
// differentiable map, whether it is recorded on an adjoint.Tape or written by hand (a fused
// Lorenz step, a whole 4DVar cost), with the four classical tests of variational data
// assimilation, and returns each result as a Report that tests assert on and that the
// adjunto command prints.
//
// # The dot-product (adjoint) test
//
// Let L be the Jacobian of a map M: ℝⁿ → ℝᵐ at x, implemented twice: by the TL model
// δy = L δx and by the AD model x̃ = Lᵀ ỹ. For random δx and ỹ the two must satisfy
//
//	⟨L δx, ỹ⟩ = ⟨δx, Lᵀ ỹ⟩
//
// up to round-off. DotProduct reports the relative error
//
//	|lhs − rhs| / max(‖L δx‖‖ỹ‖, ‖δx‖‖Lᵀ ỹ‖),
//
// which is near machine precision (≤ 1e-12 for one primitive, ≤ 1e-10 for long composites)
// when the adjoint is the transpose of the tangent, and O(1) otherwise. The scale is the
// Cauchy–Schwarz bound of both sides (so never below max(|lhs|, |rhs|)) rather than the sides
// themselves: when the terms of a dot product cancel by chance, |lhs| is small, and dividing by
// it would turn harmless round-off in the terms into a spurious failure. The test checks the
// adjoint against the tangent, not against M: a TL model that is wrong and an AD model that is
// its exact transpose pass it, which is why the Taylor test exists.
//
// # The Taylor (TL) test
//
// The TL model is the first-order term of the Taylor expansion
// M(x + α δx) = M(x) + α L δx + O(α²), so the course's ratio
//
//	r(α) = ‖M(x + α δx) − M(x)‖ / ‖α L δx‖
//
// tends to 1 as α shrinks, until round-off in the difference takes over (near α ≈ 1e-8).
// Taylor tabulates r(α) for α = 10⁻¹ … 10⁻⁸ together with the relative residual
//
//	e(α) = ‖M(x + α δx) − M(x) − α L δx‖ / ‖α L δx‖,
//
// and reports min over α of e(α). Since |r(α) − 1| ≤ e(α) by the triangle inequality, a value
// below the tolerance (1e-6 by default) means the ratio is that close to 1 at the best α. The
// residual is the stricter measure on purpose: the norm ratio alone cannot see a TL model
// that is wrong by a sign or by a rotation, because both preserve the norm; the residual is
// O(α) for a correct TL model and O(1) for a wrong one.
//
// # The gradient test
//
// For a scalar cost J with gradient ∇J from the adjoint model, and a direction h,
//
//	ρ(α) = (J(x + α h) − J(x)) / (α h·∇J) → 1   as α → 0.
//
// GradientTest tabulates ρ(α) over the same α and reports min over α of |ρ(α) − 1|. A gradient
// with a sign error gives ρ → −1.
//
// # The finite-difference check
//
// FiniteDifference compares ∇J with the central-difference estimate of gonum's diff/fd
// (error O(h²) in the step plus O(ε/h) from round-off) and reports the relative error
// ‖∇J − ∇_fd J‖ / max(‖∇J‖, ‖∇_fd J‖), 1e-7 by default.
//
// # Degenerate cases
//
// A map whose derivative is exactly zero (the binary step) makes every ratio 0/0. When the
// predicted change and the actual change are both exactly zero the ratio is taken as 1 and the
// error as 0: the linearisation predicts no change and none occurs. A zero prediction with a
// non-zero change gives an infinite error. NaN never passes.
//
// # Using the package
//
// The four checks are plain functions over []float64 (DotProduct, Taylor, GradientTest,
// FiniteDifference), so code that is not built on a tape can be checked as it is. A Func
// bundles a map with its TL and AD models, and All runs the four checks on it, with random
// vectors from Settings.Seed; Cost runs the two gradient checks on a scalar cost. Tape and
// NewTapeFunc turn a program recorded on an adjoint.Tape into a Func that uses the tape's own
// JVP and VJP sweeps and Forward replays. PrimitiveCases and Primitives hold the suite that
// checks every primitive of package adjoint, which "adjunto verify" prints with WriteTable or,
// as JSON lines, with WriteJSON.
//
// # References
//
// P. Courtier and O. Talagrand, Variational assimilation of meteorological observations with
// the adjoint vorticity equation. II: Numerical results, Q. J. R. Meteorol. Soc. 113,
// 1329–1347, 1987 (the dot-product and gradient tests).
//
// I. M. Navon, X. Zou, J. Derber and J. Sela, Variational data assimilation with an adiabatic
// version of the NMC spectral model, Mon. Weather Rev. 120, 1433–1446, 1992 (the Taylor test).
//
// A. Griewank and A. Walther, Evaluating Derivatives, 2nd ed., SIAM, 2008, section 3.3.
package verify

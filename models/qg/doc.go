// Package qg is a quasi-geostrophic (QG) model of a turbulent ocean on a doubly periodic
// square, with hand-written tangent-linear and adjoint steps: the first two-dimensional
// geophysical model of adjunto, large enough (4096 variables at 64², 16384 at 128²) that
// 4DVar on it needs O(N log N) covariances and an exact adjoint.
//
// # Equations
//
// The model is the 1.5-layer (equivalent-barotropic) QG model of Sakov and Oke (2008), as
// DAPPER runs it (mods/QG, from Sakov's EnKF-Matlab). The state is the streamfunction ψ on an
// N×N grid of [0, 1)², spacing h = 1/N; the potential vorticity
//
//	q = Δψ − F ψ
//
// is advected by the geostrophic flow (u, v) = R (−ψ_y, ψ_x) and forced and damped:
//
//	∂q/∂t = −R J(ψ, q) − β ψ_x − r_b ζ − r_h ∇⁴ζ + A sin(2πKy),   ζ = Δψ.
//
// J is Arakawa's (1966) Jacobian, which conserves energy and enstrophy on the grid and makes
// the adjoint of the advection an advection again (grid.go); Δ is the five-point Laplacian
// and ψ_x a centred difference. Each RK4 stage computes the tendency of q and inverts the
// Helmholtz operator, ∂ψ/∂t = (Δ_h − F)⁻¹ ∂q/∂t, by FFT (Helmholtz, an adjoint.Spectral with
// the symbol 1/(λ_h(k) − F) of the discrete operator, so that the inversion is exact).
//
// # Parameters, and where they differ from Sakov and Oke's
//
// Shared: R = 10⁻⁵, β = 1, Δt = 1.25 with RK4, the five-point Laplacian and Arakawa's
// Jacobian, and ψ as the state. Different, because the geometry is: Sakov and Oke's basin
// has walls where ψ = 0, and its double gyre is driven by the wind curl −2π sin(2πy)
// through the β effect and western boundary currents, which a periodic square does not
// have. There the same forcing drives a steady zonal jet that stays stable (no zonal
// wavenumber below the jet's fits in the square; measured: no growth of perturbations over
// 7000 steps). So the default forces four jets, K = 4, which are unstable to the longer
// waves, with A = 8π; adds a linear drag r_b = 10⁻³ (Sakov and Oke have none) to remove the
// energy that the inverse cascade brings to the largest scales; and takes F = 400 (a
// deformation radius of 1/20, 3.2 grid points at 64², as Sakov and Oke's 1/40 is at 129²)
// with r_h = 10⁻¹¹ at 64² (scaled as h⁴ by New: 6.25·10⁻¹³ at 128²; Sakov and Oke have
// 2·10⁻¹² at 129²). With F = 1600 and Sakov and Oke's r_h at 64² the flow is nearly
// steady: perturbations grew by a factor of 2.5 in 1000 steps (F = 1600, A = 16π), against
// 20 in 800 steps with the defaults.
//
// # The default is turbulent
//
// From InitialState the 64² and 128² runs leave the jets within about 3000 steps; by
// DefaultSpinUp = 5000 steps they are in a fluctuating state whose domain-mean ψ² has no
// trend (the means over the two halves of the following 3000 steps agree to a few per
// cent, README), and in which two states 10⁻⁶ apart separate exponentially: chaotic, and
// statistically steady. Its error doubling time (README) is longer than the 25-50 time
// units of Sakov and Oke's basin.
//
// # Stability
//
// Validate rejects, before any run, a grid the FFT cannot take efficiently (N < 8 or a prime
// factor above 5), a time step beyond RK4's stability limit for the stiffest dissipative
// mode, and one whose Courant number U·Δt/h at the flow's speed scale (MaxSpeed) exceeds √2;
// CheckState applies the CFL condition to an actual state.
//
// # Derivatives
//
// Step, StepTangent and StepAdjoint implement adjoint.Model with fused kernels (the adjoint
// of each stage written by hand, recomputing the stage states from x); StepOn records the
// same step from the engine's primitives (Shift, Mul, Add, Scale and Filter, the FFT
// multiplier with its own TL and AD rules). Checks proves both with package verify.
//
// # References
//
// P. Sakov and P. R. Oke, A deterministic formulation of the ensemble Kalman filter: an
// alternative to ensemble square root filters, Tellus A 60, 361–371, 2008.
//
// A. Arakawa, Computational design for long-term numerical integration of the equations of
// fluid motion: two-dimensional incompressible flow. Part I, J. Comput. Phys. 1, 119–143,
// 1966.
//
// P. N. Raanes et al., DAPPER: data assimilation with Python, a package for experimental
// research, https://github.com/nansencenter/dapper (mods/QG).
package qg

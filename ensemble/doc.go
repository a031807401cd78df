// Package ensemble implements ensemble Kalman filters, the iterative ensemble Kalman
// smoother and hybrid ensemble-variational 4DVar on adjunto's models, for the twin experiments of package fourdvar: the same
// truth, the same observations and the same scoring as its 4DVar, so that the two families
// are compared on equal terms.
//
// # The ensemble and its subspace
//
// An ensemble of N states x_1 … x_N (the rows of a matrix E) stands for a Gaussian with mean
// x̄ = (1/N) Σ x_i and covariance P = AᵀA/(N−1), A the anomalies x_i − x̄. Every analysis
// below looks for the state in the affine subspace x = x̄ + Aᵀw, w ∈ ℝᴺ, where the prior
// is w ~ N(0, I/(N−1)). With observations y = H(x) + ε, ε ~ N(0, R), everything is computed
// in normalised observation space: S = (H(x_i) − ȳ) R^{-1/2} (an N×M matrix, one row per
// member) and d = R^{-1/2}(y − ȳ), so that R becomes the identity and the linearised cost
// in w is
//
//	J(w) = (N−1)/2 ‖w‖² + ½ ‖d − Sᵀw‖².
//
// Its minimiser and inverse Hessian are w_a = (SSᵀ + (N−1)I)⁻¹ S d and
// P_w = (SSᵀ + (N−1)I)⁻¹, both spectral functions of the N×N matrix SSᵀ = V diag(λ) Vᵀ:
// one symmetric eigendecomposition per analysis gives them all.
//
// # Filters
//
// ETKF (Bishop et al., 2001; Hunt et al., 2007): the analysis ensemble is
// x̄ + Aᵀ(w_a + T_i), T = √(N−1) P_w^{1/2} the symmetric square root, so that its mean is
// the Kalman analysis of (x̄, P) and its covariance the Kalman analysis covariance, exactly
// for a linear H. The symmetric root keeps the mean (1 is an eigenvector of T) and moves
// each member as little as possible.
//
// EnKF (Evensen, 1994; Burgers et al., 1998; Evensen, 2003): each member is updated towards
// its own perturbed observations, x_i += K(y + ε_i − H(x_i)), K = PHᵀ(HPHᵀ + R)⁻¹ from the
// ensemble; the perturbations make the analysis covariance right in expectation (the
// analysis of a large ensemble tends to the Kalman filter's, a test checks it), at the cost
// of sampling noise that the square-root filters avoid.
//
// Multiplicative inflation multiplies the analysis anomalies by a factor λ ≥ 1 (the
// covariance by λ²), compensating for the spread that sampling errors and nonlinearity take
// from a small ensemble.
//
// LETKF (Hunt et al., 2007): on a ring of grid points (Lorenz-96), each variable is analysed
// by its own ETKF with the observations near it, their R⁻¹ tapered by the Gaspari and Cohn
// (1999) fifth-order compactly supported correlation: localisation removes the spurious
// long-range correlations of a small ensemble and lets the analysis use a different
// combination of members at each place, more than N−1 directions over the whole state.
//
// # The iterative ensemble Kalman smoother
//
// The iEnKS (Sakov et al., 2012; Bocquet and Sakov, 2012, 2013, 2014) is the 4DVar of the
// ensemble subspace: over a window of L observation intervals it minimises
//
//	J(w) = (N−1)/2 ‖w‖² + ½ Σ_k ‖y_k − H_k(M_{0→k}(x̄₀ + A₀ᵀw))‖²_{R_k⁻¹}
//
// by Gauss–Newton, the Jacobian of w ↦ H_k(M_{0→k}(·)) being estimated from the ensemble
// propagated through the window: no tangent-linear or adjoint model. In the transform
// variant the iterate's ensemble is x̄₀ + A₀ᵀ(w + T_i) with the current analysis transform
// T, and the sensitivities are S T⁻¹; in the bundle variant it is x̄₀ + A₀ᵀ(w + ε e_i), whose
// finite differences are the tangent-linear sensitivities at the iterate. The window then
// moves on by S intervals. With single data assimilation each observation is assimilated in
// the first window that contains it; with multiple data assimilation (MDA, Bocquet and Sakov
// 2014) in all L/S windows, its variance multiplied by L/S, and a balancing analysis gives
// the filter estimate at the window's end. The analysis at the window's start is a smoother
// estimate; its forecast to the window's end, the newest observation time, is the filter
// analysis that the twin experiments score. On a linear model the cost is quadratic and one
// Gauss–Newton step gives the 4DVar analysis with B = P at the window's start and the Kalman
// filter at its end (a test checks both against adjunto's 4DVar and a Kalman filter).
//
// The finite-size variant (EnKF-N, Bocquet, 2011; Bocquet et al., 2015) replaces the prior
// term by (N/2) ln(ε_N + ‖w‖²), the marginal of a hyperprior over the ensemble's unknown
// mean and covariance; inside Gauss–Newton this is a prior weight ζ(w) in place of N−1, an
// inflation estimated at each analysis.
//
// Two options serve long windows and strong nonlinearity. Over a long MDA window J(w) has
// several minima, and Gauss–Newton from w = 0 may land on one far from the truth; the
// quasi-static minimisation (Pires et al., 1996; Bocquet and Sakov, 2014) minimises first
// over the window's first observation time, then over growing sub-windows (one time more, or
// g times as many, per stage), each warm-started from the last, which follows the minimum
// connected to the background. Deterministic square-root analyses, cycled through a nonlinear
// model, slowly build ensembles with one outlier member and the others clustered (Lawson and
// Hansen, 2004; Sakov and Oke, 2008), which is why a larger ensemble can do worse; multiplying
// the analysis transform on the left by a random orthogonal U with U 1 = 1 mixes the members
// and keeps the analysis mean and covariance.
//
// # Hybrid ensemble-variational 4DVar
//
// Hybrid (En-4DVar) keeps adjunto's strong-constraint 4DVar, with its exact adjoint, and
// gives it the background error covariance
//
//	B = β_s² B_static + β_e² (C ∘ P_e)
//
// at the window's start. P_e is the ensemble covariance there, and C ∘ is its Schur product
// with a Gaspari–Cohn correlation (localisation, which raises its rank above N−1) (Hamill and
// Snyder, 2000; Lorenc, 2003; Buehner, 2005). The ensemble is cycled beside the 4DVar by a
// filter and recentred on each analysis, or by an ensemble of data assimilations (EDA,
// Isaksen et al., 2010): one 4DVar per member, from its own background and with observations
// perturbed by draws of R. With linear dynamics and B = P_e the EDA is exactly the stochastic
// EnKF, and the unperturbed 4DVar is its mean.
//
// # The Cramér–Rao floor
//
// How far is a filter from the best achievable on a twin's observations? With a perfect,
// deterministic model and observations y_j = H_j(x_j) + ε_j, ε_j ~ N(0, R_j), the Fisher
// information about the truth x_k carried by y_0 … y_k is that of each observation
// transported by the tangent-linear flow along the truth: J_k = M⁻ᵀ J_{k−1} M⁻¹ + Hᵀ R⁻¹ H,
// with M the tangent-linear model from one observation time to the next and H the tangent
// of H_k, both at the truth, and J_0 = P_0⁻¹ + H_0ᵀ R_0⁻¹ H_0 from the prior P_0 of the first
// ensemble. Its inverse P^a_k = J_k⁻¹ obeys the Kalman filter's covariance recursion,
//
//	P^f_k = M P^a_{k−1} Mᵀ (through each model step),
//	P^a_k = P^f_k − P^f_k Hᵀ (H P^f_k Hᵀ + R)⁻¹ H P^f_k,
//
// the posterior Cramér–Rao recursion of Tichavský, Muravchik and Nehorai (1998) without
// process noise and with its expectations over the truth replaced by their value on the
// twin's own truth (Twin.Floor adds σ_m² I per step when the truth run has a model error).
// P^a_k bounds the error covariance of any estimator of x_k unbiased given the truth, so the
// floor of the twin's score is the expected RMSE of such an estimator, E√(eᵀe/n) for
// e ~ N(0, P^a_k), averaged over the scored times. Twin.Floor computes it from the
// eigenvalues of P^a_k by a one-dimensional quadrature that is exact to round-off.
//
// Two cautions. The floor is an expectation over the observation errors: one run's mean
// over 980 times scatters about it by a few per cent (the ratio of score to floor over
// blocks of 196 times ranges over 0.90–1.12 for an iEnKS that sits at 1.00× the floor over
// the whole run). And a Bayesian filter is not unbiased given the truth: its shrinkage
// towards its prior may beat this floor where the information along the truth is low (the
// Bayesian bound of Van Trees (1968) inverts the expected information, which by Jensen's
// inequality is lower), and the more so the more nonlinear the problem is between
// observations: on Lorenz-63 observed every 25 steps the iEnKS is below it over the first
// 200 times. For a nonlinear H the floor is local: it knows nothing of, say, the sign that
// x² hides.
//
// # Parallelism and determinism
//
// A Propagator steps the members in parallel goroutines, each with its own model (models own
// scratch buffers). The LETKF shares its local analyses among LETKF.Workers goroutines, one
// workspace each, and the EDA runs one block of members' 4DVars per goroutine, each with its
// own model and its own copy of the observation operator (fourdvar.Operator.Clone). Each
// member's forecast, each grid point's local analysis and each member's 4DVar is the same
// sequence of floating-point operations whatever the partition, and everything else is
// sequential, so results are bit-identical for any number of workers and any GOMAXPROCS. All
// randomness comes from math/rand/v2 PCG streams of the twin's seed, drawn outside the
// parallel parts.
//
// # Divergence
//
// When the members' forecasts blow up, an analysis meets non-finite numbers, or numbers too
// large to square. The filters and the iEnKS then return a NaN analysis rather than failing in
// an eigendecomposition or a Cholesky factorisation, Hybrid.Covariance returns an error, and
// Twin.Run stops with an error wrapping ErrDiverged that names the analysis.
//
// # References
//
//   - Bishop, C. H., Etherton, B. J. and Majumdar, S. J. (2001). Adaptive sampling with the
//     ensemble transform Kalman filter. Part I. Monthly Weather Review 129, 420–436.
//   - Bocquet, M. (2011). Ensemble Kalman filtering without the intrinsic need for inflation.
//     Nonlinear Processes in Geophysics 18, 735–750.
//   - Bocquet, M. and Sakov, P. (2012). Combining inflation-free and iterative ensemble Kalman
//     filters for strongly nonlinear systems. Nonlinear Processes in Geophysics 19, 383–399.
//   - Bocquet, M. and Sakov, P. (2013). Joint state and parameter estimation with an iterative
//     ensemble Kalman smoother. Nonlinear Processes in Geophysics 20, 803–818.
//   - Bocquet, M. and Sakov, P. (2014). An iterative ensemble Kalman smoother. Quarterly
//     Journal of the Royal Meteorological Society 140, 1521–1535.
//   - Bocquet, M., Raanes, P. N. and Hannart, A. (2015). Expanding the validity of the
//     ensemble Kalman filter without the intrinsic need for inflation. Nonlinear Processes
//     in Geophysics 22, 645–662.
//   - Buehner, M. (2005). Ensemble-derived stationary and flow-dependent background-error
//     covariances: evaluation in a quasi-operational NWP setting. Quarterly Journal of the
//     Royal Meteorological Society 131, 1013–1043.
//   - Burgers, G., van Leeuwen, P. J. and Evensen, G. (1998). Analysis scheme in the ensemble
//     Kalman filter. Monthly Weather Review 126, 1719–1724.
//   - Evensen, G. (1994). Sequential data assimilation with a nonlinear quasi-geostrophic
//     model using Monte Carlo methods to forecast error statistics. Journal of Geophysical
//     Research 99(C5), 10143–10162.
//   - Evensen, G. (2003). The ensemble Kalman filter: theoretical formulation and practical
//     implementation. Ocean Dynamics 53, 343–367.
//   - Gaspari, G. and Cohn, S. E. (1999). Construction of correlation functions in two and
//     three dimensions. Quarterly Journal of the Royal Meteorological Society 125, 723–757.
//   - Hamill, T. M. and Snyder, C. (2000). A hybrid ensemble Kalman filter–3D variational
//     analysis scheme. Monthly Weather Review 128, 2905–2919.
//   - Hunt, B. R., Kostelich, E. J. and Szunyogh, I. (2007). Efficient data assimilation for
//     spatiotemporal chaos: a local ensemble transform Kalman filter. Physica D 230, 112–126.
//   - Isaksen, L., Bonavita, M., Buizza, R., Fisher, M., Haseler, J., Leutbecher, M. and
//     Raynaud, L. (2010). Ensemble of data assimilations at ECMWF. ECMWF Technical
//     Memorandum 636.
//   - Lawson, W. G. and Hansen, J. A. (2004). Implications of stochastic and deterministic
//     filters as ensemble-based data assimilation methods in varying regimes of error
//     growth. Monthly Weather Review 132, 1966–1981.
//   - Lorenc, A. C. (2003). The potential of the ensemble Kalman filter for NWP: a comparison
//     with 4D-Var. Quarterly Journal of the Royal Meteorological Society 129, 3183–3203.
//   - Mezzadri, F. (2007). How to generate random matrices from the classical compact
//     groups. Notices of the American Mathematical Society 54, 592–604.
//   - Pires, C., Vautard, R. and Talagrand, O. (1996). On extending the limits of variational
//     assimilation in nonlinear chaotic systems. Tellus A 48, 96–121.
//   - Sakov, P. and Oke, P. R. (2008). Implications of the form of the ensemble
//     transformation in the ensemble square root filters. Monthly Weather Review 136,
//     1042–1053.
//   - Sakov, P., Oliver, D. S. and Bertino, L. (2012). An iterative EnKF for strongly
//     nonlinear systems. Monthly Weather Review 140, 1988–2004.
//   - Tichavský, P., Muravchik, C. H. and Nehorai, A. (1998). Posterior Cramér–Rao bounds
//     for discrete-time nonlinear filtering. IEEE Transactions on Signal Processing 46,
//     1386–1396.
//   - Trefethen, L. N. and Weideman, J. A. C. (2014). The exponentially convergent
//     trapezoidal rule. SIAM Review 56, 385–458.
//   - Van Trees, H. L. (1968). Detection, Estimation, and Modulation Theory, Part I. Wiley.
package ensemble

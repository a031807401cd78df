// Package fourdvar is variational data assimilation on adjunto's engine: observations and
// observation operators, background and model-error covariances, the 3DVar and 4DVar cost
// functions with their gradients by one adjoint integration, incremental 4DVar, and cycled
// twin experiments that say how good an analysis is.
//
// # The cost function
//
// A window covers the model steps 0 … K of a model x_k = M(x_{k−1}). Given a background x_b
// at step 0 with error covariance B, and observations y_k = H_k(x_k) + ε_k with
// ε_k ~ N(0, R_k) at some of the steps, strong-constraint 4DVar looks for the initial state
// that minimises
//
//	J(x_0) = ½ (x_0 − x_b)ᵀ B⁻¹ (x_0 − x_b) + ½ Σ_k (y_k − H_k(x_k))ᵀ R_k⁻¹ (y_k − H_k(x_k))
//	       = J_b + J_o,
//
// with no other scaling (Le Dimet and Talagrand, 1986; Talagrand and Courtier, 1987). 3DVar
// is the window of K = 0 steps.
//
// # The gradient is backpropagation
//
// The window is a chain of differentiable maps x_0 → x_1 → … → x_K followed by a misfit, as a
// network is a chain of layers followed by a loss. Its gradient is one reverse sweep, the
// adjoint model run backward from the end of the window,
//
//	λ_K = H_Kᵀ R_K⁻¹ (H_K(x_K) − y_K),
//	λ_{k−1} = M'(x_{k−1})ᵀ λ_k + H_{k−1}ᵀ R_{k−1}⁻¹ (H_{k−1}(x_{k−1}) − y_{k−1}),
//	∇J(x_0) = B⁻¹ (x_0 − x_b) + λ_0,
//
// that is ∇J = B⁻¹(x_0 − x_b) − Σ_k M_0ᵀ⋯M_{k−1}ᵀ H_kᵀ R_k⁻¹ (y_k − H_k(x_k)). It costs one
// forward and one adjoint integration whatever the size of x_0: the adjoint steps are the
// model's fused StepAdjoint (package models/lorenz writes them by hand), the operators'
// adjoints are reverse sweeps of their recorded tapes (package adjoint). Model parameters p
// enter the same way: their adjoint Σ_k M_p(x_{k−1})ᵀ λ_k accumulates along the sweep, so
// estimating them (the augmented control vector of Params4DVar) costs nothing more.
//
// # Checkpointing
//
// The sweep needs the states in reverse order. Strong and Weak do not keep them
// themselves: the observation term is an adjoint.LoopCost run on the engine's time loop,
// adjoint.Loop (Weak's model errors are its adjoint.Forcing), so the window takes any
// checkpointing policy (Strong.Checkpoint, Assimilator.Checkpoint, Twin.Checkpoint):
// adjoint.StoreAll keeps the K+1 states, adjoint.StoreEvery about 2√K, adjoint.Revolve a
// fixed few at the price of recomputation (Griewank, 1992). A recomputed state equals the
// stored one bit for bit, so every policy gives the same J, gradient and analysis to the
// last bit; only memory and time change. CheckpointBytes estimates the memory. The
// tangent-linear integrations of incremental 4DVar step the model beside the tangent when
// the policy did not keep the trajectory.
//
// # The control-variable transform
//
// With x_0 = x_b + B^{1/2} v the background term becomes ½ vᵀv and the gradient with respect
// to v is v + B^{1/2} λ_0: B⁻¹ is never formed, and the Hessian in v, I + B^{1/2} Σ M'ᵀ
// H'ᵀ R⁻¹ H' M' B^{1/2}, has all its eigenvalues ≥ 1, which is why the transform is the
// standard preconditioning of variational assimilation (Bannister, 2008). It is the default
// here; Strong.StateControl minimises over x_0 instead, with J_b = ½‖B^{-1/2}(x_0 − x_b)‖².
// A Covariance is therefore given by its symmetric square root: ScaledIdentity, Diagonal,
// Circulant (a homogeneous correlation on a periodic ring or 2-D grid, diagonalised by the
// discrete Fourier transform and applied by FFT in O(N log N); NewGaussianCircle,
// NewGaussianGrid and NewSOAR build the Gaussian and second-order auto-regressive
// correlations), Varying (a Circulant's correlation with a standard deviation per variable,
// in symmetric-root form), and Dense (any matrix, through its eigendecomposition;
// Climatology estimates one from a free run). On a grid, Bilinear observes a field at
// arbitrary points and Subsample on a regular sub-grid.
//
// # Observations
//
// A Batch is the observations of one time: an Operator H, values and standard deviations
// (R diagonal). A window holds any number of batches at any steps, so irregular observation
// times, time-varying networks and time-varying errors are the general case. An Operator
// records its program once on an adjoint.Tape (Identity, Subset, EveryKth, the nonlinear
// Squared, or any NewOperator) and replays it; its tangent-linear and adjoint are the tape's
// sweeps. ReadObs reads the CSV format step,index,value,sigma; ReadState the index,value of a
// background or a truth.
//
// # Variants
//
//   - Strong: strong-constraint 4DVar (and 3DVar), optionally with the model parameters in
//     the control vector (Window.Pb, Window.BP).
//   - Weak: weak-constraint 4DVar, x_k = M(x_{k−1}) + η_k with η_k ~ N(0, Q), the control
//     vector holding the model errors of every step (Trémolet, 2006).
//   - Incremental: incremental 4DVar (Courtier, Thépaut and Hollingsworth, 1994). Outer
//     loops relinearise about the current trajectory; each inner loop solves the Gauss-Newton
//     system (I + Gᵀ G) δv = −∇J(v) by matrix-free linear conjugate gradients, one
//     tangent-linear and one adjoint integration per iteration, G being the window's
//     whitened Jacobian (Strong.JacVec, Strong.JacTVec). This is the sense in which
//     variational assimilation knows its Hessian.
//
// Minimizer runs any method of package optimize on a Cost: L-BFGS by default, nonlinear CG,
// Adam and the other steppers for comparison.
//
// # Twin experiments and cycling
//
// A Twin runs a truth, observes it with seeded Gaussian errors, and cycles analyses: window
// c covers steps [c·Shift, c·Shift + Window] and assimilates the observations that no earlier
// window assimilated, so that with Shift < Window the windows overlap and every observation
// is still used once (the single-data-assimilation scheme of the iEnKS and of DAPPER's
// 4D-Var; Bocquet and Sakov, 2014). The background of the next window is the analysed
// trajectory Shift steps on. Each cycle records the RMSE of the background, of the analysis
// at the window's end (the newest observation time: a filter analysis) and start (a smoother
// estimate), and of the forecast Shift steps past the end, with the minimiser's iterations,
// evaluations and gradient reduction; Summary averages them after a burn-in. (The command
// writes metrics.json, cycles.csv and the figures as the cycles come, atomically, so that a
// run that fails keeps what it had done; that output is not part of this package, which
// does not import gonum/plot.)
//
// # Multiple data assimilation
//
// With Twin.MDA (multiple data assimilation; Bocquet and Sakov, 2014) each window
// assimilates every observation in (t_c, t_c + Window] instead, and an observation used by
// n windows has its error variance multiplied by n, so that its weights 1/(n σ²) add up to
// 1/σ² over the run. With a shift of one observation interval an observation is in about
// Window/Shift windows, and the background of each window already holds part of it. The end
// of such an analysis has given the newest observations only 1/n of their weight; with
// Twin.Balance a second, balancing analysis from the same background gives each
// observation of the window the weight that earlier windows have not (σ² n/(n − u) after u
// of its n windows), and its end is the scored filter analysis, while the next background
// still comes from the MDA analysis. Each scored analysis uses only observations up to its
// own time.
//
// Setups lists the standard configurations of the literature, with the tuned 4DVar that
// reproduces them, analysing at every observation time as the published figures do (see
// RESULTS.md in this directory for the numbers and how they were obtained).
//
// # References
//
//   - R. N. Bannister (2008). A review of forecast error covariance statistics in
//     atmospheric variational data assimilation. II. Q. J. R. Meteorol. Soc. 134, 1971–1996.
//   - M. Bocquet and P. Sakov (2013). Joint state and parameter estimation with an iterative
//     ensemble Kalman smoother. Nonlin. Processes Geophys. 20, 803–818.
//   - M. Bocquet and P. Sakov (2014). An iterative ensemble Kalman smoother. Q. J. R.
//     Meteorol. Soc. 140, 1521–1535.
//   - P. Courtier, J.-N. Thépaut and A. Hollingsworth (1994). A strategy for operational
//     implementation of 4D-Var, using an incremental approach. Q. J. R. Meteorol. Soc. 120,
//     1367–1387.
//   - F.-X. Le Dimet and O. Talagrand (1986). Variational algorithms for analysis and
//     assimilation of meteorological observations. Tellus A 38, 97–110.
//   - E. N. Lorenz (1996). Predictability: a problem partly solved. ECMWF Seminar on
//     Predictability.
//   - C. Pires, R. Vautard and O. Talagrand (1996). On extending the limits of variational
//     assimilation in nonlinear chaotic systems. Tellus A 48, 96–121.
//   - P. N. Raanes et al. DAPPER: data assimilation with Python, a package for experimental
//     research (benchmarks of the setups in Setups).
//   - P. Sakov and P. R. Oke (2008). A deterministic formulation of the ensemble Kalman
//     filter. Tellus A 60, 361–371.
//   - P. Sakov, D. S. Oliver and L. Bertino (2012). An iterative EnKF for strongly nonlinear
//     systems. Mon. Weather Rev. 140, 1988–2004.
//   - O. Talagrand and P. Courtier (1987). Variational assimilation of meteorological
//     observations with the adjoint vorticity equation. I. Q. J. R. Meteorol. Soc. 113,
//     1311–1328.
//   - Y. Trémolet (2006). Accounting for an imperfect model in 4D-Var. Q. J. R. Meteorol.
//     Soc. 132, 2483–2504.
package fourdvar

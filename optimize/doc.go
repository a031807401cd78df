// Package optimize minimises a differentiable cost J(x) over a vector x ∈ ℝⁿ.
//
// The package sees a function, its gradient and a vector, nothing more: a 4DVar
// cost over a model trajectory and the loss of a neural network are the same
// to it, so 4DVar can use Adam and a network can use L-BFGS. In adjunto the
// gradient comes from an adjoint run (backpropagation), so one evaluation of
// Problem.FuncGrad is one forward plus one adjoint run, and that is the unit
// in which the cost of a method is counted.
//
// # Stating and running a problem
//
// A Problem holds FuncGrad (required), Func (optional, J alone) and HessVec
// (optional, a Hessian- or Gauss-Newton-vector product). Minimize runs any
// Method on it from x0 under common Settings (iteration, evaluation and time
// limits, a threshold on ‖∇J‖₂, a relative cost-change test, a callback) and
// returns a Result with the best point, J, ∇J, counts, a Status and the
// per-iteration History. New builds a method from a name, for command lines.
//
// # The Method contract
//
// A Method is anything with Init(n) and Run(d, x0): Minimize knows nothing
// else about it, so new methods need no change to this package. Run evaluates
// J through the Driver d (FuncGrad, Func, HessVec: counted and checked for
// NaN and ±Inf) and hands every accepted iterate to d.Iterate, which records
// it, applies the stopping tests of Settings and says when to stop. That is
// the shape of gonum's Method with its channels of Tasks replaced by calls,
// since an adjoint run is not worth running concurrently with another.
// Three ready-made routes lead to it: the methods listed below; Gonum, which
// runs any gonum/optimize method (NelderMead, or a LinesearchMethod with a
// NextDirectioner and Linesearcher of one's own); and RunStepper, the
// full-batch loop of a Stepper.
//
// # Line-search methods (gonum/optimize)
//
// LBFGS, BFGS, CG (nonlinear conjugate gradient, with every β formula of gonum
// as a CGVariant), GradientDescent and Newton are gonum's, wrapped. Each
// iteration chooses a direction d_k, then a step α_k along it by a line search
// that enforces a sufficient decrease of J (Armijo) and, for the quasi-Newton
// and CG methods, a curvature condition (strong Wolfe); see Nocedal and Wright
// (2006), chapters 3, 5, 6 and 7. The wrapper deals with three habits of gonum:
//
//   - gonum calls Func and Grad separately at the same x. The wrapper runs
//     FuncGrad once per x and serves both calls from a cache keyed on x, so
//     the forward and adjoint models run once per point. A line search that
//     asks for J alone at a trial point gets Func when the problem has it,
//     except at the first trial of each search: that one is usually
//     accepted, and gonum then asks for its gradient, which FuncGrad gives
//     without a second forward run. So Func saves the adjoint run of every
//     trial after the first, and costs a forward run when such a trial is
//     accepted: a gain when adjoint runs are dear (checkpointed windows) or
//     searches backtrack often. Result.Gradients counts the adjoint runs.
//   - gonum's default converger stops after 100 iterations without a decrease
//     of 1e-10, a silent limit that no 4DVar user would expect. All the
//     stopping tests here are this package's (Settings), the same for every
//     method, and gonum's own gradient test is switched off.
//   - A failed line search ends gonum's run with the status Failure and an
//     error, but the best point found so far is valid. Minimize returns it in
//     Result together with an error wrapping ErrLineSearch.
//
// Newton assembles the Hessian from n HessVec products and modifies it to be
// positive definite (H + τI); it is for small problems. For large ones, solve
// the Newton or Gauss-Newton system H d = -∇J matrix-free with LinearCG.
//
// # Stepping methods (ours)
//
// SGD, SGD with momentum or Nesterov momentum, Adagrad, RMSprop, Adadelta,
// Adam (with AMSGrad) and AdamW move x by a step computed from the gradient
// alone, with a learning rate η and no line search. They implement Stepper:
// Step(x, grad) updates x in place without allocating, so a mini-batch
// training loop calls it with each batch's gradient, and Minimize runs them
// full-batch. They are Resumable: State and SetState save and restore their
// moments, step count and live rate, so that interrupted training resumes
// bit for bit. Their update formulas and default hyperparameters are those of
// PyTorch's torch.optim (version 1.13), written on each type, so that
// trajectories can be compared with it; the tests match ten-step PyTorch
// trajectories to 1e-12 relative.
//
// # Weight decay: L2 against decoupled
//
// L2 regularisation adds (λ/2)‖w‖² to J, so λw to the gradient. That is the
// WeightDecay field of every stepping method but AdamW. For SGD it gives
// w ← w - η∇J - ηλw, the course's form of weight decay. For Adam it does not:
// the term λw is divided by √v̂ like the rest of the gradient, so weights with
// large gradients are decayed less. AdamW (Loshchilov and Hutter, 2019)
// decouples the decay from the adaptive step, as PyTorch does:
//
//	w ← w - ηλw;  w ← w - η m̂/(√v̂ + ε)
//
// which is w ← w - η m̂/(√v̂+ε) - ηλw, the course's form with the Adam
// direction in place of ∇J.
//
// # Linear conjugate gradient and Lanczos
//
// LinearCG solves A x = b for a symmetric positive definite A given only as a
// function v ↦ Av: the inner loop of incremental 4DVar and of Gauss-Newton
// training. Preconditioned by M ≈ A (a function r ↦ M⁻¹r), it minimises
// ½xᵀAx - bᵀx over growing Krylov spaces (Hestenes and Stiefel, 1952):
//
//	r₀ = b - Ax₀, z₀ = M⁻¹r₀, p₀ = z₀
//	α_k = r_kᵀz_k / p_kᵀAp_k
//	x_{k+1} = x_k + α_k p_k,  r_{k+1} = r_k - α_k Ap_k,  z_{k+1} = M⁻¹r_{k+1}
//	β_k = r_{k+1}ᵀz_{k+1} / r_kᵀz_k,  p_{k+1} = z_{k+1} + β_k p_k
//
// In exact arithmetic it ends in at most n steps, and in at most k steps when
// A has k distinct eigenvalues; the error falls at least as fast as
// 2((√κ-1)/(√κ+1))^k in the A-norm. CG is the Lanczos process in disguise:
// its coefficients give the Lanczos tridiagonal matrix T_k of M⁻¹A,
//
//	T[j,j] = 1/α_j + β_{j-1}/α_{j-1},  T[j,j+1] = √β_j / α_j,
//
// whose eigenvalues (Ritz values) approximate the extreme eigenvalues of M⁻¹A
// from inside (Golub and Van Loan, 2013, §11.3; Saad, 2003, §6.7.3). LinearCG
// reports them: the condition number of the 4DVar Hessian for free.
//
// # Schedules and clipping
//
// StepDecay, ExponentialDecay and CosineDecay give η as a function of the
// epoch, ReduceOnPlateau lowers it when a monitored loss stops improving (all
// as PyTorch's torch.optim.lr_scheduler); set it with Stepper.SetRate between
// steps. ReduceOnPlateau carries a state from epoch to epoch (rate, best loss,
// bad epochs, cooldown) that State and SetState save and restore, as a
// Resumable's, so that a resumed run lowers the rate when the uninterrupted
// one would. ClipNorm rescales a gradient whose global norm exceeds a bound, the
// usual cure for exploding gradients (Pascanu, Mikolov and Bengio, 2013).
//
// # Divergence
//
// A cost or gradient that comes back NaN or ±Inf stops the run with status
// Diverged (Unbounded for J = -Inf) and a *DivergenceError naming the
// iteration, the evaluation and the offending component: never silently.
//
// # References
//
//   - Duchi, Hazan, Singer (2011). Adaptive subgradient methods for online
//     learning and stochastic optimization. JMLR 12.
//   - Golub, Van Loan (2013). Matrix Computations, 4th ed. Johns Hopkins.
//   - Hestenes, Stiefel (1952). Methods of conjugate gradients for solving
//     linear systems. J. Res. Nat. Bur. Standards 49(6).
//   - Kingma, Ba (2015). Adam: a method for stochastic optimization. ICLR.
//   - Liu, Nocedal (1989). On the limited memory BFGS method for large scale
//     optimization. Math. Programming 45.
//   - Loshchilov, Hutter (2017). SGDR: stochastic gradient descent with warm
//     restarts. ICLR. (Cosine schedule.)
//   - Loshchilov, Hutter (2019). Decoupled weight decay regularization. ICLR.
//   - Nocedal, Wright (2006). Numerical Optimization, 2nd ed. Springer.
//   - Pascanu, Mikolov, Bengio (2013). On the difficulty of training recurrent
//     neural networks. ICML.
//   - Reddi, Kale, Kumar (2018). On the convergence of Adam and beyond. ICLR.
//   - Saad (2003). Iterative Methods for Sparse Linear Systems, 2nd ed. SIAM.
//   - Sutskever, Martens, Dahl, Hinton (2013). On the importance of
//     initialization and momentum in deep learning. ICML.
//   - Zeiler (2012). ADADELTA: an adaptive learning rate method. arXiv:1212.5701.
package optimize

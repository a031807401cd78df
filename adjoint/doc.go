// Package adjoint is adjunto's differentiation engine: one tape that gives tangent-linear (TL)
// and adjoint (AD) derivatives of programs built from primitives, for 4DVar cost functions
// and neural-network losses alike.
//
// # Tangent-linear and adjoint
//
// A program is a chain of differentiable maps x_0 → x_1 → … → x_K followed by a cost J. For a
// primitive y = f(x_1, …, x_n) the tangent-linear model propagates perturbations forward,
//
//	δy = Σ_i ∂f/∂x_i · δx_i          (forward mode, a Jacobian-vector product, JVP)
//
// and the adjoint model propagates sensitivities backward,
//
//	x̃_i += (∂f/∂x_i)ᵀ ỹ              (reverse mode, a vector-Jacobian product, VJP)
//
// where x̃ = ∂J/∂x is the adjoint variable. The adjoint rule accumulates: a value used by two
// primitives receives both contributions. Backpropagation through a neural network is exactly
// this reverse sweep, with the weights in place of the initial state.
//
// # The tape
//
// A Tape records primitives as they are applied. Inputs are either variables (active: they
// carry tangents and adjoints) or constants (passive). Every value computed from a variable is
// active too; the sweeps skip the rest.
//
//	t := adjoint.NewTape()
//	x := t.Vector([]float64{1, 2})
//	J := adjoint.SumSquares(adjoint.Tanh(x))
//	t.Gradient(J) // x.Adj now holds ∂J/∂x
//
// On a recorded tape, Gradient and VJP run reverse sweeps and JVP runs forward tangent sweeps,
// as often as needed and without re-running the forward: Gauss-Newton products Jᵀ W J v
// (GaussNewton) need many of them per linearisation. HessVec gives Hessian-vector products by
// central differences of adjoint gradients; HessVecExact gives them exactly, by forward over
// reverse: the tangent of the adjoint sweep, from each primitive's second-order rule
// (SecondOrder; the rules are listed in secondorder.go). Forward replays the recorded program at new input values
// (update the inputs' Data in place first), so a training loop or a minimiser records its
// program once and then evaluates and differentiates it with no allocation.
//
// # Primitives
//
// Elementwise: Add, Sub, Mul, Div (with a 1×1 operand broadcast), Scale, Neg, Square, Exp,
// Log, Sqrt, Pow. Activations: Step, Identity, ReLU, LeakyReLU, Tanh, Sigmoid, Swish,
// Softplus; row-wise Softmax and LogSoftmax. Linear algebra (gonum BLAS): MatMul, MatVec,
// Dense (X·Wᵀ + b with the bias broadcast over the rows), AddRow, Transpose, Reshape.
// Reductions: Sum, Mean, Dot, SumSquares. Indexing: Gather, Scatter, Slice, Concat and the
// circular Shift that Lorenz-96 needs.
//
// # Fused primitives
//
// A primitive is any type that implements Primitive: Forward, Tangent and Adjoint. Built-in and
// user-defined primitives are recorded alike with Tape.Apply. Writing a whole model step as one
// primitive with hand-written TL and AD code is how operational adjoint models are written and
// how hot paths get fast; package verify proves such code right against the composed version.
//
// # Time loops and checkpointing
//
// Model is the contract of a discrete-time dynamical model with hand-written TL and AD steps,
// shared by the models that implement it and the assimilation that uses them. The adjoint of
// a K-step time loop needs the states in reverse order. Loop runs a loop of a model given as a
// Stepper (Step and StepAdjoint, the part of Model it needs) and its adjoint under a
// checkpointing Policy: StoreAll keeps every state, StoreEvery{K} keeps every K-th and
// recomputes the rest, and Revolve{Snapshots} follows the binomial schedule of Griewank and
// Walther, which needs only s stored states for a logarithmic growth of recomputation. Every
// policy gives the same gradient to the last bit. The comment at the top of checkpoint.go
// gives the recursion and the step counts. A LoopCost adds one term per state (a 4DVar
// observation term); a Forcing adds a term to each step, x_{k+1} = M(x_k) + η_{k+1}, and
// receives its gradient x̃_k as the sweep passes (weak-constraint 4DVar's model errors).
// ParsePolicy reads the policies' String forms (all, every:K, revolve:S) and LoopBytes
// estimates the memory a policy holds.
//
// # Shapes
//
// A Value has an explicit shape rows×cols, row-major, with rows as batch items: a vector of
// length n is 1×n. Mismatched shapes are programming errors and panic with the primitive's name
// and both shapes.
//
// # References
//
// A. Griewank and A. Walther, Evaluating Derivatives: Principles and Techniques of Algorithmic
// Differentiation, 2nd ed., SIAM, 2008.
//
// O. Talagrand and P. Courtier, Variational assimilation of meteorological observations with
// the adjoint vorticity equation. I: Theory, Q. J. R. Meteorol. Soc. 113, 1311–1328, 1987.
package adjoint

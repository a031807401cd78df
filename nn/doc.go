// Package nn builds and trains fully connected neural networks whose every derivative comes
// from adjunto's adjoint engine: backpropagation is the adjoint method, with the weights in
// the place of the initial state of a 4DVar window.
//
// # The network as a chain of maps
//
// A fully connected network maps an input x^(0) through K layers,
//
//	x^(k+1) = h^(k)(W^(k) x^(k) + b^(k)),   k = 0, …, K−1,
//
// with weights W^(k), biases b^(k) and elementwise activations h^(k) (identity, binary step,
// ReLU, leaky ReLU, tanh, sigmoid, swish, softplus). Training minimises a loss J over the
// parameters w = (W^(0), b^(0), …): the course's J = 1/(2N) Σ_i ‖x_i^(K) − y_i‖² (CourseMSE),
// PyTorch's mean-squared error (MeanSquaredError, named apart so that the factor 2 between
// them cannot be confused), binary cross-entropy and cross-entropy on logits, with an optional
// penalty λ/2 Σ|w|^q (Penalty). The output head turns the last layer into predictions:
// identity for regression, sigmoid for binary and multi-label classification, softmax for
// multi-class; the losses on logits fold the head into a numerically stable formula.
//
// # Backpropagation is the adjoint model
//
// Each layer is a primitive of package adjoint with a forward, a tangent-linear and an adjoint
// rule. The reverse sweep over the recorded chain propagates x̃^(k) = ∂J/∂x^(k) backwards,
//
//	z̃ = h'(z) ⊙ x̃^(k+1),   x̃^(k) += W^(k)ᵀ z̃,   W̃^(k) += z̃ x^(k)ᵀ,   b̃^(k) += z̃,
//
// which is backpropagation; for a batch (items as rows, X·Wᵀ + b) the products become
// matrix products, which gonum's BLAS computes. There is no separate backprop code: the
// tests check whole networks with package verify (dot-product, Taylor and finite-difference
// tests), and the loss and gradients of a small tanh network against PyTorch to 1e-12.
//
// # Recording once, replaying every step
//
// A Network keeps its parameters in one flat vector (Params) and its gradient in another. For
// each batch size it records its program once on an adjoint.Tape: the variables alias windows
// of the parameter vector, their adjoints alias windows of the gradient vector, and the batch
// is a pair of constants whose data is overwritten in place. A training step copies a batch
// in, replays the tape forward, sweeps it backward, and lets the optimiser (package optimize)
// update the parameter vector: no allocation once the program exists.
//
// # Layers are open
//
// A network is a list of values of the Layer interface: a kind name, a Setup that checks the
// settings against the input width and declares the widths, parameters and state, and a
// Record that records the layer on the tape from the parameter blocks a Recorder hands out.
// Dense, Act, Dropout and BatchNorm are the built-in kinds; a new kind is written outside the
// package (see the custom-layer example), proved right with CheckNetwork and made loadable
// from model files with RegisterLayer. Model files are JSON with a format version: version 2
// adds the training state to version 1, which still loads.
//
// # Dropout and batch normalisation
//
// Inverted dropout (Srivastava et al. 2014) zeroes each unit with probability p in training
// and scales the others by 1/(1−p), so that evaluation is the identity; its primitive draws a
// new mask from a seeded generator on every replay. Monte Carlo dropout keeps the masks random
// at prediction and reports the mean and spread of T passes as a measure of the model's
// uncertainty (Gal and Ghahramani 2016). Batch normalisation (Ioffe and Szegedy 2015)
// standardises each unit over the batch in training, x̂ = (x − μ_B)/√(σ²_B + ε), y = γ x̂ + β,
// while keeping running averages of μ and σ² that replace the batch statistics in evaluation;
// the course names it among the remedies for vanishing gradients. Both are fused primitives
// with hand-written tangent and adjoint rules, tested against the same maps composed from
// engine primitives.
//
// # Initialisation, data and training
//
// Weights start from Glorot/Xavier (uniform or normal, variance 2/(fan_in+fan_out)) or
// Kaiming/He (variance 2/fan_in, for ReLU) draws from an explicit seed, biases at zero.
// Datasets come from CSV files (ReadCSV names the file, line and column of any bad cell), are
// split 70/15/15 with a seed, and standardised with statistics of the training part only
// (Model.Standardize, Model.Transform). Train runs epochs of shuffled mini-batches with any
// stepping optimiser, under a learning-rate schedule and with gradient clipping if asked, or
// full-batch L-BFGS, CG or Newton (on Hessian-vector products from central differences of
// adjoint gradients), with early stopping on the validation loss (patience, minimum
// improvement, best parameters restored) and divergence detection. It returns the state
// (optimiser moments, batch order, dropout generator, the plateau rule's counts, the best
// epoch and the last epoch's parameters) from which a later Train resumes bit for bit, saved
// with the model: a resumed run lowers the rate and stops early at the epochs the
// uninterrupted run would.
//
// # References
//
// X. Glorot and Y. Bengio, Understanding the difficulty of training deep feedforward neural
// networks, AISTATS 2010.
//
// K. He, X. Zhang, S. Ren and J. Sun, Delving deep into rectifiers, ICCV 2015.
//
// S. Ioffe and C. Szegedy, Batch normalization: accelerating deep network training by reducing
// internal covariate shift, ICML 2015.
//
// N. Srivastava, G. Hinton, A. Krizhevsky, I. Sutskever and R. Salakhutdinov, Dropout: a
// simple way to prevent neural networks from overfitting, JMLR 15, 1929–1958, 2014.
//
// Y. Gal and Z. Ghahramani, Dropout as a Bayesian approximation: representing model
// uncertainty in deep learning, ICML 2016.
//
// L. Prechelt, Early stopping — but when?, in Neural Networks: Tricks of the Trade, 1998.
package nn

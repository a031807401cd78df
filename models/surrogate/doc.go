// Package surrogate provides models whose dynamics is a neural network: the network is the
// model inside the time loop, so that 4DVar can assimilate with it and learn it.
//
// # The model
//
// On a periodic 1-D grid of N points (Lorenz-96's ring), the tendency of variable i is a
// fully connected network of its stencil x_{i−r} … x_{i+r}, the same network at every point,
// optionally added to a known physical tendency φ (a hybrid model that corrects a wrong
// physical model):
//
//	dx_i/dt = φ_i(x) + NN_w(x_{i−r}, …, x_{i+r}),
//
// integrated with RK4. The network is an nn.Model, whose scalers standardise the stencil and
// scale the output; its weights w are the model's parameters (adjoint.Model.Params).
//
// # Derivatives for free
//
// One RK4 step is recorded on an adjoint.Tape from the engine's primitives (Gather for the
// stencils, the network's Dense layers and activations), once, and replayed at every step.
// The step is package lorenz's (lorenz.Integrator.StepOn) and a hybrid's physics L96 is
// lorenz.L96TendencyOn, so a hybrid whose network outputs zero is lorenz's Lorenz-96 to the
// last bit (Checks tests it). The tangent-linear step is a JVP of the recording and the
// adjoint step a VJP, with respect to the state and the weights: no derivative code is written
// for the surrogate, and Checks proves it with the dot-product, Taylor, gradient and
// finite-difference tests. The step also keeps its evaluation for adjoint.Loop's Tape option,
// written by the forward sweep straight into the step tape (adjoint.Tape.Bind), so that the
// adjoint sweep needs neither a replay nor a copy (BenchmarkWindow times a window's gradient
// with respect to states and weights against its forward integration).
//
// # Batches
//
// A Model steps Batch independent states stacked in one vector, with one network evaluation
// per stage for all of them, split into parts stepped in parallel: the layout of a training
// cost over many windows (package learn).
package surrogate

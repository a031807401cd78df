// Package experiments regenerates every figure of the course adjunto grew from: each figure is
// an Experiment, a function from a config to metrics and figures, that a student or a
// teacher can run again, change a parameter of, and compare.
//
// # Experiments
//
// All lists them in the course's order:
//
//   - activations: the eight activations of the engine and their derivatives, computed by
//     the engine's tangent-linear sweep and checked against its adjoint sweep and central
//     differences;
//   - fit-1-100-1, net-1-2-1: what one hidden layer does, from 100 units down to the two
//     that make a bump, with the meaning of every parameter;
//   - overfitting, regularization, learning-rate, batch-size: the training pathologies
//     and their remedies (early stopping, L2, L1, dropout, AdamW; the stability limit
//     2/λ_max of gradient descent; the noise and the cost of small batches);
//   - optimizers, hessian-2d: minimisers racing on 2-D surfaces (with an animated GIF), and
//     the four kinds of quadratic forms with what gradient descent and Newton do on each;
//   - vanishing-gradients: per-layer gradient norms of a 30-layer network, by activation,
//     initialisation and batch normalisation;
//   - backprop-is-adjoint: one gradient computed by backpropagation and by the adjoint of a
//     "4DVar over layers" with hand-written layer adjoints, equal to machine precision;
//   - dropout-uncertainty: Monte Carlo dropout's band widening away from the data;
//   - lorenz63-4dvar, lorenz96-4dvar, window-length: cycled 4DVar twin experiments and the
//     analysis error against the window length, strong-constraint and incremental.
//
// # Configs
//
// An experiment's config is a struct whose exported fields with a json tag are its keys; a
// `help` tag says what each means, and Validate checks their domains. DefaultConfig returns
// the defaults, sized so that all experiments together run in well under a minute on two
// cores; Set changes one key from its text form ("lr=1e-3", "sizes=2,16,1"), with an error
// that names the key and the type it wants. Every random draw comes from math/rand/v2 PCG
// generators seeded from the config, so a config determines its metrics bit for bit (wall
// times excepted).
//
// # Results
//
// Run writes into a directory: each figure as PNG and SVG (an animation as GIF), the series
// behind it as CSV, metrics.json, config.json and manifest.json, which lists the figures with
// their captions. The files are written into a fresh directory that replaces the old one
// only once the run has succeeded, so a failed or interrupted run never leaves half a
// result, nor destroys an earlier one. Metrics may hold non-finite numbers (a diverged loss):
// they are written as the strings "NaN", "+Inf" and "-Inf".
//
// WriteReport gathers results into one static index.html: every figure with its caption, its
// metrics as tables and its config, viewable from the file system without a server or any
// JavaScript.
package experiments

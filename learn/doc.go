// Package learn learns dynamics by data assimilation: a model's physical parameters, or the
// weights of a network that is the model, estimated together with the states from noisy,
// partial observations, with one adjoint engine giving every gradient.
//
// # One cost, two kinds of parameters
//
// For a model x_{k+1} = M_θ(x_k) observed on a regular time grid, the cost over W consecutive
// windows of K steps is
//
//	J(θ, x_0^1 … x_0^W) = ½‖(θ − θ_b)/σ_θ‖² + ½ Σ_w Σ_k ‖H_k^w (y_k^w − x_k^w)‖² / σ_o²
//	                      + ½ Σ_w ‖x_0^{w+1} − x_K^w‖² / σ_q²,
//
// where H selects the variables observed at each time. θ is whatever the model calls its
// parameters (adjoint.Model.Params): Lorenz-63's (σ, ρ, β), Lorenz-96's F, or the weights
// and biases of the network of a surrogate.Model. The windows' initial states are controls
// too, and the last term, the weak-constraint link of Bocquet et al. (2020), makes the
// windows one long trajectory with a model error of standard deviation σ_q where they meet.
// One forward integration of all windows, stacked in one state vector (Stack, or a
// surrogate's native batch), and one adjoint integration back give the gradient with respect
// to θ and every state together: Cost, minimised by Fit with L-BFGS.
//
// Independent short windows (σ_q = 0) give biased parameters: each window's free initial
// state absorbs part of the observation noise, an errors-in-variables bias that grows with
// σ_o; linking the windows removes it (TestLinkedWindowsRemoveTheBias).
//
// # What it offers
//
//   - Observe: a truth run with noisy, partial observations (a fixed or a random subset of
//     the variables at each time).
//   - EstimateParams: the parameters of Lorenz-63 or Lorenz-96 with the states of linked
//     windows, for several noise levels.
//   - NewNetwork, TrainSurrogate: a network of the stencil x_{i−r} … x_{i+r} that is the
//     model inside the time loop (package models/surrogate), or corrects a known physics
//     (a hybrid model), trained by minimising Cost over weights and states in stages of
//     lengthening windows; Supervised: the same network trained on clean, complete
//     tendencies, the upper bound.
//   - Forecast, Lyapunov, Cycle: the scores of a learned model, forecast valid time against
//     a truth run (normalised RMSE passing 0.5), leading Lyapunov exponent from its TL model,
//     and cycled 4DVar analysis RMSE with the model against a truth of the true model.
//
// # Literature
//
// Bocquet, Brajard, Carrassi and Bertino (2019), Data assimilation as a learning tool to infer
// ordinary differential equation representations of dynamical models, Nonlin. Processes
// Geophys. 26, 143–162; Bocquet, Brajard, Carrassi and Bertino (2020), Bayesian inference of
// chaotic dynamics by merging data assimilation, machine learning and
// expectation-maximization, Foundations of Data Science 2, 55–80; Brajard, Carrassi, Bocquet
// and Bertino (2020), Combining data assimilation and machine learning to emulate a dynamical
// model from sparse and noisy observations: a case study with the Lorenz 96 model, J. Comput.
// Sci. 44, 101171.
package learn

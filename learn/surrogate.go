package learn

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/models/surrogate"
	"github.com/adjunto/adjunto/nn"
	"github.com/adjunto/adjunto/optimize"
)

// NewNetwork returns a tendency network for surrogate.New: the network spec (such as
// "5-32-32-1:tanh", whose inputs are the stencil), initialised from seed, with scalers
// that standardise its inputs with the mean and standard deviation of the observed values
// and scale its output by outStd, and with its output layer zeroed, so that the untrained
// model adds nothing to its physics (persistence for a pure surrogate): training starts from
// a model that does not blow up.
func NewNetwork(spec string, obs *Observations, outStd float64, seed uint64) (*nn.Model, error) {
	net, err := nn.NewMLP(spec, nn.MLPOptions{}, nn.Config{Seed: seed})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	var s, s2 float64
	cnt := 0
	for _, y := range obs.Y {
		for _, v := range y {
			if !math.IsNaN(v) {
				s += v
				s2 += v * v
				cnt++
			}
		}
	}
	if cnt < 2 {
		return nil, fmt.Errorf("%w: %d observed values: too few to scale a network", ErrInput, cnt)
	}
	mean := s / float64(cnt)
	std := math.Sqrt(max(s2/float64(cnt)-mean*mean, 1e-12))
	in := &nn.Scaler{}
	for range net.In() {
		in.Mean = append(in.Mean, mean)
		in.Std = append(in.Std, std)
	}
	layers := net.Layers()
	w, b := net.LayerParams(len(layers) - 1)
	clear(w)
	clear(b)
	return &nn.Model{Network: net, InputScaler: in, TargetScaler: &nn.Scaler{Mean: []float64{0}, Std: []float64{outStd}}}, nil
}

// Stage is one minimisation of a staged training: windows of Steps steps, linked by Link
// (σ_q, zero for independent windows), for at most Iterations L-BFGS iterations, with the
// Freeze parts held.
type Stage struct {
	Steps      int     `json:"steps"`
	Link       float64 `json:"link"`
	Iterations int     `json:"iterations"`
	Freeze     Part    `json:"freeze,omitempty"`
}

// DefaultStages are the stages TrainSurrogate uses by default: windows that lengthen from
// 5 to 20 steps (0.25 to 1 time unit of Lorenz-96), so that the weights are first fitted
// where the trajectories from the first-guess states are still short, and then where the
// model must carry information further, as in multiple shooting with a growing horizon.
var DefaultStages = []Stage{{Steps: 5, Iterations: 200}, {Steps: 10, Link: 0.5, Iterations: 300}, {Steps: 20, Link: 0.3, Iterations: 1000}}

// Progress is the record of one training iteration, passed to TrainConfig.OnIteration.
type Progress struct {
	Stage     int     // the stage, from 0
	Iteration int     // the iteration within the stage
	Cost      float64 // J
	GradNorm  float64 // ‖∇J‖
	Elapsed   time.Duration
}

// TrainConfig sets up TrainSurrogate.
type TrainConfig struct {
	// Stages are the minimisations in turn; nil means DefaultStages.
	Stages []Stage
	// PriorSigma is the prior standard deviation of the weights (a weight decay of
	// 1/(2σ²)); zero means 1.
	PriorSigma float64
	// OnIteration, if not nil, is called after every iteration; an error stops the training
	// and is returned.
	OnIteration func(Progress) error
	// OnStage, if not nil, is called with the network at the end of every stage, so that
	// the caller can write the weights out. A stage that diverges ends at its best point
	// before the divergence, which OnStage receives too before the training stops: what was
	// written last is the best so far.
	OnStage func(stage int, net *nn.Model) error
}

// History is the outcome of a training.
type History struct {
	// Cost holds J at every iteration of every stage, in order; StageStarts[s] is the index
	// of stage s's first iteration in it.
	Cost        []float64
	StageStarts []int
	// States are the windows' initial states at the end of the last stage, with its window
	// length StateSteps: the analysis of the training period.
	States     []float64
	StateSteps int
	// Status is the minimiser's status of each stage.
	Status []optimize.Status
}

// TrainSurrogate trains the network net, the tendency of a surrogate model with the known
// physics phys (nil for a pure surrogate) of time step dt, from the observations obs, by
// minimising the multi-window Cost over the weights and the windows' initial states together,
// stage after stage (see Stage). Each stage's states start from the previous stage's (the
// first from Cost.FirstGuess), integrated with the current model to the new window starts.
// The weights in net are the result. A stage that diverges stops the training with an error
// wrapping ErrDiverged; net then holds the best weights that stage reached.
func TrainSurrogate(net *nn.Model, phys surrogate.Physics, dt float64, obs *Observations, c TrainConfig) (*History, error) {
	stages := c.Stages
	if stages == nil {
		stages = DefaultStages
	}
	ps := c.PriorSigma
	if ps == 0 {
		ps = 1
	}
	one, err := surrogate.New(net, surrogate.Config{N: obs.N, Dt: dt, Physics: phys})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	for i, s := range stages {
		if s.Steps < 1 || s.Steps > obs.Steps() || s.Iterations < 1 || !(s.Link >= 0) {
			return nil, fmt.Errorf("%w: stage %d: windows of %d steps (the observations span %d), %d iterations, link %v",
				ErrInput, i, s.Steps, obs.Steps(), s.Iterations, s.Link)
		}
	}
	h := &History{}
	var states []float64
	prevSteps := 0
	start := time.Now()
	for si, s := range stages {
		windows := obs.Steps() / s.Steps
		m, err := surrogate.New(net, surrogate.Config{N: obs.N, Batch: windows, Dt: dt, Physics: phys})
		if err != nil {
			return h, fmt.Errorf("%w: %w", ErrInput, err)
		}
		cost := &Cost{Model: m, Obs: obs, Steps: s.Steps, Windows: windows, Link: s.Link,
			Prior: make([]float64, m.NumParams()), PriorSigma: []float64{ps}, Freeze: s.Freeze}
		if err := cost.Init(); err != nil {
			return h, err
		}
		x0 := make([]float64, m.Dim())
		if states == nil {
			cost.FirstGuess(x0)
		} else {
			restart(one, x0, states, prevSteps, s.Steps, obs.N)
		}
		h.StageStarts = append(h.StageStarts, len(h.Cost))
		settings := &optimize.Settings{MaxIterations: s.Iterations, Callback: func(it optimize.Iteration) error {
			h.Cost = append(h.Cost, it.J)
			if c.OnIteration != nil {
				return c.OnIteration(Progress{Stage: si, Iteration: it.Iter, Cost: it.J, GradNorm: it.GradNorm, Elapsed: time.Since(start)})
			}
			return nil
		}}
		res, err := Fit(cost, m.Params(), x0, settings) // sets the best weights, shared with net
		if res == nil {
			return h, fmt.Errorf("stage %d of %d: %w", si+1, len(stages), err)
		}
		h.Status = append(h.Status, res.Status)
		if c.OnStage != nil {
			if err := c.OnStage(si, net); err != nil {
				return h, err
			}
		}
		if err != nil && !errors.Is(err, optimize.ErrLineSearch) {
			return h, fmt.Errorf("stage %d of %d: %w", si+1, len(stages), err)
		}
		states = append(states[:0], cost.States(res.X)...)
		prevSteps = s.Steps
		h.States, h.StateSteps = states, s.Steps
	}
	return h, nil
}

// restart writes into x0 the initial states of windows of steps steps from the initial
// states prev of windows of prevSteps steps: each new window starts from the last old window
// that starts at or before it, integrated with m to the new start.
func restart(m adjoint.Model, x0, prev []float64, prevSteps, steps, n int) {
	y := make([]float64, n)
	tmp := make([]float64, n)
	for w := range len(x0) / n {
		s := w * steps
		p := min(s/prevSteps, len(prev)/n-1)
		copy(tmp, prev[p*n:(p+1)*n])
		for range s - p*prevSteps {
			m.Step(y, tmp)
			tmp, y = y, tmp
		}
		copy(x0[w*n:(w+1)*n], tmp)
	}
}

// Supervised trains net, the tendency network of a surrogate with the known physics known
// (nil for none), on clean and complete data: for every grid point of every state in states,
// the stencil around it as input and the residual tendency target(x)_i − known(x)_i as
// target, with full-batch L-BFGS for at most iters iterations. It is the upper bound of what
// the network can learn, against which learning from noisy, partial observations is judged.
func Supervised(net *nn.Model, target, known surrogate.Physics, states [][]float64, iters int) (*optimize.Result, error) {
	if len(states) == 0 || iters < 1 {
		return nil, fmt.Errorf("%w: supervised training on %d states for %d iterations", ErrInput, len(states), iters)
	}
	n := len(states[0])
	in := net.Network.In()
	r := in / 2
	if in%2 == 0 || in > n || net.Network.Out() != 1 {
		return nil, fmt.Errorf("%w: a %d→%d network for the stencil of a %d-point grid", ErrInput, in, net.Network.Out(), n)
	}
	tend := Tendencies(target, known, states)
	x := make([]float64, 0, len(states)*n*in)
	for _, s := range states {
		for i := range n {
			for d := -r; d <= r; d++ {
				x = append(x, s[((i+d)%n+n)%n])
			}
		}
	}
	ds, err := nn.NewDataset(x, tend, len(states)*n, in, 1)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	if net.InputScaler != nil {
		net.InputScaler.Transform(ds.X)
	}
	if net.TargetScaler != nil {
		net.TargetScaler.Transform(ds.Y)
	}
	p := optimize.Problem{FuncGrad: func(grad, w []float64) float64 {
		net.Network.SetParams(w)
		return net.Network.Objective(grad, ds)
	}}
	res, err := optimize.Minimize(p, net.Network.Params(), &optimize.Settings{MaxIterations: iters}, &optimize.LBFGS{})
	if res != nil {
		net.Network.SetParams(res.X)
	}
	if errors.Is(err, optimize.ErrLineSearch) {
		err = nil
	}
	return res, err
}

// Tendencies returns target(x) − known(x) (known nil: target(x)) for every state x, stacked:
// one tape recorded once and replayed.
func Tendencies(target, known surrogate.Physics, states [][]float64) []float64 {
	n := len(states[0])
	tp := adjoint.NewTape()
	x := tp.Constant(make([]float64, n), 1, n)
	f := target(x, n)
	if known != nil {
		f = adjoint.Sub(f, known(x, n))
	}
	out := make([]float64, 0, len(states)*n)
	for _, s := range states {
		copy(x.Data, s)
		tp.Forward()
		out = append(out, f.Data...)
	}
	return out
}

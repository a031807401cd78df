package learn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/models/lorenz"
	"github.com/adjunto/adjunto/optimize"
)

// ParamsConfig sets up the estimation of a Lorenz model's parameters with its initial
// states. The zero value of each field selects the default documented on it.
type ParamsConfig struct {
	// Model is "lorenz63" (σ, ρ, β) or "lorenz96" (F, N = 40); "" means lorenz63.
	Model string
	// Sigmas are the observation error standard deviations σ_o, one estimation each; nil
	// means 0.1, 0.5, 1 and 2.
	Sigmas []float64
	// Windows is the number of consecutive windows; zero means 20.
	Windows int
	// Steps is the number of model steps per window; zero means 50 for Lorenz-63 (0.5 time
	// units) and 10 for Lorenz-96 (0.5 time units).
	Steps int
	// Link is σ_q, the model error allowed where windows meet (see Cost); zero means 0.1,
	// negative means independent windows.
	Link float64
	// Every is the number of model steps between observation times; zero means 5 for
	// Lorenz-63 and 1 for Lorenz-96.
	Every int
	// Fraction is the fraction of the variables observed at each observation time, a
	// different random subset each time; zero means 2/3 for Lorenz-63 and 1/2 for Lorenz-96.
	Fraction float64
	// Fixed observes a fixed, evenly spaced subset of the variables instead, so that the
	// others are never observed.
	Fixed bool
	// Guess is the first guess of the parameters; nil means 80 % of the truth's.
	Guess []float64
	// PriorSigma is the standard deviation of the first guess's error, one for all
	// parameters; zero means half the largest true parameter (a weak prior).
	PriorSigma float64
	// MaxIterations bounds the L-BFGS iterations of each estimation; zero means 5000.
	MaxIterations int
	// Seed seeds the truth's start and the observation errors.
	Seed uint64
}

// ParamsRun is the outcome of one estimation.
type ParamsRun struct {
	ObsSigma   float64          // σ_o of the observations
	Names      []string         // the parameters' names
	Truth      []float64        // their true values
	Guess      []float64        // the first guess
	Estimate   []float64        // the estimate
	Error      []float64        // Estimate − Truth
	StateRMSE  float64          // RMSE of the windows' estimated initial states against the truth
	GuessRMSE  float64          // RMSE of the first-guess states
	Iterations int              // L-BFGS iterations
	Status     optimize.Status  // why the minimiser stopped
	Cost       float64          // J at the estimate
	NumObs     int              // scalar observations used
	Result     *optimize.Result // the minimiser's record, History included
}

// ParamNames returns the names of a Lorenz model's parameters as the CLI and the metrics
// files give them.
func ParamNames(model string) ([]string, error) {
	switch model {
	case "", "lorenz63":
		return []string{"sigma", "rho", "beta"}, nil
	case "lorenz96":
		return []string{"F"}, nil
	}
	return nil, fmt.Errorf("%w: model %q: want lorenz63 or lorenz96", ErrInput, model)
}

// lorenzModel returns the named Lorenz model with its defaults.
func lorenzModel(name string) (adjoint.Model, error) {
	switch name {
	case "", "lorenz63":
		return lorenz.NewL63(), nil
	case "lorenz96":
		return lorenz.NewL96(40)
	}
	return nil, fmt.Errorf("%w: model %q: want lorenz63 or lorenz96", ErrInput, name)
}

func (c ParamsConfig) defaults() ParamsConfig {
	l63 := c.Model == "" || c.Model == "lorenz63"
	if c.Model == "" {
		c.Model = "lorenz63"
	}
	if c.Sigmas == nil {
		c.Sigmas = []float64{0.1, 0.5, 1, 2}
	}
	if c.Windows == 0 {
		c.Windows = 20
	}
	if c.Steps == 0 {
		c.Steps = 10
		if l63 {
			c.Steps = 50
		}
	}
	if c.Link == 0 {
		c.Link = 0.1
	}
	if c.Every == 0 {
		c.Every = 1
		if l63 {
			c.Every = 5
		}
	}
	if c.Fraction == 0 {
		c.Fraction = 0.5
		if l63 {
			c.Fraction = 2.0 / 3
		}
	}
	if c.MaxIterations == 0 {
		c.MaxIterations = 5000
	}
	return c
}

// EstimateParams estimates the parameters of a Lorenz model together with the initial states
// of c.Windows consecutive windows from noisy, partial observations of a truth run, once for
// each observation error σ_o in c.Sigmas, by minimising the multi-window Cost with L-BFGS.
// It returns an error wrapping ErrInput for settings out of their domains.
func EstimateParams(c ParamsConfig) ([]ParamsRun, error) {
	c = c.defaults()
	m, err := lorenzModel(c.Model)
	if err != nil {
		return nil, err
	}
	names, _ := ParamNames(c.Model)
	truth := m.Params()
	guess := c.Guess
	if guess == nil {
		guess = make([]float64, len(truth))
		for i, p := range truth {
			guess[i] = 0.8 * p
		}
	}
	if len(guess) != len(truth) {
		return nil, fmt.Errorf("%w: a guess of %d parameters for %s's %d", ErrInput, len(guess), c.Model, len(truth))
	}
	ps := c.PriorSigma
	if ps == 0 {
		for _, p := range truth {
			ps = max(ps, math.Abs(p)/2)
		}
	}
	link := c.Link
	if link < 0 {
		link = 0
	}
	if c.Windows < 1 || c.Steps < 1 || c.MaxIterations < 1 {
		return nil, fmt.Errorf("%w: %d windows of %d steps, %d iterations", ErrInput, c.Windows, c.Steps, c.MaxIterations)
	}
	rnd := rand.New(rand.NewPCG(c.Seed, 0x7472))
	x0 := make([]float64, m.Dim())
	for i := range x0 {
		x0[i] = 1 + rnd.NormFloat64()
		if c.Model == "lorenz96" {
			x0[i] += 7
		}
	}
	var runs []ParamsRun
	for _, sigma := range c.Sigmas {
		m.SetParams(truth)
		tw, err := Observe(m, x0, 1000, c.Windows*c.Steps, c.Every, sigma, c.Fraction, !c.Fixed, c.Seed)
		if err != nil {
			return runs, err
		}
		cost := &Cost{Model: Stack(m, c.Windows), Obs: tw.Obs, Steps: c.Steps, Windows: c.Windows, Link: link,
			Prior: guess, PriorSigma: []float64{ps}}
		if err := cost.Init(); err != nil {
			return runs, err
		}
		first := make([]float64, cost.Model.Dim())
		cost.FirstGuess(first)
		res, err := Fit(cost, guess, first, &optimize.Settings{MaxIterations: c.MaxIterations})
		if res == nil {
			return runs, err
		}
		if errors.Is(err, optimize.ErrLineSearch) {
			err = nil // the best point is kept: near a minimum the line search runs out of digits
		}
		r := ParamsRun{ObsSigma: sigma, Names: names, Truth: truth, Guess: guess, Estimate: make([]float64, len(truth)),
			Iterations: res.Iterations, Status: res.Status, Cost: res.J, Result: res}
		cost.Params(r.Estimate, res.X)
		for i := range truth {
			r.Error = append(r.Error, r.Estimate[i]-truth[i])
		}
		r.StateRMSE = StateRMSE(cost.States(res.X), tw.Truth, c.Steps, m.Dim())
		r.GuessRMSE = StateRMSE(first, tw.Truth, c.Steps, m.Dim())
		for _, y := range tw.Obs.Y {
			for _, v := range y {
				if !math.IsNaN(v) {
					r.NumObs++
				}
			}
		}
		runs = append(runs, r)
		m.SetParams(truth)
		if err != nil {
			return runs, fmt.Errorf("σ_o = %v: %w", sigma, err)
		}
	}
	return runs, nil
}

// StateRMSE returns the RMSE of the initial states x0 of consecutive windows of steps steps
// each, stacked (n variables each), against the truth (truth[k] at model step k) at the
// windows' starts: how well a training or an estimation analysed the states.
func StateRMSE(x0 []float64, truth [][]float64, steps, n int) float64 {
	s := 0.0
	for i, v := range x0 {
		d := v - truth[(i/n)*steps][i%n]
		s += d * d
	}
	return math.Sqrt(s / float64(len(x0)))
}

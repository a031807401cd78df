package experiments

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/plot/vg"

	"github.com/adjunto/adjunto/nn"
	"github.com/adjunto/adjunto/optimize"
)

// net121Config configures the net-1-2-1 experiment.
type net121Config struct {
	Activations []string `json:"activations" help:"activations to try (relu, tanh, sigmoid, ...)"`
	Points      int      `json:"points" help:"training points"`
	Noise       float64  `json:"noise" help:"standard deviation of the noise on the targets"`
	Iterations  int      `json:"iterations" help:"L-BFGS iterations per start"`
	Restarts    int      `json:"restarts" help:"random starts per activation; the best is kept"`
	Seed        uint64   `json:"seed" help:"seed of the data and the starts"`
}

// defaultNet121Config returns the defaults.
func defaultNet121Config() net121Config {
	return net121Config{Activations: []string{"relu", "tanh", "sigmoid"}, Points: 60, Noise: 0.02, Iterations: 400, Restarts: 8, Seed: 1}
}

// Validate checks the domains of the fields.
func (c *net121Config) Validate() error {
	if len(c.Activations) == 0 {
		return fmt.Errorf("activations: need at least one")
	}
	for _, a := range c.Activations {
		if _, err := nn.ParseActivation(a); err != nil {
			return fmt.Errorf("activations: %v", err)
		}
	}
	return firstErr(checkPositive("points", c.Points), checkPositive("iterations", c.Iterations),
		checkPositive("restarts", c.Restarts), nonNegative("noise", c.Noise), fits("points", c.Points, 64))
}

// unit describes one hidden unit a = h(w x + b) and its weight v in the output.
type unit struct {
	W float64 `json:"w"` // input weight w_i
	B float64 `json:"b"` // bias b_i
	V float64 `json:"v"` // output weight v_i
	// Breakpoint −b/w is where the unit switches on (ReLU) or is steepest (tanh, sigmoid).
	Breakpoint float64 `json:"breakpoint"`
}

// net121Run is the fitted 1-2-1 network for one activation.
type net121Run struct {
	Activation string  `json:"activation"` // h, on both links
	J          float64 `json:"J"`          // training J of the best start
	Units      [2]unit `json:"units"`      // the two hidden units
	// C is the output bias: y = h(v₁a₁ + v₂a₂ + c).
	C     float64 `json:"c"`
	Start int     `json:"best_start"`
}

// net121Metrics are the metrics of the net-1-2-1 experiment.
type net121Metrics struct {
	Runs []net121Run `json:"runs"` // one per activation
}

// bump is the target: a plateau of height 0.8 on a floor at 0.1 (within every activation's
// range), with smooth flanks at x = ±1.5.
func bump(x float64) float64 { return 0.1 + 0.4*(math.Tanh(3*(x+1.5))-math.Tanh(3*(x-1.5))) }

func net121Experiment() *Experiment {
	return Define("net-1-2-1",
		"the 2-hidden-unit network with activations on both links: learned parameters and hidden basis functions",
		"The smallest network that can make a bump: x → a_i = h(w_i x + b_i), i = 1, 2 → y = h(v₁a₁ + v₂a₂ + c), with "+
			"the activation h on both links, fitted by L-BFGS (best of several random starts) to noisy samples of a plateau "+
			"with flanks at x = ±1.5. What do the parameters mean? Each hidden unit is a step (sigmoid, tanh) or a ramp "+
			"(ReLU) located at its breakpoint x = −b_i/w_i, with steepness |w_i|; the sign of w_i v_i says whether it "+
			"steps up or down, and |v_i| how far. The sigmoid network finds the textbook answer: an up-step at the left "+
			"flank and a down-step at the right, of equal heights, with c setting the floor. The tanh network does the "+
			"same with the roles of the signs of w and v swapped. Two ramps cannot make a plateau: the ReLU network makes "+
			"the best tent it can, which the output ReLU cuts off at zero. The lower panels draw the hidden basis "+
			"functions v_i·a_i(x), the table lists the parameters.",
		defaultNet121Config, runNet121)
}

func runNet121(ctx context.Context, cfg *net121Config, out *Output) (*net121Metrics, error) {
	rnd := rand.New(rand.NewPCG(cfg.Seed, 4))
	data := curveData(bump, cfg.Points, -3, 3, cfg.Noise, rnd)
	xs := linspace(-4, 4, 300)
	grid := gridData(xs, bump)
	m := &net121Metrics{}
	tiles := newTileGrid(2, len(cfg.Activations))
	var tb []byte
	tb = fmt.Appendf(tb, "%-8s %10s %10s %10s %10s %10s %10s %10s %10s %10s\n", "h", "J", "w1", "b1", "-b1/w1", "v1", "w2", "b2", "-b2/w2", "v2")
	for k, name := range cfg.Activations {
		act, _ := nn.ParseActivation(name)
		layers := []nn.Layer{nn.Dense(1, 2), nn.Act(act), nn.Dense(2, 1), nn.Act(act)}
		var best *nn.Network
		bestJ, bestStart := math.Inf(1), -1
		for s := range cfg.Restarts {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			out.Progressf("%s: start %d/%d", act, s+1, cfg.Restarts)
			net, err := nn.New(layers, nn.Config{Seed: cfg.Seed*1000 + uint64(s)})
			if err != nil {
				return nil, err
			}
			spreadBreakpoints(net, -3, 3, rand.New(rand.NewPCG(cfg.Seed, uint64(s))))
			_, err = nn.Train(net, data, nil, nn.TrainConfig{Method: &optimize.LBFGS{}, Epochs: cfg.Iterations})
			if err != nil && !isLineSearch(err) {
				return nil, fmt.Errorf("%s, start %d: %w", act, s, err)
			}
			if J := net.Loss(data); J < bestJ {
				best, bestJ, bestStart = net, J, s
			}
		}
		if best == nil {
			return nil, fmt.Errorf("%s: no start gave a finite loss", act)
		}
		w1, b1 := best.LayerParams(0)
		w2, b2 := best.LayerParams(2)
		r := net121Run{Activation: act.String(), J: bestJ, C: b2[0], Start: bestStart}
		for i := range 2 {
			r.Units[i] = unit{W: w1[i], B: b1[i], V: w2[i], Breakpoint: -b1[i] / w1[i]}
		}
		m.Runs = append(m.Runs, r)
		tb = fmt.Appendf(tb, "%-8s %10.3g %10.4g %10.4g %10.4g %10.4g %10.4g %10.4g %10.4g %10.4g\n", act, bestJ,
			r.Units[0].W, r.Units[0].B, r.Units[0].Breakpoint, r.Units[0].V, r.Units[1].W, r.Units[1].B, r.Units[1].Breakpoint, r.Units[1].V)

		fit := newPlot(act.String(), "x", "y")
		addLine(fit, "truth", xs, grid.Y, plotGray, true)
		addPoints(fit, "data", data.X, data.Y, plotBlack, circleGlyph, vg.Points(1.5))
		addLine(fit, "network", xs, predict(best, grid), seriesColor(0), false)
		fit.Legend.Top, fit.Legend.Left = true, true
		basis := newPlot("hidden units v_i·h(w_i x + b_i)", "x", "")
		for i, u := range r.Units {
			ys := make([]float64, len(xs))
			for j, x := range xs {
				ys[j] = u.V * applyActivation(act, u.W*x+u.B)
			}
			addLine(basis, fmt.Sprintf("unit %d: breakpoint %.2f", i+1, u.Breakpoint), xs, ys, seriesColor(i+1), false)
		}
		basis.Legend.Top = true
		tiles[0][k], tiles[1][k] = fit, basis
	}
	if err := out.SaveTiles("net-1-2-1", "Top: the fits. Bottom: the two hidden basis functions, weighted by their output weights.",
		tiles, vg.Length(5.5*float64(len(cfg.Activations)))*vg.Inch, 8*vg.Inch); err != nil {
		return nil, err
	}
	if err := out.AddTable("parameters", "The learned parameters (hidden units a_i = h(w_i x + b_i), output weights v_i)", string(tb)); err != nil {
		return nil, err
	}
	return m, nil
}

// isLineSearch reports whether err is a failed line search of a full-batch method, which
// ends a converged run on a flat spot and leaves the best parameters in place.
func isLineSearch(err error) bool {
	return err != nil && errors.Is(err, optimize.ErrLineSearch)
}

// applyActivation evaluates h at z as the engine does.
func applyActivation(a nn.Activation, z float64) float64 {
	switch a {
	case nn.Step:
		if z >= 0 {
			return 1
		}
		return 0
	case nn.ReLU:
		return math.Max(z, 0)
	case nn.LeakyReLU:
		if z >= 0 {
			return z
		}
		return nn.DefaultLeakySlope * z
	case nn.Tanh:
		return math.Tanh(z)
	case nn.Sigmoid:
		return 1 / (1 + math.Exp(-z))
	case nn.Swish:
		return z / (1 + math.Exp(-z))
	case nn.Softplus:
		return math.Log1p(math.Exp(z))
	}
	return z
}

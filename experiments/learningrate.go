package experiments

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/adjunto/adjunto/nn"
	"github.com/adjunto/adjunto/optimize"

	"github.com/adjunto/adjunto/internal/figure"
)

// learningRateConfig configures the learning-rate experiment.
type learningRateConfig struct {
	Small  float64 `json:"small" help:"the too small learning rate"`
	Good   float64 `json:"good" help:"the good learning rate"`
	Large  float64 `json:"large" help:"the too large (diverging) learning rate"`
	Epochs int     `json:"epochs" help:"epochs of full-batch gradient descent"`
	// Sweep is the number of learning rates, log-spaced over [SweepMin, SweepMax], of the
	// final-J-against-η panel.
	Sweep    int     `json:"sweep" help:"learning rates in the sweep (0: no sweep)"`
	SweepMin float64 `json:"sweep_min" help:"smallest learning rate of the sweep"`
	SweepMax float64 `json:"sweep_max" help:"largest learning rate of the sweep"`
	Hidden   int     `json:"hidden" help:"hidden tanh units"`
	Points   int     `json:"points" help:"training points"`
	Seed     uint64  `json:"seed" help:"seed of the data and the weights"`
}

// defaultLearningRateConfig returns the defaults.
func defaultLearningRateConfig() learningRateConfig {
	return learningRateConfig{Small: 0.01, Good: 0.2, Large: 0.7, Epochs: 1000, Sweep: 17, SweepMin: 1e-3, SweepMax: 10, Hidden: 20, Points: 64, Seed: 1}
}

// Validate checks the domains of the fields.
func (c *learningRateConfig) Validate() error {
	err := firstErr(checkRate("small", c.Small), checkRate("good", c.Good), checkRate("large", c.Large),
		checkPositive("epochs", c.Epochs), nonNegativeInt("sweep", c.Sweep), checkPositive("hidden", c.Hidden),
		checkPositive("points", c.Points), fits("points,hidden", c.Points, c.Hidden, 16), fits("epochs,sweep", c.Epochs, c.Sweep+3, 4))
	if err == nil && c.Sweep > 0 {
		err = firstErr(checkRate("sweep_min", c.SweepMin), checkRate("sweep_max", c.SweepMax))
		if err == nil && !(c.SweepMax > c.SweepMin) {
			err = fmt.Errorf("sweep_max (%g) must exceed sweep_min (%g)", c.SweepMax, c.SweepMin)
		}
	}
	return err
}

// lRRun is one training run with a fixed learning rate.
type lRRun struct {
	Label        string  `json:"label"`    // too small, good, too large, or sweep
	LearningRate float64 `json:"lr"`       // η
	FinalJ       float64 `json:"final_J"`  // J after the last epoch; +Inf if the run diverged
	Diverged     bool    `json:"diverged"` // J or ∇J stopped being finite
	// DivergedEpoch is the epoch in which J or ∇J stopped being finite (0 if it did not).
	DivergedEpoch int `json:"diverged_epoch"`
	// Epoch100J is J after 100 epochs (or at divergence), the speed of the start.
	InitialJ float64 `json:"initial_J"`
}

// learningRateMetrics are the metrics of the learning-rate experiment.
type learningRateMetrics struct {
	Runs  []lRRun `json:"runs"` // the three learning rates of the curves
	Sweep []lRRun `json:"sweep,omitempty"`
	// BestSweepLR is the learning rate of the sweep with the lowest final J.
	BestSweepLR float64 `json:"best_sweep_lr"`
}

func learningRateExperiment() *Experiment {
	return Define("learning-rate",
		"learning rate too small, good and too large (diverging) on one problem",
		"Full-batch gradient descent w ← w − η∇J on one network and one data set (20 tanh units fitting noisy "+
			"samples of a curve), with three learning rates η. Too small, and J creeps down, each step a tiny fraction of "+
			"what it could be. Well chosen, and J falls quickly to the noise level. Too large, beyond 2/λ_max of the "+
			"Hessian's largest eigenvalue, and the steps overshoot the valley further each time: J oscillates, grows and "+
			"becomes infinite; training stops with an error saying in which epoch. The right panel sweeps η: the final J "+
			"falls as η grows until, at the stability limit, it jumps up (crosses mark runs that diverged).",
		defaultLearningRateConfig, runLearningRate)
}

func runLearningRate(ctx context.Context, cfg *learningRateConfig, out *Output) (*learningRateMetrics, error) {
	rnd := rand.New(rand.NewPCG(cfg.Seed, 6))
	data := curveData(fitTarget, cfg.Points, -3, 3, 0.05, rnd)
	spec := fmt.Sprintf("1-%d-1:tanh", cfg.Hidden)
	runLR := func(label string, lr float64) (lRRun, *nn.History, error) {
		net, err := nn.NewMLP(spec, nn.MLPOptions{}, nn.Config{Seed: cfg.Seed})
		if err != nil {
			return lRRun{}, nil, err
		}
		r := lRRun{Label: label, LearningRate: lr, InitialJ: net.Loss(data)}
		h, err := nn.Train(net, data, nil, nn.TrainConfig{Method: &optimize.SGD{LearningRate: lr}, Epochs: cfg.Epochs,
			Progress: epochProgress(ctx, out, fmt.Sprintf("η = %g", lr), cfg.Epochs)})
		switch {
		case errors.Is(err, nn.ErrDiverged):
			// Divergence is what this experiment shows: a result, not a failure.
			r.Diverged = true
			r.DivergedEpoch = len(h.Epochs) + 1
			r.FinalJ = math.Inf(1)
		case err != nil:
			return r, nil, fmt.Errorf("η = %g: %w", lr, err)
		default:
			r.FinalJ = lastLoss(h)
		}
		return r, h, nil
	}
	m := &learningRateMetrics{}
	curvesPlot := newPlot("training J", "epoch", "J")
	setLogY(curvesPlot)
	for k, c := range []struct {
		label string
		lr    float64
	}{{"too small", cfg.Small}, {"good", cfg.Good}, {"too large", cfg.Large}} {
		r, h, err := runLR(c.label, c.lr)
		if err != nil {
			return nil, err
		}
		m.Runs = append(m.Runs, r)
		ep, tr, _ := curves(h)
		ep, tr = append([]float64{0}, ep...), append([]float64{r.InitialJ}, tr...)
		name := fmt.Sprintf("η = %g (%s)", c.lr, c.label)
		if r.Diverged {
			name += fmt.Sprintf(", diverged in epoch %d", r.DivergedEpoch)
		}
		addLine(curvesPlot, name, ep, tr, seriesColor(k), false)
	}
	// A diverging J reaches 1e300 before it overflows: show up to ten times the start.
	curvesPlot.Y.Max = 10 * m.Runs[0].InitialJ
	curvesPlot.Legend.Top = true
	tiles := [][]*plotPlot{{curvesPlot}}
	if cfg.Sweep > 0 {
		sweep := newPlot("final J against η", "learning rate η", "J after the last epoch")
		setLogY(sweep)
		sweep.X.Scale = plotLogScale
		sweep.X.Tick.Marker = figure.LogTicks{}
		var okx, oky, divx []float64
		best := math.Inf(1)
		for i := range cfg.Sweep {
			lr := cfg.SweepMin * math.Pow(cfg.SweepMax/cfg.SweepMin, float64(i)/float64(max(cfg.Sweep-1, 1)))
			r, _, err := runLR("sweep", lr)
			if err != nil {
				return nil, err
			}
			m.Sweep = append(m.Sweep, r)
			if r.Diverged {
				divx = append(divx, lr)
				continue
			}
			okx, oky = append(okx, lr), append(oky, r.FinalJ)
			if r.FinalJ < best {
				best, m.BestSweepLR = r.FinalJ, lr
			}
		}
		addLine(sweep, "", okx, oky, seriesColor(0), false)
		addPoints(sweep, "", okx, oky, seriesColor(0), circleGlyph, vg.Points(3))
		if len(divx) > 0 {
			_, hi := minMax(append(oky, m.Runs[0].InitialJ))
			ys := make([]float64, len(divx))
			for i := range ys {
				ys[i] = hi
			}
			addPoints(sweep, "", divx, ys, seriesColor(3), draw.CrossGlyph{}, vg.Points(5))
		}
		tiles[0] = append(tiles[0], sweep)
	}
	if err := out.SaveTiles("learning-rate", "Left: J against epoch for three learning rates. Right: J after the last epoch against the learning rate.",
		tiles, vg.Length(6*len(tiles[0]))*vg.Inch, 4.5*vg.Inch); err != nil {
		return nil, err
	}
	return m, nil
}

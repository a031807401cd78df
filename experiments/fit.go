package experiments

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/adjunto/adjunto/nn"
	"github.com/adjunto/adjunto/optimize"
)

// fitConfig configures the fit-1-100-1 experiment.
type fitConfig struct {
	Hidden       int     `json:"hidden" help:"hidden units"`
	Points       int     `json:"points" help:"training points"`
	Noise        float64 `json:"noise" help:"standard deviation of the noise on the targets"`
	Epochs       int     `json:"epochs" help:"training epochs"`
	BatchSize    int     `json:"batch_size" help:"mini-batch size (0: full batch)"`
	LearningRate float64 `json:"lr" help:"Adam's learning rate"`
	Seed         uint64  `json:"seed" help:"seed of the data, the weights and the batches"`
}

// defaultFitConfig returns the defaults.
func defaultFitConfig() fitConfig {
	return fitConfig{Hidden: 100, Points: 100, Noise: 0.05, Epochs: 2000, BatchSize: 0, LearningRate: 0.005, Seed: 1}
}

// Validate checks the domains of the fields.
func (c *fitConfig) Validate() error {
	return firstErr(checkPositive("hidden", c.Hidden), checkPositive("points", c.Points), checkPositive("epochs", c.Epochs),
		checkRate("lr", c.LearningRate), nonNegative("noise", c.Noise), nonNegativeInt("batch_size", c.BatchSize),
		fits("points,hidden", c.Points, c.Hidden, 16))
}

func nonNegative(name string, v float64) error {
	if !(v >= 0) || !finite(v) {
		return fmt.Errorf("%s must be a non-negative number, have %g", name, v)
	}
	return nil
}

func nonNegativeInt(name string, v int) error {
	if v < 0 {
		return fmt.Errorf("%s must be non-negative, have %d", name, v)
	}
	return nil
}

// fitRun is the outcome of one network of the fit experiment.
type fitRun struct {
	Activation string  `json:"activation"` // the hidden activation
	Params     int     `json:"params"`     // number of weights and biases
	TrainLoss  float64 `json:"train_J"`    // training J after the last epoch
	// RMSE is the root-mean-square error against the noise-free curve on a fine grid of the
	// training interval.
	RMSE    float64 `json:"rmse_vs_truth"`
	Seconds float64 `json:"seconds"` // wall time of the training (varies between runs)
}

// fitMetrics are the metrics of the fit-1-100-1 experiment.
type fitMetrics struct {
	Runs []fitRun `json:"runs"` // ReLU, then tanh
}

// fitTarget is the curve the course fits: a smooth wave with a trend.
func fitTarget(x float64) float64 { return math.Sin(2*x) + 0.3*x }

func fitExperiment() *Experiment {
	return Define("fit-1-100-1",
		"a 1-100-1 network fits a 1-D curve, with ReLU and with tanh: fits and loss curves",
		"A network with one hidden layer of 100 units, x ↦ W₂ h(W₁x + b₁) + b₂, fitted by Adam to noisy samples of "+
			"y = sin 2x + 0.3x, once with ReLU and once with tanh as h. Each hidden unit contributes one basis function, "+
			"a ramp for ReLU and a smooth step for tanh, and the output layer adds them up: the ReLU fit is piecewise "+
			"linear with a kink wherever a unit switches on, the tanh fit is smooth. The hidden biases start so that "+
			"each unit's breakpoint −b/w lies somewhere in the data interval; from zero biases every ReLU would switch on at "+
			"x = 0. The loss curves show J = 1/(2N) Σ "+
			"(ŷ − y)² falling to the noise level, σ²/2.",
		defaultFitConfig, runFit)
}

func runFit(ctx context.Context, cfg *fitConfig, out *Output) (*fitMetrics, error) {
	rnd := rand.New(rand.NewPCG(cfg.Seed, 2))
	data := curveData(fitTarget, cfg.Points, -3, 3, cfg.Noise, rnd)
	xs := linspace(-3, 3, 400)
	grid := gridData(xs, fitTarget)
	fits := newPlot(fmt.Sprintf("1-%d-1 fits", cfg.Hidden), "x", "y")
	loss := newPlot("training loss", "epoch", "J")
	setLogY(loss)
	addLine(fits, "truth", xs, grid.Y, plotGray, true)
	addPoints(fits, "data", data.X, data.Y, plotBlack, circleGlyph, vg.Points(1.5))
	m := &fitMetrics{}
	for k, act := range []nn.Activation{nn.ReLU, nn.Tanh} {
		net, err := nn.NewMLP(fmt.Sprintf("1-%d-1:%s", cfg.Hidden, act), nn.MLPOptions{}, nn.Config{Seed: cfg.Seed})
		if err != nil {
			return nil, err
		}
		spreadBreakpoints(net, -3, 3, rand.New(rand.NewPCG(cfg.Seed, 3)))
		start := time.Now()
		h, err := nn.Train(net, data, nil, nn.TrainConfig{
			Method: &optimize.Adam{LearningRate: cfg.LearningRate}, Epochs: cfg.Epochs, BatchSize: cfg.BatchSize, Seed: cfg.Seed,
			Progress: epochProgress(ctx, out, act.String(), cfg.Epochs),
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", act, err)
		}
		pred := predict(net, grid)
		m.Runs = append(m.Runs, fitRun{Activation: act.String(), Params: net.NumParams(), TrainLoss: lastLoss(h),
			RMSE: rmse(pred, grid.Y), Seconds: time.Since(start).Seconds()})
		addLine(fits, act.String(), xs, pred, seriesColor(k), false)
		ep, tr, _ := curves(h)
		addLine(loss, act.String(), ep, tr, seriesColor(k), false)
	}
	noise := cfg.Noise * cfg.Noise / 2
	if noise > 0 {
		addLine(loss, "σ²/2", []float64{1, float64(cfg.Epochs)}, []float64{noise, noise}, plotGray, true)
	}
	fits.Legend.Top, fits.Legend.Left = true, true
	loss.Legend.Top = true
	if err := out.SaveTiles("fit", "Left: the data, the true curve and the two fits. Right: the training loss against epoch.",
		[][]*plotPlot{{fits, loss}}, 12*vg.Inch, 4.5*vg.Inch); err != nil {
		return nil, err
	}
	return m, nil
}

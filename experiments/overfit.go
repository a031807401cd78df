package experiments

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/plot/vg"

	"github.com/adjunto/adjunto/nn"
	"github.com/adjunto/adjunto/optimize"
)

// overfitData configures the small noisy problem shared by the overfitting and
// regularization experiments.
type overfitData struct {
	TrainPoints  int     `json:"train_points" help:"training points"`
	ValPoints    int     `json:"val_points" help:"validation points"`
	Noise        float64 `json:"noise" help:"standard deviation of the noise on the targets"`
	Hidden       int     `json:"hidden" help:"hidden tanh units of the large network"`
	Epochs       int     `json:"epochs" help:"training epochs (full batch)"`
	LearningRate float64 `json:"lr" help:"Adam's learning rate"`
	Seed         uint64  `json:"seed" help:"seed of the data and the weights"`
}

func defaultOverfitData() overfitData {
	return overfitData{TrainPoints: 16, ValPoints: 40, Noise: 0.25, Hidden: 10, Epochs: 6000, LearningRate: 0.01, Seed: 3}
}

func (c *overfitData) validate() error {
	return firstErr(checkPositive("train_points", c.TrainPoints), checkPositive("val_points", c.ValPoints),
		nonNegative("noise", c.Noise), checkPositive("hidden", c.Hidden), checkPositive("epochs", c.Epochs),
		checkRate("lr", c.LearningRate), fits("train_points,val_points,hidden", c.TrainPoints+c.ValPoints, c.Hidden, 16),
		fits("epochs", c.Epochs, 8))
}

func overfitTarget(x float64) float64 { return math.Sin(x) }

// overfitSets returns the training and validation sets and a fine grid with the truth.
func (c *overfitData) sets() (train, val, grid *nn.Dataset, xs []float64) {
	rnd := rand.New(rand.NewPCG(c.Seed, 5))
	train = curveData(overfitTarget, c.TrainPoints, -3, 3, c.Noise, rnd)
	val = curveData(overfitTarget, c.ValPoints, -3, 3, c.Noise, rnd)
	xs = linspace(-3, 3, 300)
	return train, val, gridData(xs, overfitTarget), xs
}

// trainTracked trains net and returns the history and the parameters of the last epoch
// (Train itself restores those of the best validation epoch).
func trainTracked(ctx context.Context, out *Output, label string, net *nn.Network, train, val *nn.Dataset, tc nn.TrainConfig) (*nn.History, []float64, error) {
	last := make([]float64, net.NumParams())
	prog := epochProgress(ctx, out, label, tc.Epochs)
	tc.Progress = func(e nn.Epoch) error {
		copy(last, net.Params())
		return prog(e)
	}
	h, err := nn.Train(net, train, val, tc)
	return h, last, err
}

// overfitMetrics are the metrics of the overfitting experiment.
type overfitMetrics struct {
	// The large network trained for all epochs.
	LargeParams    int     `json:"large_params"`
	LargeTrainJ    float64 `json:"large_final_train_J"` // training J after the last epoch
	LargeValJ      float64 `json:"large_final_val_J"`   // validation J after the last epoch
	LargeBestValJ  float64 `json:"large_best_val_J"`    // lowest validation J over the epochs
	LargeBestEpoch int     `json:"large_best_epoch"`    // epoch of LargeBestValJ
	// Early stopping with patience on the same network and start.
	Patience       int     `json:"patience"`
	EarlyStopEpoch int     `json:"early_stop_epoch"` // last epoch run
	EarlyBestEpoch int     `json:"early_best_epoch"` // epoch whose weights were restored
	EarlyValJ      float64 `json:"early_val_J"`      // validation J of the restored weights
	// The network of the right capacity.
	SmallHidden int     `json:"small_hidden"`
	SmallParams int     `json:"small_params"`        // weights and biases of the small network
	SmallTrainJ float64 `json:"small_final_train_J"` // training J after the last epoch
	SmallValJ   float64 `json:"small_final_val_J"`   // validation J after the last epoch
	// RMSE against the noise-free curve of the three fits.
	LargeRMSE float64 `json:"large_rmse_vs_truth"`
	EarlyRMSE float64 `json:"early_rmse_vs_truth"`
	SmallRMSE float64 `json:"small_rmse_vs_truth"`
}

// overfitConfig configures the overfitting experiment.
type overfitConfig struct {
	overfitData
	Patience    int `json:"patience" help:"epochs without validation improvement before early stopping"`
	SmallHidden int `json:"small_hidden" help:"hidden units of the network of the right capacity"`
}

// defaultOverfitConfig returns the defaults.
func defaultOverfitConfig() overfitConfig {
	return overfitConfig{overfitData: defaultOverfitData(), Patience: 300, SmallHidden: 3}
}

// Validate checks the domains of the fields.
func (c *overfitConfig) Validate() error {
	return firstErr(c.validate(), checkPositive("patience", c.Patience), checkPositive("small_hidden", c.SmallHidden))
}

func overfitExperiment() *Experiment {
	return Define("overfitting",
		"10 tanh units overfit a few noisy points; training vs validation J, early stopping, and a 3-unit network",
		"A network with 10 hidden tanh units (31 parameters) trained on 16 noisy samples of sin x. The training "+
			"cost J keeps falling, towards zero, as the network bends itself through every noisy point; the validation cost, "+
			"on points it never sees, falls at first and then rises: that is overfitting. Early stopping watches the "+
			"validation cost and stops when it has not improved for a number of epochs (the patience), restoring the "+
			"weights of the best epoch. Beside it, a network with 3 hidden units, the capacity the problem needs, cannot "+
			"fit the noise and does not overfit.",
		defaultOverfitConfig, runOverfit)
}

func runOverfit(ctx context.Context, cfg *overfitConfig, out *Output) (*overfitMetrics, error) {
	train, val, grid, xs := cfg.sets()
	adam := func() optimize.Method { return &optimize.Adam{LearningRate: cfg.LearningRate} }
	spec := func(h int) string { return fmt.Sprintf("1-%d-1:tanh", h) }
	m := &overfitMetrics{Patience: cfg.Patience, SmallHidden: cfg.SmallHidden}

	large, err := nn.NewMLP(spec(cfg.Hidden), nn.MLPOptions{}, nn.Config{Seed: cfg.Seed})
	if err != nil {
		return nil, err
	}
	m.LargeParams = large.NumParams()
	hl, lastL, err := trainTracked(ctx, out, "large", large, train, val, nn.TrainConfig{Method: adam(), Epochs: cfg.Epochs})
	if err != nil {
		return nil, fmt.Errorf("large network: %w", err)
	}
	bestL := predict(large, grid) // Train restored the best epoch
	large.SetParams(lastL)
	m.LargeTrainJ, m.LargeValJ = large.Loss(train), large.Loss(val)
	m.LargeBestValJ, m.LargeBestEpoch = hl.BestValLoss, hl.BestEpoch
	predL := predict(large, grid)
	m.LargeRMSE = rmse(predL, grid.Y)
	_ = bestL

	early, err := nn.NewMLP(spec(cfg.Hidden), nn.MLPOptions{}, nn.Config{Seed: cfg.Seed})
	if err != nil {
		return nil, err
	}
	he, _, err := trainTracked(ctx, out, "early stopping", early, train, val, nn.TrainConfig{Method: adam(), Epochs: cfg.Epochs, Patience: cfg.Patience})
	if err != nil {
		return nil, fmt.Errorf("early stopping: %w", err)
	}
	m.EarlyStopEpoch = len(he.Epochs)
	m.EarlyBestEpoch = he.BestEpoch
	m.EarlyValJ = early.Loss(val)
	predE := predict(early, grid)
	m.EarlyRMSE = rmse(predE, grid.Y)

	small, err := nn.NewMLP(spec(cfg.SmallHidden), nn.MLPOptions{}, nn.Config{Seed: cfg.Seed})
	if err != nil {
		return nil, err
	}
	m.SmallParams = small.NumParams()
	hs, lastS, err := trainTracked(ctx, out, "small", small, train, val, nn.TrainConfig{Method: adam(), Epochs: cfg.Epochs})
	if err != nil {
		return nil, fmt.Errorf("small network: %w", err)
	}
	small.SetParams(lastS)
	m.SmallTrainJ, m.SmallValJ = small.Loss(train), small.Loss(val)
	predS := predict(small, grid)
	m.SmallRMSE = rmse(predS, grid.Y)

	// Figures.
	cl := newPlot(fmt.Sprintf("1-%d-1 (%d parameters)", cfg.Hidden, m.LargeParams), "epoch", "J")
	setLogY(cl)
	ep, tr, va := curves(hl)
	addLine(cl, "training J", ep, tr, seriesColor(0), false)
	addLine(cl, "validation J", ep, va, seriesColor(3), false)
	lo, hi := minMax(append(append([]float64(nil), tr...), va...))
	addLine(cl, fmt.Sprintf("early stop (patience %d)", cfg.Patience), []float64{float64(m.EarlyStopEpoch), float64(m.EarlyStopEpoch)}, []float64{lo, hi}, plotBlack, true)
	addLine(cl, "best validation epoch", []float64{float64(m.EarlyBestEpoch), float64(m.EarlyBestEpoch)}, []float64{lo, hi}, plotGray, true)
	cl.Legend.Left = true // bottom left: empty, the training J falls late
	cs := newPlot(fmt.Sprintf("1-%d-1 (%d parameters)", cfg.SmallHidden, m.SmallParams), "epoch", "J")
	setLogY(cs)
	ep, tr, va = curves(hs)
	addLine(cs, "training J", ep, tr, seriesColor(0), false)
	addLine(cs, "validation J", ep, va, seriesColor(3), false)
	cs.Y.Min, cs.Y.Max = cl.Y.Min, cl.Y.Max
	cs.Legend.Top = true
	fits := newPlot("fits", "x", "y")
	addLine(fits, "truth", xs, grid.Y, plotGray, true)
	addPoints(fits, "training points", train.X, train.Y, plotBlack, circleGlyph, vg.Points(3))
	addPoints(fits, "validation points", val.X, val.Y, plotGray, circleGlyph, vg.Points(1.5))
	addLine(fits, fmt.Sprintf("%d units, last epoch", cfg.Hidden), xs, predL, seriesColor(3), false)
	addLine(fits, fmt.Sprintf("%d units, early stopped", cfg.Hidden), xs, predE, seriesColor(0), false)
	addLine(fits, fmt.Sprintf("%d units", cfg.SmallHidden), xs, predS, seriesColor(2), false)
	fits.Legend.Top = true
	fits.Legend.Left = true
	if err := out.SaveTiles("overfitting", "Left: training and validation J of the large network, with the epoch where early stopping stops and the best epoch it restores. Middle: the same for the small network. Right: the fits.",
		[][]*plotPlot{{cl, cs, fits}}, 17*vg.Inch, 5*vg.Inch); err != nil {
		return nil, err
	}
	return m, nil
}

func minMax(xs []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range xs {
		if finite(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	return lo, hi
}

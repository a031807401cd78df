package experiments

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/plot/vg"

	"github.com/adjunto/adjunto/nn"
	"github.com/adjunto/adjunto/optimize"
)

// regularizationConfig configures the regularization experiment.
type regularizationConfig struct {
	overfitData
	L2      float64 `json:"l2" help:"λ of the L2 penalty λ/2 Σ w²"`
	L1      float64 `json:"l1" help:"λ of the L1 penalty λ/2 Σ |w|"`
	Dropout float64 `json:"dropout" help:"dropout rate after the hidden layer"`
	// AdamW is the decoupled weight decay of AdamW, the optimiser's form of L2.
	AdamW float64 `json:"adamw_decay" help:"decoupled weight decay of AdamW (0: skip)"`
}

// defaultRegularizationConfig returns the defaults.
func defaultRegularizationConfig() regularizationConfig {
	return regularizationConfig{overfitData: defaultOverfitData(), L2: 3e-3, L1: 3e-3, Dropout: 0.2, AdamW: 0.5}
}

// Validate checks the domains of the fields.
func (c *regularizationConfig) Validate() error {
	if !(c.Dropout >= 0 && c.Dropout < 1) {
		return fmt.Errorf("dropout must be in [0, 1), have %g", c.Dropout)
	}
	return firstErr(c.validate(), nonNegative("l2", c.L2), nonNegative("l1", c.L1), nonNegative("adamw_decay", c.AdamW))
}

// regRun is one regularised training of the overfitting network.
type regRun struct {
	Name string `json:"name"` // the regularisation and its strength
	// FinalValJ and FinalTrainJ are the data losses (without penalty) after the last epoch.
	FinalTrainJ float64 `json:"final_train_J"`
	FinalValJ   float64 `json:"final_val_J"`
	BestValJ    float64 `json:"best_val_J"` // lowest validation J over the epochs
	BestEpoch   int     `json:"best_epoch"` // epoch of BestValJ
	// WeightNorm is ‖w‖₂ of the dense weights, Small is the number of them below 1e-3 in
	// magnitude (L1 drives weights to zero, L2 only shrinks them).
	WeightNorm float64 `json:"weight_norm"`
	Small      int     `json:"weights_below_1e-3"`
	RMSE       float64 `json:"rmse_vs_truth"` // error of the last epoch's fit against the noise-free curve
}

// regularizationMetrics are the metrics of the regularization experiment.
type regularizationMetrics struct {
	Runs []regRun `json:"runs"` // none, L2, L1, dropout and (if set) AdamW
}

func regularizationExperiment() *Experiment {
	return Define("regularization",
		"weight decay (L2), L1 and dropout on the overfitting network: validation J for each",
		"The overfitting network of the previous figure (10 tanh units, 16 noisy points), trained again with "+
			"regularisation. L2 adds λ/2 Σ w² to J, so the gradient step also shrinks every weight (weight decay); L1 adds "+
			"λ/2 Σ |w|, whose constant pull drives unneeded weights to exactly zero; AdamW decays the weights outside "+
			"Adam's adaptive scaling (decoupled weight decay); dropout zeroes each hidden unit with probability p at "+
			"every step, so that no unit can rely on another. Each keeps the network from bending through the noise: the "+
			"validation J no longer climbs. The penalties are left out of the plotted J, which is the data misfit only.",
		defaultRegularizationConfig, runRegularization)
}

func runRegularization(ctx context.Context, cfg *regularizationConfig, out *Output) (*regularizationMetrics, error) {
	train, val, grid, xs := cfg.sets()
	spec := fmt.Sprintf("1-%d-1:tanh", cfg.Hidden)
	type variant struct {
		name   string
		opts   nn.MLPOptions
		pen    nn.Penalty
		method optimize.Method
	}
	adam := &optimize.Adam{LearningRate: cfg.LearningRate}
	vs := []variant{
		{name: "none", method: adam},
		{name: fmt.Sprintf("L2, λ = %g", cfg.L2), pen: nn.Penalty{Lambda: cfg.L2, Q: 2}, method: adam},
		{name: fmt.Sprintf("L1, λ = %g", cfg.L1), pen: nn.Penalty{Lambda: cfg.L1, Q: 1}, method: adam},
		{name: fmt.Sprintf("dropout, p = %g", cfg.Dropout), opts: nn.MLPOptions{Dropout: cfg.Dropout}, method: adam},
	}
	if cfg.AdamW > 0 {
		vs = append(vs, variant{name: fmt.Sprintf("AdamW, λ = %g", cfg.AdamW), method: &optimize.AdamW{LearningRate: cfg.LearningRate, WeightDecay: cfg.AdamW}})
	}
	m := &regularizationMetrics{}
	valPlot := newPlot("validation J", "epoch", "J")
	setLogY(valPlot)
	trainPlot := newPlot("training J (data misfit)", "epoch", "J")
	setLogY(trainPlot)
	fits := newPlot("fits after the last epoch", "x", "y")
	addLine(fits, "truth", xs, grid.Y, plotGray, true)
	addPoints(fits, "training points", train.X, train.Y, plotBlack, circleGlyph, vg.Points(3))
	for k, v := range vs {
		net, err := nn.NewMLP(spec, v.opts, nn.Config{Seed: cfg.Seed, Penalty: v.pen})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v.name, err)
		}
		v.method.Init(net.NumParams()) // the same method value is reused: start it afresh
		h, last, err := trainTracked(ctx, out, v.name, net, train, val, nn.TrainConfig{Method: v.method, Epochs: cfg.Epochs, Seed: cfg.Seed})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v.name, err)
		}
		net.SetParams(last)
		r := regRun{Name: v.name, FinalTrainJ: net.Loss(train), FinalValJ: net.Loss(val), BestValJ: h.BestValLoss, BestEpoch: h.BestEpoch}
		for i, l := range net.Layers() {
			if l.Kind() != nn.KindDense {
				continue
			}
			w, _ := net.LayerParams(i)
			for _, x := range w {
				r.WeightNorm += x * x
				if math.Abs(x) < 1e-3 {
					r.Small++
				}
			}
		}
		r.WeightNorm = math.Sqrt(r.WeightNorm)
		pred := predict(net, grid)
		r.RMSE = rmse(pred, grid.Y)
		m.Runs = append(m.Runs, r)
		ep, tr, va := curves(h)
		addLine(valPlot, v.name, ep, va, seriesColor(k), false)
		addLine(trainPlot, v.name, ep, tr, seriesColor(k), false)
		addLine(fits, v.name, xs, pred, seriesColor(k), false)
	}
	valPlot.Legend.Top = true
	valPlot.Legend.Left = true
	trainPlot.Legend.Left = true
	fits.Legend.Top = true
	fits.Legend.Left = true
	if err := out.SaveTiles("regularization", "Left: validation J against epoch for each regularisation. Middle: the training misfit. Right: the fits after the last epoch.",
		[][]*plotPlot{{valPlot, trainPlot, fits}}, 17*vg.Inch, 5*vg.Inch); err != nil {
		return nil, err
	}
	return m, nil
}

package experiments

import (
	"context"
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/adjunto/adjunto/nn"
	"github.com/adjunto/adjunto/optimize"
)

// mCDropoutConfig configures the dropout-uncertainty experiment.
type mCDropoutConfig struct {
	Spec         string  `json:"spec" help:"network spec, e.g. 1-64-64-1:relu"`
	Dropout      float64 `json:"dropout" help:"dropout rate after each hidden layer"`
	Points       int     `json:"points" help:"training points, in [-data_range, data_range]"`
	DataRange    float64 `json:"data_range" help:"half-width of the interval the data covers"`
	PlotRange    float64 `json:"plot_range" help:"half-width of the interval predicted"`
	Noise        float64 `json:"noise" help:"standard deviation of the noise on the targets"`
	Epochs       int     `json:"epochs" help:"training epochs"`
	BatchSize    int     `json:"batch_size" help:"mini-batch size (0: full batch)"`
	LearningRate float64 `json:"lr" help:"Adam's learning rate"`
	Passes       int     `json:"passes" help:"Monte Carlo dropout passes T"`
	Seed         uint64  `json:"seed" help:"seed of the data, the weights and the masks"`
}

// defaultMCDropoutConfig returns the defaults.
func defaultMCDropoutConfig() mCDropoutConfig {
	return mCDropoutConfig{Spec: "1-64-64-1:relu", Dropout: 0.1, Points: 60, DataRange: 2, PlotRange: 5, Noise: 0.1,
		Epochs: 1500, BatchSize: 0, LearningRate: 0.005, Passes: 500, Seed: 1}
}

// Validate checks the domains of the fields.
func (c *mCDropoutConfig) Validate() error {
	if sizes, _, err := nn.ParseSpec(c.Spec, nn.ReLU); err != nil {
		return fmt.Errorf("spec: %v", err)
	} else if sizes[0] != 1 || sizes[len(sizes)-1] != 1 {
		return fmt.Errorf("spec %q: the problem has one input and one output", c.Spec)
	}
	switch {
	case !(c.Dropout > 0 && c.Dropout < 1):
		return fmt.Errorf("dropout must be in (0, 1), have %g", c.Dropout)
	case !(c.PlotRange > c.DataRange):
		return fmt.Errorf("plot_range (%g) must exceed data_range (%g): the point is to predict beyond the data", c.PlotRange, c.DataRange)
	}
	return firstErr(checkPositive("points", c.Points), checkRate("data_range", c.DataRange), nonNegative("noise", c.Noise),
		checkPositive("epochs", c.Epochs), nonNegativeInt("batch_size", c.BatchSize), checkRate("lr", c.LearningRate),
		checkPositive("passes", c.Passes), fits("points,passes", c.Points, c.Passes, 4))
}

// mCDropoutMetrics are the metrics of the dropout-uncertainty experiment.
type mCDropoutMetrics struct {
	TrainJ float64 `json:"train_J"` // training J in evaluation mode
	// StdInside and StdOutside are the mean predictive standard deviations over the data's
	// interval and over the parts of the plotted interval more than one data half-width
	// beyond it.
	StdInside  float64 `json:"std_inside"`
	StdOutside float64 `json:"std_outside"`
	Ratio      float64 `json:"std_ratio_outside_inside"` // StdOutside / StdInside
	// RMSEInside is the error of the MC mean against the noise-free curve within the data.
	RMSEInside float64 `json:"rmse_inside"`
	// Coverage is the fraction of training points within the mean ± 2σ band widened by the
	// noise (2√(σ² + noise²)).
	Coverage float64 `json:"coverage"`
}

func mcTarget(x float64) float64 { return math.Sin(2 * x) }

func mcDropoutExperiment() *Experiment {
	return Define("dropout-uncertainty",
		"Monte Carlo dropout: mean ± 2σ band on 1-D regression, widening away from the data",
		"A network trained with dropout is an ensemble of thinned networks sharing weights. Monte Carlo dropout (Gal "+
			"and Ghahramani, 2016) keeps dropout switched on at prediction and runs T forward passes, each with new masks: "+
			"their mean is the prediction and their spread a measure of the model's uncertainty. Where there was data the "+
			"thinned networks agree, because training made them; away from it nothing ties them together and they "+
			"disagree, so the ±2σ band widens. The band measures the model's (epistemic) uncertainty only: the noise in the "+
			"data is not in it.",
		defaultMCDropoutConfig, runMCDropout)
}

func runMCDropout(ctx context.Context, cfg *mCDropoutConfig, out *Output) (*mCDropoutMetrics, error) {
	rnd := rand.New(rand.NewPCG(cfg.Seed, 10))
	data := curveData(mcTarget, cfg.Points, -cfg.DataRange, cfg.DataRange, cfg.Noise, rnd)
	net, err := nn.NewMLP(cfg.Spec, nn.MLPOptions{Dropout: cfg.Dropout}, nn.Config{Seed: cfg.Seed})
	if err != nil {
		return nil, err
	}
	_, err = nn.Train(net, data, nil, nn.TrainConfig{Method: &optimize.Adam{LearningRate: cfg.LearningRate}, Epochs: cfg.Epochs,
		BatchSize: cfg.BatchSize, Seed: cfg.Seed, Progress: epochProgress(ctx, out, "training", cfg.Epochs)})
	if err != nil {
		return nil, err
	}
	out.Progressf("%d Monte Carlo passes", cfg.Passes)
	xs := linspace(-cfg.PlotRange, cfg.PlotRange, 400)
	grid := gridData(xs, mcTarget)
	mean := make([]float64, len(xs))
	std := make([]float64, len(xs))
	net.PredictMC(mean, std, grid, cfg.Passes, cfg.Seed)

	m := &mCDropoutMetrics{TrainJ: net.Loss(data)}
	var nin, nout int
	var inM, inT []float64
	for i, x := range xs {
		switch {
		case math.Abs(x) <= cfg.DataRange:
			m.StdInside += std[i]
			nin++
			inM, inT = append(inM, mean[i]), append(inT, grid.Y[i])
		case math.Abs(x) >= 2*cfg.DataRange:
			m.StdOutside += std[i]
			nout++
		}
	}
	m.StdInside /= float64(max(nin, 1))
	m.StdOutside /= float64(max(nout, 1))
	m.Ratio = m.StdOutside / m.StdInside
	m.RMSEInside = rmse(inM, inT)
	dm := make([]float64, data.N)
	ds := make([]float64, data.N)
	net.PredictMC(dm, ds, data, cfg.Passes, cfg.Seed+1)
	for i := range dm {
		if math.Abs(data.Y[i]-dm[i]) <= 2*math.Sqrt(ds[i]*ds[i]+cfg.Noise*cfg.Noise) {
			m.Coverage++
		}
	}
	m.Coverage /= float64(data.N)

	p := newPlot(fmt.Sprintf("MC dropout (p = %g, T = %d)", cfg.Dropout, cfg.Passes), "x", "y")
	band := make(plotter.XYs, 0, 2*len(xs))
	for i, x := range xs {
		band = append(band, plotter.XY{X: x, Y: mean[i] + 2*std[i]})
	}
	for i := len(xs) - 1; i >= 0; i-- {
		band = append(band, plotter.XY{X: xs[i], Y: mean[i] - 2*std[i]})
	}
	poly, err := plotter.NewPolygon(band)
	if err != nil {
		return nil, err
	}
	poly.Color = color.NRGBA{R: 31, G: 119, B: 180, A: 70}
	poly.LineStyle.Width = 0
	p.Add(poly)
	p.Legend.Add("mean ± 2σ", poly)
	addLine(p, "truth", xs, grid.Y, plotGray, true)
	addLine(p, "MC mean", xs, mean, seriesColor(0), false)
	addPoints(p, "data", data.X, data.Y, plotBlack, circleGlyph, vg.Points(2))
	p.Legend.Top = true
	sp := newPlot("predictive standard deviation", "x", "σ(x)")
	addLine(sp, "", xs, std, seriesColor(3), false)
	shade(sp, -cfg.DataRange, cfg.DataRange)
	if err := out.SaveTiles("mc-dropout", fmt.Sprintf("Left: the mean of %d dropout passes and the band of ±2 standard deviations, with the data (only in [−%g, %g]) and the true curve. Right: the standard deviation; the shaded interval holds the data.", cfg.Passes, cfg.DataRange, cfg.DataRange),
		[][]*plotPlot{{p, sp}}, 12*vg.Inch, 4.5*vg.Inch); err != nil {
		return nil, err
	}
	return m, nil
}

// shade marks the x interval [a, b] of p with a light band over its y range.
func shade(p *plot.Plot, a, b float64) {
	p.Add(&xBand{a: a, b: b})
}

// xBand fills an x interval over the whole height of the data area.
type xBand struct{ a, b float64 }

func (s *xBand) Plot(c drawCanvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x0, x1 := trX(s.a), trX(s.b)
	pts := []vgPoint{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}}
	c.FillPolygon(color.NRGBA{R: 150, G: 150, B: 150, A: 50}, c.ClipPolygonXY(pts))
}

package experiments

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/plot/vg"

	"github.com/adjunto/adjunto/adjoint"
)

// activationsConfig configures the activations experiment.
type activationsConfig struct {
	XMin       float64 `json:"xmin" help:"left end of the x range"`
	XMax       float64 `json:"xmax" help:"right end of the x range"`
	Points     int     `json:"points" help:"number of grid points (at least 3)"`
	LeakySlope float64 `json:"leaky_slope" help:"slope of leaky ReLU for x < 0"`
	// FDStep is the step of the central differences the tangent-linear derivatives are
	// checked against; the check skips points closer than 10 steps to a kink.
	FDStep float64 `json:"fd_step" help:"step of the central-difference check of the derivatives"`
}

// defaultActivationsConfig returns the defaults: the course's range [-4, 4].
func defaultActivationsConfig() activationsConfig {
	return activationsConfig{XMin: -4, XMax: 4, Points: 401, LeakySlope: 0.1, FDStep: 1e-6}
}

// Validate checks the domains of the fields.
func (c *activationsConfig) Validate() error {
	switch {
	case !(c.XMax > c.XMin) || !finite(c.XMin) || !finite(c.XMax):
		return fmt.Errorf("need finite xmin < xmax, have %g and %g", c.XMin, c.XMax)
	case c.Points < 3:
		return fmt.Errorf("points must be at least 3, have %d", c.Points)
	case !finite(c.LeakySlope):
		return fmt.Errorf("leaky_slope must be finite, have %g", c.LeakySlope)
	case !(c.FDStep > 0) || c.FDStep > 0.1:
		return fmt.Errorf("fd_step must be in (0, 0.1], have %g", c.FDStep)
	}
	return fits("points", c.Points, 64) // per activation: values, derivatives and their checks
}

// activationMetrics describes one activation on the grid.
type activationMetrics struct {
	Name string  `json:"name"` // the activation, as the figure labels it
	Min  float64 `json:"min"`  // min of h over the grid
	Max  float64 `json:"max"`  // max of h over the grid
	// DerivAtOne is h'(1) from the tangent-linear sweep.
	DerivAtOne float64 `json:"deriv_at_1"`
	// MaxTLvsFD is max |h'_TL(x) − (h(x+s) − h(x−s))/2s| over the grid points at least 10
	// steps s from a kink.
	MaxTLvsFD float64 `json:"max_tl_vs_fd"`
	// MaxTLvsAD is max |h'_TL(x) − h'_AD(x)|: the diagonal Jacobian from the forward
	// (tangent) sweep against the one from the reverse (adjoint) sweep; zero in exact
	// arithmetic, and in floating point too since both apply the same scalar derivative.
	MaxTLvsAD float64 `json:"max_tl_vs_ad"`
}

// activationsMetrics are the metrics of the activations experiment.
type activationsMetrics struct {
	Activations []activationMetrics `json:"activations"`  // one record per activation, in the figure's order
	MaxTLvsFD   float64             `json:"max_tl_vs_fd"` // largest MaxTLvsFD over the activations
	MaxTLvsAD   float64             `json:"max_tl_vs_ad"` // largest MaxTLvsAD over the activations
}

// activation is one activation function h of the engine, with the points where h is not
// differentiable (where the difference check is skipped).
type activation struct {
	name  string
	apply func(x *adjoint.Value) *adjoint.Value
	kinks []float64
}

func activationList(slope float64) []activation {
	return []activation{
		{"step", adjoint.Step, []float64{0}},
		{"linear", adjoint.Identity, nil},
		{"ReLU", adjoint.ReLU, []float64{0}},
		{fmt.Sprintf("leaky ReLU (%g)", slope), func(x *adjoint.Value) *adjoint.Value { return adjoint.LeakyReLU(x, slope) }, []float64{0}},
		{"tanh", adjoint.Tanh, nil},
		{"sigmoid", adjoint.Sigmoid, nil},
		{"swish", adjoint.Swish, nil},
		{"softplus", adjoint.Softplus, nil},
	}
}

func activationsExperiment() *Experiment {
	return Define("activations",
		"eight activation functions and their derivatives, from the engine's tangent-linear sweep",
		"The activation functions h of the course (binary step, linear, ReLU, leaky ReLU, tanh, sigmoid, "+
			"swish and softplus), solid, with their derivatives h′, dashed. The derivatives are not written by hand: "+
			"each is the tangent-linear (forward-mode) sweep of the engine through the primitive, with the direction "+
			"δx = 1 at every point, checked against central differences and against the adjoint (reverse) sweep. "+
			"The step's derivative is zero wherever it exists, which is why it cannot be trained by gradient descent; "+
			"sigmoid's never exceeds 1/4, the root of vanishing gradients in deep sigmoid networks.",
		defaultActivationsConfig, runActivations)
}

func runActivations(ctx context.Context, cfg *activationsConfig, out *Output) (*activationsMetrics, error) {
	xs := linspace(cfg.XMin, cfg.XMax, cfg.Points)
	n := len(xs)
	m := &activationsMetrics{}
	plots := newTileGrid(2, 4)
	header := []string{"x"}
	cols := [][]float64{xs}
	ones := make([]float64, n)
	for i := range ones {
		ones[i] = 1
	}
	for k, a := range activationList(cfg.LeakySlope) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out.Progressf("%s", a.name)
		xd := append([]float64(nil), xs...)
		t := adjoint.NewTape()
		x := t.Vector(xd)
		y := a.apply(x)
		f := append([]float64(nil), y.Data...)

		// Tangent-linear sweep with δx = 1: δy_i = h'(x_i), the Jacobian being diagonal.
		t.JVP([]*adjoint.Value{x}, [][]float64{ones})
		dTL := append([]float64(nil), y.Tan...)
		// Adjoint sweep with ỹ = 1: x̃_i = h'(x_i) as well.
		t.VJP(y, ones)
		dAD := append([]float64(nil), x.Adj...)

		// Central differences by replaying the tape at shifted points.
		s := cfg.FDStep
		plus := shiftedEval(t, x, y, xs, s)
		minus := shiftedEval(t, x, y, xs, -s)
		am := activationMetrics{Name: a.name, Min: math.Inf(1), Max: math.Inf(-1)}
		for i := range xs {
			am.Min = math.Min(am.Min, f[i])
			am.Max = math.Max(am.Max, f[i])
			am.MaxTLvsAD = math.Max(am.MaxTLvsAD, math.Abs(dTL[i]-dAD[i]))
			if nearKink(xs[i], a.kinks, 10*s) {
				continue
			}
			fd := (plus[i] - minus[i]) / (2 * s)
			am.MaxTLvsFD = math.Max(am.MaxTLvsFD, math.Abs(dTL[i]-fd))
		}
		am.DerivAtOne = derivAt(a, 1)
		m.Activations = append(m.Activations, am)
		m.MaxTLvsFD = math.Max(m.MaxTLvsFD, am.MaxTLvsFD)
		m.MaxTLvsAD = math.Max(m.MaxTLvsAD, am.MaxTLvsAD)

		p := newPlot(a.name, "x", "")
		addLine(p, "h(x)", xs, f, seriesColor(0), false)
		addLine(p, "h′(x) (TL)", xs, dTL, seriesColor(3), true)
		p.Legend.Top = true
		p.Legend.Left = true
		plots[k/4][k%4] = p
		header = append(header, a.name, "d "+a.name)
		cols = append(cols, f, dTL)
	}
	if err := out.SaveTiles("activations", "Activation functions (solid) and their tangent-linear derivatives (dashed).",
		plots, 14*vg.Inch, 6.5*vg.Inch); err != nil {
		return nil, err
	}
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = make([]float64, len(cols))
		for j := range cols {
			rows[i][j] = cols[j][i]
		}
	}
	if err := out.WriteCSV("activations", header, rows); err != nil {
		return nil, err
	}
	return m, nil
}

// shiftedEval replays the tape with x = xs + s and returns a copy of y there; it leaves x at xs.
func shiftedEval(t *adjoint.Tape, x, y *adjoint.Value, xs []float64, s float64) []float64 {
	for i := range xs {
		x.Data[i] = xs[i] + s
	}
	t.Forward()
	r := append([]float64(nil), y.Data...)
	copy(x.Data, xs)
	t.Forward()
	return r
}

// derivAt returns h'(x0) by a tangent sweep on a one-point tape.
func derivAt(a activation, x0 float64) float64 {
	t := adjoint.NewTape()
	x := t.Vector([]float64{x0})
	y := a.apply(x)
	t.JVP([]*adjoint.Value{x}, [][]float64{{1}})
	return y.Tan[0]
}

func nearKink(x float64, kinks []float64, d float64) bool {
	for _, k := range kinks {
		if math.Abs(x-k) < d {
			return true
		}
	}
	return false
}

package experiments

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/nn"
)

// vanishingConfig configures the vanishing-gradients experiment.
type vanishingConfig struct {
	Depth       int      `json:"depth" help:"hidden layers"`
	Width       int      `json:"width" help:"units per hidden layer"`
	Inputs      int      `json:"inputs" help:"input features"`
	Batch       int      `json:"batch" help:"rows of the random input batch"`
	Activations []string `json:"activations" help:"activations to compare"`
	// NaiveStd is the standard deviation of the naive initialisation N(0, σ²), the same for
	// every layer whatever its width.
	NaiveStd float64 `json:"naive_std" help:"standard deviation of the naive initialisation"`
	Seed     uint64  `json:"seed" help:"seed of the data and the weights"`
}

// defaultVanishingConfig returns the defaults.
func defaultVanishingConfig() vanishingConfig {
	return vanishingConfig{Depth: 30, Width: 32, Inputs: 8, Batch: 64, Activations: []string{"sigmoid", "tanh", "relu", "swish"}, NaiveStd: 1, Seed: 1}
}

// Validate checks the domains of the fields.
func (c *vanishingConfig) Validate() error {
	if len(c.Activations) == 0 {
		return fmt.Errorf("activations: need at least one")
	}
	for _, a := range c.Activations {
		if _, err := nn.ParseActivation(a); err != nil {
			return fmt.Errorf("activations: %v", err)
		}
	}
	return firstErr(checkPositive("depth", c.Depth), checkPositive("width", c.Width), checkPositive("inputs", c.Inputs),
		checkPositive("batch", c.Batch), checkRate("naive_std", c.NaiveStd), fits("depth,width,batch", c.Depth, c.Width, c.Batch, 8),
		fits("depth,width", c.Depth, c.Width, c.Width, 8))
}

// gradientProfile is the gradient of J with respect to each dense layer's weights at
// initialisation, for one activation and one initialisation.
type gradientProfile struct {
	Activation string `json:"activation"` // the hidden activation
	Init       string `json:"init"`       // the initialisation, with or without batch norm
	// Norms[k] is ‖∂J/∂W_k‖₂ of dense layer k, input side first.
	Norms []float64 `json:"norms"`
	// Log10Ratio is log₁₀(‖∂J/∂W_first‖ / ‖∂J/∂W_last‖): far below 0, vanishing gradients;
	// far above, exploding ones.
	Log10Ratio float64 `json:"log10_first_over_last"`
}

// vanishingMetrics are the metrics of the vanishing-gradients experiment.
type vanishingMetrics struct {
	Profiles []gradientProfile `json:"profiles"` // activation by activation, initialisation by initialisation
}

func vanishingExperiment() *Experiment {
	return Define("vanishing-gradients",
		"per-layer gradient norms in a 30-layer network: sigmoid, tanh, ReLU, swish; naive, Glorot, Kaiming init; batch norm",
		"The adjoint of a deep network multiplies, layer after layer going back, by Wᵀ and by h′: the gradient reaching "+
			"the first layers is a product of as many factors as there are layers, and it shrinks or grows geometrically "+
			"unless each factor is about 1. Shown is ‖∂J/∂W_k‖ = ‖ã_kᵀ x_k‖ for every dense layer k of a 30-layer network "+
			"at its initialisation, a product of the forward signal x_k and the adjoint ã_k. Sigmoid's derivative never "+
			"exceeds 1/4: with Glorot or Kaiming weights its gradients vanish by many orders of magnitude towards the input. "+
			"Naive weights N(0, 1) put tanh in its chaotic regime, where the gradients grow going back (they explode), and "+
			"make ReLU and swish amplify the signal by about √(width/2) per layer, so that output, loss and every gradient "+
			"are astronomically large. Glorot's variance 2/(fan_in + fan_out) keeps tanh's profile flat; Kaiming's 2/fan_in "+
			"keeps ReLU's flat at a sensible scale, whereas under Glorot a ReLU network's signal halves in energy at every "+
			"layer and all its gradients are tiny. Batch normalisation standardises every pre-activation over the batch: "+
			"with it even the naive start gives gradients within a couple of orders of magnitude in every layer.",
		defaultVanishingConfig, runVanishing)
}

func runVanishing(ctx context.Context, cfg *vanishingConfig, out *Output) (*vanishingMetrics, error) {
	rnd := rand.New(rand.NewPCG(cfg.Seed, 8))
	X := make([]float64, cfg.Batch*cfg.Inputs)
	Y := make([]float64, cfg.Batch)
	for i := range X {
		X[i] = rnd.NormFloat64()
	}
	for i := range Y {
		Y[i] = rnd.NormFloat64()
	}
	sizes := []int{cfg.Inputs}
	for range cfg.Depth {
		sizes = append(sizes, cfg.Width)
	}
	sizes = append(sizes, 1)
	inits := []struct {
		name string
		init nn.InitScheme
		bn   bool
	}{
		{fmt.Sprintf("naive N(0, %g²)", cfg.NaiveStd), -1, false},
		{"Glorot", nn.GlorotNormal, false},
		{"Kaiming", nn.KaimingNormal, false},
		{"naive + batch norm", -1, true},
	}
	m := &vanishingMetrics{}
	tiles := newTileGrid(1, len(cfg.Activations))
	for ai, name := range cfg.Activations {
		act, _ := nn.ParseActivation(name)
		p := newPlot(act.String(), "dense layer (input side first)", "‖∂J/∂W_k‖")
		setLogY(p)
		for ii, in := range inits {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			out.Progressf("%s, %s", act, in.name)
			init := in.init
			if init < 0 {
				init = nn.GlorotNormal // overwritten below
			}
			net, err := nn.New(nn.MLP(sizes, act, nn.MLPOptions{BatchNorm: in.bn}), nn.Config{Init: init, Seed: cfg.Seed})
			if err != nil {
				return nil, err
			}
			if in.init < 0 {
				naiveInit(net, cfg.NaiveStd, rand.New(rand.NewPCG(cfg.Seed, 9)))
			}
			norms := layerGradNorms(net, X, Y, cfg.Batch, cfg.Inputs)
			gp := gradientProfile{Activation: act.String(), Init: in.name, Norms: norms,
				Log10Ratio: math.Log10(norms[0] / norms[len(norms)-1])}
			m.Profiles = append(m.Profiles, gp)
			ks := make([]float64, len(norms))
			ys := make([]float64, len(norms))
			for k, v := range norms {
				ks[k] = float64(k + 1)
				// A gradient that underflowed to zero is drawn at 1e-300 so that it shows.
				ys[k] = math.Max(v, 1e-300)
			}
			label := ""
			if ai == 0 {
				label = in.name
			}
			addLine(p, label, ks, ys, seriesColor(ii), false)
		}
		// Bottom right: the first panel's curves all end high on the output side, so the
		// legend hides none of them there.
		p.Legend.Top = false
		p.Legend.Left = false
		tiles[0][ai] = p
	}
	if err := out.SaveTiles("gradient-norms", "The norm of the gradient of J with respect to each dense layer's weights at initialisation, input side on the left.",
		tiles, vg.Length(4.5*float64(len(cfg.Activations)))*vg.Inch, 5*vg.Inch); err != nil {
		return nil, err
	}
	var tb strings.Builder
	fmt.Fprintf(&tb, "%-10s %-22s %14s %14s %10s\n", "activation", "init", "‖∂J/∂W_1‖", "‖∂J/∂W_last‖", "log10 ratio")
	for _, g := range m.Profiles {
		fmt.Fprintf(&tb, "%-10s %-22s %14.3e %14.3e %10.1f\n", g.Activation, g.Init, g.Norms[0], g.Norms[len(g.Norms)-1], g.Log10Ratio)
	}
	if err := out.AddTable("gradient-ratios", "First against last layer", tb.String()); err != nil {
		return nil, err
	}
	return m, nil
}

// naiveInit draws every dense weight from N(0, std²) and zeroes the biases.
func naiveInit(net *nn.Network, std float64, rnd *rand.Rand) {
	for i, l := range net.Layers() {
		if l.Kind() != nn.KindDense {
			continue
		}
		w, b := net.LayerParams(i)
		for j := range w {
			w[j] = std * rnd.NormFloat64()
		}
		clear(b)
	}
}

// layerGradNorms records the network in training mode (batch norm on batch statistics) on a
// tape with the parameters as one variable, sweeps back once and returns ‖∂J/∂W_k‖₂ per
// dense layer. Parameters are laid out layer by layer, each as LayerParams gives them.
func layerGradNorms(net *nn.Network, X, Y []float64, batch, inputs int) []float64 {
	t := adjoint.NewTape()
	params := t.Vector(append([]float64(nil), net.Params()...))
	x := t.Constant(X, batch, inputs)
	y := t.Constant(Y, batch, 1)
	_, J := net.Build(params, x, y, true)
	t.Gradient(J)
	var norms []float64
	off := 0
	for i, l := range net.Layers() {
		w, b := net.LayerParams(i)
		if l.Kind() == nn.KindDense {
			s := 0.0
			for _, g := range params.Adj[off : off+len(w)] {
				s += g * g
			}
			norms = append(norms, math.Sqrt(s))
		}
		off += len(w) + len(b)
	}
	return norms
}

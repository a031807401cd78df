package experiments

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/plot/vg"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/verify"

	"github.com/adjunto/adjunto/internal/figure"
)

// backpropConfig configures the backprop-is-adjoint experiment.
type backpropConfig struct {
	// The course's quadratic model x_{k+1} = α x_k² (elementwise), observed at the end.
	Alpha     float64 `json:"alpha" help:"α of the quadratic model x_{k+1} = α x_k²"`
	QuadSteps int     `json:"quad_steps" help:"steps K of the quadratic model"`
	QuadDim   int     `json:"quad_dim" help:"dimension of the quadratic model's state"`
	Sizes     []int   `json:"sizes" help:"layer widths of the network, input first"`
	Batch     int     `json:"batch" help:"rows of the network's input batch"`
	Seed      uint64  `json:"seed" help:"seed of the data, the weights and the test directions"`
}

// defaultBackpropConfig returns the defaults.
func defaultBackpropConfig() backpropConfig {
	return backpropConfig{Alpha: 0.5, QuadSteps: 3, QuadDim: 4, Sizes: []int{2, 16, 16, 1}, Batch: 64, Seed: 1}
}

// Validate checks the domains of the fields.
func (c *backpropConfig) Validate() error {
	switch {
	case !finite(c.Alpha) || c.Alpha == 0:
		return fmt.Errorf("alpha must be finite and non-zero, have %g", c.Alpha)
	case c.QuadSteps < 1 || c.QuadSteps > 8:
		return fmt.Errorf("quad_steps must be in 1..8 (x grows like x^(2^K)), have %d", c.QuadSteps)
	case c.QuadDim < 1:
		return fmt.Errorf("quad_dim must be positive, have %d", c.QuadDim)
	case len(c.Sizes) < 2:
		return fmt.Errorf("sizes needs at least an input and an output width, have %v", c.Sizes)
	case c.Batch < 1:
		return fmt.Errorf("batch must be positive, have %d", c.Batch)
	}
	for _, s := range c.Sizes {
		if s < 1 {
			return fmt.Errorf("sizes must be positive, have %v", c.Sizes)
		}
		if err := firstErr(fits("sizes,batch", s, c.Batch, len(c.Sizes), 8), fits("sizes", s, slices.Max(c.Sizes), 8)); err != nil {
			return err
		}
	}
	return fits("quad_dim,quad_steps", c.QuadDim, c.QuadSteps, 16)
}

// checkSummary condenses the four reports of package verify on one map.
type checkSummary struct {
	DotProduct       float64 `json:"dot_product"`       // relative error of ⟨L δx, ỹ⟩ = ⟨δx, Lᵀ ỹ⟩
	Taylor           float64 `json:"taylor"`            // best relative residual e(α) of the Taylor test
	Gradient         float64 `json:"gradient"`          // best |ρ(α) − 1| of the gradient test
	FiniteDifference float64 `json:"finite_difference"` // relative error against central differences
	Pass             bool    `json:"pass"`              // all four within their tolerances
}

func summarize(rs []verify.Report) checkSummary {
	var s checkSummary
	for _, r := range rs {
		switch r.Test {
		case verify.CheckDotProduct:
			s.DotProduct = r.Value
		case verify.CheckTaylor:
			s.Taylor = r.Value
		case verify.CheckGradient:
			s.Gradient = r.Value
		case verify.CheckFiniteDifference:
			s.FiniteDifference = r.Value
		}
	}
	s.Pass = verify.AllPass(rs)
	return s
}

// backpropMetrics are the metrics of the backprop-is-adjoint experiment. Every difference is
// relative: ‖g₁ − g₂‖∞ / ‖g₁‖∞.
type backpropMetrics struct {
	// QuadHandVsTape compares the course's hand-written adjoint x̃_k = 2α x_k x̃_{k+1} with
	// the engine's reverse sweep over the composed model.
	QuadHandVsTape float64      `json:"quad_hand_vs_tape"`
	QuadChecks     checkSummary `json:"quad_checks"` // verify's checks of the quadratic model's hand-written TL and AD
	// Params is the number of weights and biases of the network.
	Params int `json:"params"`
	// BackpropVsAdjoint compares backpropagation (the engine's reverse sweep over Dense and
	// tanh primitives, derived automatically) with the adjoint of a 4DVar over the layers:
	// a hand-written driver that stores the trajectory x_0..x_K forward and runs the
	// hand-written adjoint of each layer step backward, as an operational 4DVar does.
	BackpropVsAdjoint float64 `json:"backprop_vs_adjoint"`
	// FusedVsComposed compares the reverse sweep over the fused layer primitive (one
	// primitive per layer with hand-written TL and AD) with the one over composed primitives.
	FusedVsComposed float64      `json:"fused_vs_composed"`
	NetChecks       checkSummary `json:"net_checks"` // verify's checks of the network's hand-written TL and AD
	J               float64      `json:"J"`          // the network's loss at its initial weights
}

func backpropExperiment() *Experiment {
	return Define("backprop-is-adjoint",
		"backpropagation is the adjoint method: one gradient computed both ways, equal to machine precision",
		"Backpropagation and the adjoint method of 4DVar are the same computation. First the course's example: the "+
			"model x_{k+1} = α x_k², observed at the end of the window, J = ½‖x_K − y‖²; its adjoint, written by hand "+
			"as x̃_k = 2α x_k x̃_{k+1}, gives the same gradient as the engine's reverse sweep. Then a network: each layer "+
			"x_{k+1} = tanh(W_k x_k + b_k) is a model step whose parameters, not its initial state, are the control "+
			"vector. Its gradient computed as backpropagation (the reverse sweep over the engine's Dense and tanh "+
			"primitives) equals the gradient of a 4DVar over the layers, written like operational code: store the "+
			"trajectory going forward, then run the hand-written adjoint of each layer step backward, accumulating "+
			"W̃_k += ã_k x_kᵀ. The two agree to a few units in the last place. The verification tables show the "+
			"dot-product test, and the Taylor and gradient tests whose ratio tends to 1 as α shrinks until round-off "+
			"takes over near α ≈ 1e-8.",
		defaultBackpropConfig, runBackprop)
}

func runBackprop(ctx context.Context, cfg *backpropConfig, out *Output) (*backpropMetrics, error) {
	rnd := rand.New(rand.NewPCG(cfg.Seed, 0xad7))
	m := &backpropMetrics{}
	var tables bytes.Buffer

	// The course's quadratic example.
	out.Progressf("quadratic model")
	q := quadChain{alpha: cfg.Alpha, steps: cfg.QuadSteps, n: cfg.QuadDim}
	x0 := make([]float64, q.n)
	yobs := make([]float64, q.n)
	for i := range x0 {
		x0[i] = 0.6 + 0.8*rnd.Float64() // α x² stays O(1) over a few steps
		yobs[i] = rnd.Float64()
	}
	gHand := make([]float64, q.n)
	q.costGrad(gHand, x0, yobs)
	gTape := q.tapeGrad(x0, yobs)
	m.QuadHandVsTape = relDiff(gHand, gTape)
	qReports := verify.All("quadratic x_{k+1} = αx_k²", q.verifyFunc(), x0, verify.Settings{Seed: cfg.Seed})
	m.QuadChecks = summarize(qReports)
	verify.WriteTable(&tables, qReports)

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The network.
	out.Progressf("network")
	net := newMLP(cfg.Sizes)
	m.Params = net.nparams
	w := net.init(rnd)
	X := make([]float64, cfg.Batch*cfg.Sizes[0])
	for i := range X {
		X[i] = rnd.NormFloat64()
	}
	Y := make([]float64, cfg.Batch*net.sizes[len(net.sizes)-1])
	for r := range cfg.Batch {
		for j := range net.sizes[len(net.sizes)-1] {
			Y[r*net.sizes[len(net.sizes)-1]+j] = math.Sin(X[r*cfg.Sizes[0]]) * math.Cos(float64(j)+X[r*cfg.Sizes[0]+cfg.Sizes[0]-1])
		}
	}
	gBackprop, J := net.tapeGrad(w, X, Y, cfg.Batch, false)
	gFused, _ := net.tapeGrad(w, X, Y, cfg.Batch, true)
	gAdj := make([]float64, net.nparams)
	Jadj := net.adjointOverLayers(gAdj, w, X, Y, cfg.Batch)
	m.J = J
	m.BackpropVsAdjoint = relDiff(gBackprop, gAdj)
	m.FusedVsComposed = relDiff(gBackprop, gFused)
	if J != Jadj && math.Abs(J-Jadj) > 1e-14*math.Abs(J) {
		return nil, fmt.Errorf("the cost differs between the tape (%g) and the hand-written forward (%g)", J, Jadj)
	}
	nReports := verify.All(fmt.Sprintf("network %v", cfg.Sizes), net.verifyFunc(X, cfg.Batch), w, verify.Settings{Seed: cfg.Seed})
	m.NetChecks = summarize(nReports)
	verify.WriteTable(&tables, nReports)
	if err := out.AddTable("checks", "Verification of both adjoints (package verify)", tables.String()); err != nil {
		return nil, err
	}
	for _, rs := range [][]verify.Report{qReports, nReports} {
		for _, r := range rs {
			if r.Table == nil {
				continue
			}
			var b bytes.Buffer
			verify.WriteConvergence(&b, r)
			if err := out.AddTable(fmt.Sprintf("%s-%s", shortName(r.Name), r.Test), fmt.Sprintf("%s test: %s", r.Test, r.Name), b.String()); err != nil {
				return nil, err
			}
		}
	}

	// Figures: the convergence of the Taylor and gradient tests, and the two gradients.
	conv := newPlot("Taylor and gradient tests", "α", "error")
	setLogY(conv)
	conv.X.Scale = plotLogScale
	conv.X.Tick.Marker = figure.LogTicks{}
	k := 0
	for _, rs := range [][]verify.Report{qReports, nReports} {
		for _, r := range rs {
			if r.Table == nil {
				continue
			}
			var as, es []float64
			for _, row := range r.Table {
				as = append(as, row.Alpha)
				es = append(es, math.Max(row.Error, 1e-17))
			}
			addLine(conv, fmt.Sprintf("%s, %s", shortName(r.Name), r.Test), as, es, seriesColor(k), r.Test == verify.CheckGradient)
			k++
		}
	}
	conv.Legend.Top = true
	conv.Legend.Left = true
	sc := newPlot(fmt.Sprintf("∂J/∂w: backprop vs 4DVar adjoint (rel. diff %.1e)", m.BackpropVsAdjoint), "backpropagation", "adjoint of the 4DVar over layers")
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, g := range gBackprop {
		lo, hi = math.Min(lo, g), math.Max(hi, g)
	}
	addLine(sc, "", []float64{lo, hi}, []float64{lo, hi}, plotGray, true)
	addPoints(sc, "", gBackprop, gAdj, seriesColor(0), circleGlyph, vg.Points(2))
	diff := newPlot("|difference| per component", "component", "|g_backprop − g_adjoint| / ‖g‖∞")
	setLogY(diff)
	idx := make([]float64, len(gAdj))
	d := make([]float64, len(gAdj))
	gmax := maxAbs(gBackprop)
	for i := range d {
		idx[i] = float64(i)
		// A log axis cannot show exact agreement: it is drawn at 1e-20.
		d[i] = math.Max(math.Abs(gBackprop[i]-gAdj[i])/gmax, 1e-20)
	}
	addPoints(diff, "", idx, d, seriesColor(3), circleGlyph, vg.Points(1.5))
	if err := out.SaveTiles("backprop-vs-adjoint", "Left: the gradient of the network's loss with respect to its weights, by backpropagation against the adjoint of a 4DVar over the layers. Right: their difference, component by component, relative to the largest component (exact agreement drawn at 1e-20).",
		[][]*plotPlot{{sc, diff}}, 12*vg.Inch, 5*vg.Inch); err != nil {
		return nil, err
	}
	if err := out.SavePlot("taylor", "The Taylor test's residual e(α) (solid) and the gradient test's |ρ(α) − 1| (dashed): O(α) for a correct linearisation until round-off takes over.",
		conv, 7*vg.Inch, 5*vg.Inch); err != nil {
		return nil, err
	}
	return m, nil
}

func shortName(s string) string {
	if len(s) >= 7 && s[:7] == "network" {
		return "network"
	}
	return "quadratic"
}

func relDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	if s := maxAbs(a); s > 0 {
		return d / s
	}
	return d
}

func maxAbs(a []float64) float64 {
	m := 0.0
	for _, v := range a {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// quadChain is the course's model x_{k+1} = α x_k² with J = ½‖x_K − y‖².
type quadChain struct {
	alpha    float64
	steps, n int
}

// trajectory returns x_0..x_K.
func (q quadChain) trajectory(x0 []float64) [][]float64 {
	xs := [][]float64{append([]float64(nil), x0...)}
	for k := range q.steps {
		next := make([]float64, q.n)
		for i, v := range xs[k] {
			next[i] = q.alpha * v * v
		}
		xs = append(xs, next)
	}
	return xs
}

// costGrad computes J and its gradient with the hand-written adjoint of the course:
// x̃_K = x_K − y, then x̃_{k} = 2α x_k x̃_{k+1} going back.
func (q quadChain) costGrad(grad, x0, y []float64) float64 {
	xs := q.trajectory(x0)
	J := 0.0
	adj := make([]float64, q.n)
	for i := range adj {
		r := xs[q.steps][i] - y[i]
		J += 0.5 * r * r
		adj[i] = r
	}
	for k := q.steps - 1; k >= 0; k-- {
		for i := range adj {
			adj[i] = 2 * q.alpha * xs[k][i] * adj[i]
		}
	}
	copy(grad, adj)
	return J
}

// tapeGrad computes the same gradient by recording the model on the engine's tape.
func (q quadChain) tapeGrad(x0, y []float64) []float64 {
	t := adjoint.NewTape()
	x := t.Vector(append([]float64(nil), x0...))
	v := x
	for range q.steps {
		v = adjoint.Scale(q.alpha, adjoint.Square(v))
	}
	J := adjoint.Scale(0.5, adjoint.SumSquares(adjoint.Sub(v, t.Constant(y, 1, q.n))))
	t.Gradient(J)
	return append([]float64(nil), x.Adj...)
}

// verifyFunc returns the map x_0 → x_K with its hand-written TL and AD models.
func (q quadChain) verifyFunc() verify.Func {
	var xs [][]float64
	return verify.Func{
		N: q.n, M: q.n,
		F: func(y, x []float64) {
			copy(y, q.trajectory(x)[q.steps])
		},
		Linearize: func(x []float64) { xs = q.trajectory(x) },
		Tangent: func(dy, dx []float64) {
			copy(dy, dx)
			for k := range q.steps {
				for i := range dy {
					dy[i] = 2 * q.alpha * xs[k][i] * dy[i]
				}
			}
		},
		Adjoint: func(ax, ay []float64) {
			a := append([]float64(nil), ay...)
			for k := q.steps - 1; k >= 0; k-- {
				for i := range a {
					a[i] = 2 * q.alpha * xs[k][i] * a[i]
				}
			}
			for i := range ax {
				ax[i] += a[i]
			}
		},
	}
}

package experiments

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot/vg"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/optimize"
)

// hessianConfig configures the hessian-2d experiment.
type hessianConfig struct {
	// Eigenvalues of the four forms, as pairs (λ₁, λ₂).
	PositiveDefinite []float64 `json:"positive_definite" help:"eigenvalues of the positive definite form"`
	NegativeDefinite []float64 `json:"negative_definite" help:"eigenvalues of the negative definite form"`
	Singular         []float64 `json:"singular" help:"eigenvalues of the singular form (one of them 0)"`
	Saddle           []float64 `json:"saddle" help:"eigenvalues of the indefinite form (a saddle)"`
	Angle            float64   `json:"angle" help:"angle in degrees of the first eigenvector from the x axis"`
	Start            []float64 `json:"start" help:"starting point x,y"`
	LearningRate     float64   `json:"lr" help:"step of gradient descent"`
	Steps            int       `json:"steps" help:"iterations of gradient descent and of the Newton methods"`
}

// defaultHessianConfig returns the defaults.
func defaultHessianConfig() hessianConfig {
	return hessianConfig{
		PositiveDefinite: []float64{1, 4},
		NegativeDefinite: []float64{-1, -4},
		Singular:         []float64{0, 2},
		Saddle:           []float64{2, -1},
		Angle:            30,
		Start:            []float64{-2.5, 1.5},
		LearningRate:     0.2,
		Steps:            60,
	}
}

// Validate checks the domains of the fields.
func (c *hessianConfig) Validate() error {
	for _, f := range []struct {
		name string
		v    []float64
	}{{"positive_definite", c.PositiveDefinite}, {"negative_definite", c.NegativeDefinite},
		{"singular", c.Singular}, {"saddle", c.Saddle}, {"start", c.Start}} {
		if len(f.v) != 2 || !finite(f.v[0]) || !finite(f.v[1]) {
			return fmt.Errorf("%s needs two finite numbers, have %v", f.name, f.v)
		}
	}
	switch {
	case !finite(c.Angle):
		return fmt.Errorf("angle must be finite, have %g", c.Angle)
	case !(c.LearningRate > 0) || !finite(c.LearningRate):
		return fmt.Errorf("lr must be positive, have %g", c.LearningRate)
	case c.Steps < 1:
		return fmt.Errorf("steps must be positive, have %d", c.Steps)
	}
	return nil
}

// formMethod is what one method did on one quadratic form.
type formMethod struct {
	Method     string  `json:"method"`     // gradient descent, modified Newton or pure Newton
	Iterations int     `json:"iterations"` // iterations made
	FinalX     float64 `json:"final_x"`    // x of the last iterate
	FinalY     float64 `json:"final_y"`    // y of the last iterate
	FinalJ     float64 `json:"final_J"`    // J at the last iterate
	// Outcome says in words where the method went.
	Outcome string `json:"outcome"`
}

// formMetrics describe one quadratic form J = ½ xᵀ H x.
type formMetrics struct {
	Name string `json:"name"` // the kind of form asked for
	// Eigenvalues of the Hessian computed from the engine's Hessian-vector products, and
	// the ones asked for.
	Eigenvalues     [2]float64   `json:"eigenvalues"`
	WantEigenvalues [2]float64   `json:"want_eigenvalues"`
	Determinant     float64      `json:"determinant"`       // λ₁λ₂
	Classification  string       `json:"classification"`    // the kind the eigenvalues say
	Methods         []formMethod `json:"methods"`           // gradient descent, modified Newton and pure Newton, in that order
	HessianMaxError float64      `json:"hessian_max_error"` // max |H_engine − H| over the entries
}

// hessianMetrics are the metrics of the hessian-2d experiment.
type hessianMetrics struct {
	Forms []formMetrics `json:"forms"` // positive definite, negative definite, singular, saddle
}

func hessianExperiment() *Experiment {
	return Define("hessian-2d",
		"the four quadratic forms (definite, negative definite, singular, saddle): eigenvalues, gradient descent and Newton",
		"A quadratic J = ½ xᵀHx is classified by the eigenvalues of its Hessian H: both positive, a bowl with one "+
			"minimum; both negative, a dome with one maximum; one zero, a valley with a line of minima; one of each sign, "+
			"a saddle. Gradient descent with a fixed step follows −∇J: it reaches the minimum of the bowl, slides down the "+
			"walls of the valley to the nearest point of its floor, and runs away, to J → −∞, from the dome and along the "+
			"descending direction of the saddle. Pure Newton, x ← x − H⁻¹∇J, jumps in one step to the stationary point "+
			"whatever its kind: the maximum of the dome and the centre of the saddle as readily as the minimum; on the "+
			"singular form H has no inverse and the pseudo-inverse step lands on the floor. The modified Newton of "+
			"optimize (H + τI made positive definite, with a line search) always descends. The Hessians here come from "+
			"the engine, by Hessian-vector products (central differences of adjoint gradients), and the lower panels "+
			"show J along each eigenvector: the eigenvalue is the curvature.",
		defaultHessianConfig, runHessian)
}

func runHessian(ctx context.Context, cfg *hessianConfig, out *Output) (*hessianMetrics, error) {
	forms := []struct {
		name string
		eig  []float64
	}{
		{"positive definite", cfg.PositiveDefinite},
		{"negative definite", cfg.NegativeDefinite},
		{"singular", cfg.Singular},
		{"saddle", cfg.Saddle},
	}
	m := &hessianMetrics{}
	tiles := newTileGrid(2, len(forms))
	th := cfg.Angle * math.Pi / 180
	v1 := [2]float64{math.Cos(th), math.Sin(th)}
	v2 := [2]float64{-math.Sin(th), math.Cos(th)}
	for fi, f := range forms {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out.Progressf("%s", f.name)
		l1, l2 := f.eig[0], f.eig[1]
		// H = l1 v1 v1ᵀ + l2 v2 v2ᵀ.
		a := l1*v1[0]*v1[0] + l2*v2[0]*v2[0]
		b := l1*v1[0]*v1[1] + l2*v2[0]*v2[1]
		d := l1*v1[1]*v1[1] + l2*v2[1]*v2[1]
		s := &surface{
			name:    f.name,
			formula: fmt.Sprintf("λ = %g, %g", l1, l2),
			build: func(x, y *adjoint.Value) *adjoint.Value {
				xx := adjoint.Scale(0.5*a, adjoint.Square(x))
				xy := adjoint.Scale(b, adjoint.Mul(x, y))
				yy := adjoint.Scale(0.5*d, adjoint.Square(y))
				return adjoint.Add(adjoint.Add(xx, xy), yy)
			},
			start: [2]float64{cfg.Start[0], cfg.Start[1]},
			xr:    [2]float64{-3, 3}, yr: [2]float64{-3, 3},
		}
		cost := newTapeCost(s)
		H := cost.hessian(s.start[:])
		fm := formMetrics{Name: f.name, WantEigenvalues: [2]float64{math.Min(l1, l2), math.Max(l1, l2)}}
		fm.HessianMaxError = math.Max(math.Max(math.Abs(H[0][0]-a), math.Abs(H[1][1]-d)),
			math.Max(math.Abs(H[0][1]-b), math.Abs(H[1][0]-b)))
		var es mat.EigenSym
		sym := mat.NewSymDense(2, []float64{H[0][0], 0.5 * (H[0][1] + H[1][0]), 0.5 * (H[0][1] + H[1][0]), H[1][1]})
		if !es.Factorize(sym, false) {
			return nil, fmt.Errorf("%s: eigendecomposition of the Hessian failed", f.name)
		}
		ev := es.Values(nil) // ascending
		fm.Eigenvalues = [2]float64{ev[0], ev[1]}
		fm.Determinant = ev[0] * ev[1]
		fm.Classification = classify(ev[0], ev[1])

		// Gradient descent with a fixed step, and optimize's modified Newton.
		gd := race(cost, s, &optimize.SGD{LearningRate: cfg.LearningRate}, cfg.Steps, 0)
		mn := race(cost, s, &optimize.Newton{}, cfg.Steps, 0)
		pn := pureNewton(cost, s.start, H, cfg.Steps)
		runs := []struct {
			name string
			r    raceRun
		}{{"gradient descent", gd}, {"modified Newton", mn}, {"pure Newton", pn}}
		grid := newCostGrid(cost, s.xr, s.yr, 100)
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, col := range grid.z {
			for _, v := range col {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		p := contourPlot(s, grid, linspace(lo, hi, 18)[1:17], f.name+" ("+s.formula+")")
		for k, r := range runs {
			fmm := formMethod{Method: r.name, Iterations: len(r.r.xs) - 1}
			if n := len(r.r.xs); n > 0 {
				fmm.FinalX, fmm.FinalY, fmm.FinalJ = r.r.xs[n-1], r.r.ys[n-1], r.r.js[n-1]
			}
			fmm.Outcome = outcome(fm.Classification, fmm, r.r)
			fm.Methods = append(fm.Methods, fmm)
			label := ""
			if fi == 0 {
				label = r.name
			}
			addLine(p, label, r.r.xs, r.r.ys, seriesColor(k), r.name == "pure Newton")
		}
		addPoints(p, "", []float64{s.start[0]}, []float64{s.start[1]}, plotBlack, circleGlyph, vg.Points(4))
		// The eigenvectors through the stationary point.
		addLine(p, "", []float64{-3 * v1[0], 3 * v1[0]}, []float64{-3 * v1[1], 3 * v1[1]}, plotBlack, true)
		addLine(p, "", []float64{-3 * v2[0], 3 * v2[0]}, []float64{-3 * v2[1], 3 * v2[1]}, plotGray, true)
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = s.xr[0], s.xr[1], s.yr[0], s.yr[1]
		p.Legend.Top = true
		tiles[0][fi] = p

		// J along each eigenvector: ½ λ t².
		ts := linspace(-3, 3, 121)
		j1 := make([]float64, len(ts))
		j2 := make([]float64, len(ts))
		for i, t := range ts {
			j1[i] = cost.value([]float64{t * v1[0], t * v1[1]})
			j2[i] = cost.value([]float64{t * v2[0], t * v2[1]})
		}
		q := newPlot("J along the eigenvectors", "t", "J(t·v)")
		addLine(q, fmt.Sprintf("v₁, λ = %g", l1), ts, j1, plotBlack, false)
		addLine(q, fmt.Sprintf("v₂, λ = %g", l2), ts, j2, plotGray, false)
		q.Legend.Top = true
		tiles[1][fi] = q
		m.Forms = append(m.Forms, fm)
	}
	if err := out.SaveTiles("forms", "Top: contours of J with the paths of gradient descent, pure Newton (dashed) and modified Newton, and the eigenvectors (dashed black: v₁, grey: v₂). Bottom: J along each eigenvector.",
		tiles, 18*vg.Inch, 9*vg.Inch); err != nil {
		return nil, err
	}
	var tb []byte
	tb = fmt.Appendf(tb, "%-18s %10s %10s  %-22s %-18s %s\n", "form", "λ₁", "λ₂", "kind", "method", "outcome")
	for _, f := range m.Forms {
		for _, mm := range f.Methods {
			tb = fmt.Appendf(tb, "%-18s %10.4g %10.4g  %-22s %-18s %s\n", f.Name, f.Eigenvalues[0], f.Eigenvalues[1], f.Classification, mm.Method, mm.Outcome)
		}
	}
	if err := out.AddTable("outcomes", "Eigenvalues and where each method goes", string(tb)); err != nil {
		return nil, err
	}
	return m, nil
}

// eigTol decides that an eigenvalue is zero: the Hessian-vector products are central
// differences of gradients, exact for a quadratic up to round-off of order 1e-10.
const eigTol = 1e-6

func classify(l1, l2 float64) string {
	switch {
	case l1 > eigTol && l2 > eigTol:
		return "minimum (bowl)"
	case l1 < -eigTol && l2 < -eigTol:
		return "maximum (dome)"
	case math.Abs(l1) <= eigTol || math.Abs(l2) <= eigTol:
		return "singular (valley)"
	}
	return "saddle"
}

// outcome says where a run ended, given the kind of stationary point the form has.
func outcome(kind string, m formMethod, r raceRun) string {
	dist := math.Hypot(m.FinalX, m.FinalY)
	switch {
	case r.Status == "Unbounded" || m.FinalJ < -1e3 || dist > 1e3:
		return "runs away, J → −∞"
	case r.Error != "" || !finite(m.FinalJ):
		return "fails: " + r.Error
	case dist < 1e-4:
		switch kind {
		case "minimum (bowl)":
			return "reaches the minimum"
		case "maximum (dome)":
			return "lands on the maximum"
		case "saddle":
			return "lands on the saddle point"
		}
		return "reaches a minimum on the floor"
	case kind == "singular (valley)" && math.Abs(m.FinalJ) < 1e-8:
		return "reaches a minimum on the floor"
	case m.FinalJ < 0:
		return fmt.Sprintf("descending, J = %.3g after %d iterations", m.FinalJ, m.Iterations)
	}
	return fmt.Sprintf("not converged, J = %.3g after %d iterations", m.FinalJ, m.Iterations)
}

// pureNewton iterates x ← x − H⁺∇J with the pseudo-inverse H⁺ (the inverse when H is
// regular), which moves to the stationary point of a quadratic in one step whatever its kind.
func pureNewton(cost *tapeCost, start [2]float64, H [2][2]float64, steps int) raceRun {
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(2, 2, []float64{H[0][0], H[0][1], H[1][0], H[1][1]}), mat.SVDFull) {
		return raceRun{Status: "error", Error: "SVD of the Hessian failed"}
	}
	vals := svd.Values(nil)
	rank := 0
	for _, v := range vals {
		if v > eigTol*math.Max(1, vals[0]) {
			rank++
		}
	}
	x := []float64{start[0], start[1]}
	grad := make([]float64, 2)
	r := raceRun{Arrived: -1, Status: "IterationLimit"}
	g0 := 0.0
	for k := 0; ; k++ {
		f := cost.funcGrad(grad, x)
		r.xs, r.ys, r.js = append(r.xs, x[0]), append(r.ys, x[1]), append(r.js, f)
		g := math.Hypot(grad[0], grad[1])
		if k == 0 {
			g0 = g
		}
		// H comes from differences of gradients, accurate to about 1e-11 relative, so one
		// step reduces the gradient by that much, not to zero.
		if g <= 1e-9*g0 {
			r.Status = "GradientConverged"
			break
		}
		if k == steps {
			break
		}
		var d mat.Dense
		svd.SolveTo(&d, mat.NewDense(2, 1, grad), rank)
		x[0] -= d.At(0, 0)
		x[1] -= d.At(1, 0)
	}
	r.Iterations = len(r.xs) - 1
	return r
}

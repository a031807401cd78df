package experiments

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/adjunto/adjunto/optimize"
)

// optimizersConfig configures the optimizers race.
type optimizersConfig struct {
	Surfaces []string `json:"surfaces" help:"surfaces to race on: quadratic, rosenbrock, saddle"`
	Methods  []string `json:"methods" help:"methods: gd, momentum, nesterov, adagrad, rmsprop, adam, adamw, lbfgs, cg, newton"`
	// Steps bounds the iterations of every method.
	Steps int `json:"steps" help:"maximum iterations per method"`
	// LRScale multiplies every stepping method's tuned learning rate: 2 or 3 makes gradient
	// descent diverge on the quadratic, 0.1 makes everyone crawl.
	LRScale    float64 `json:"lr_scale" help:"factor on every stepping method's learning rate"`
	Momentum   float64 `json:"momentum" help:"momentum of the momentum and Nesterov methods"`
	AdamWDecay float64 `json:"adamw_decay" help:"decoupled weight decay of AdamW"`
	Kappa      float64 `json:"kappa" help:"condition number of the quadratic"`
	Angle      float64 `json:"angle" help:"angle in degrees of the quadratic's stiff axis from the y axis"`
	// Tolerance is the distance to a minimum that counts as arrived.
	Tolerance float64 `json:"tolerance" help:"distance to a minimum that counts as arrived"`
	GIF       bool    `json:"gif" help:"write the animated GIFs"`
	Frames    int     `json:"frames" help:"frames per GIF"`
}

// defaultOptimizersConfig returns the defaults.
func defaultOptimizersConfig() optimizersConfig {
	return optimizersConfig{
		Surfaces:   []string{"quadratic", "rosenbrock", "saddle"},
		Methods:    raceMethodNames(),
		Steps:      2000,
		LRScale:    1,
		Momentum:   0.9,
		AdamWDecay: 0.1,
		Kappa:      25,
		Angle:      30,
		Tolerance:  1e-3,
		GIF:        true,
		Frames:     60,
	}
}

// Validate checks the domains of the fields.
func (c *optimizersConfig) Validate() error {
	for _, s := range c.Surfaces {
		if !slices.Contains([]string{"quadratic", "rosenbrock", "saddle"}, s) {
			return fmt.Errorf("surfaces: unknown surface %q (want quadratic, rosenbrock or saddle)", s)
		}
	}
	for _, m := range c.Methods {
		if !slices.Contains(raceMethodNames(), m) {
			return fmt.Errorf("methods: unknown method %q (want %s)", m, strings.Join(raceMethodNames(), ", "))
		}
	}
	switch {
	case len(c.Surfaces) == 0 || len(c.Methods) == 0:
		return errors.New("need at least one surface and one method")
	case c.Steps < 1:
		return fmt.Errorf("steps must be positive, have %d", c.Steps)
	case !(c.LRScale > 0) || !finite(c.LRScale):
		return fmt.Errorf("lr_scale must be positive, have %g", c.LRScale)
	case !(c.Momentum >= 0 && c.Momentum < 1):
		return fmt.Errorf("momentum must be in [0, 1), have %g", c.Momentum)
	case !(c.AdamWDecay >= 0) || !finite(c.AdamWDecay):
		return fmt.Errorf("adamw_decay must be non-negative, have %g", c.AdamWDecay)
	case !(c.Kappa >= 1) || !finite(c.Kappa):
		return fmt.Errorf("kappa must be at least 1, have %g", c.Kappa)
	case !finite(c.Angle):
		return fmt.Errorf("angle must be finite, have %g", c.Angle)
	case !(c.Tolerance > 0):
		return fmt.Errorf("tolerance must be positive, have %g", c.Tolerance)
	case c.GIF && c.Frames < 2:
		return fmt.Errorf("frames must be at least 2, have %d", c.Frames)
	}
	return firstErr(fits("steps,methods,surfaces", c.Steps, len(c.Methods), len(c.Surfaces), 8),
		fits("frames", c.Frames, 600*600, 2)) // a paletted frame and its diff
}

// raceRun is one method's run on one surface.
type raceRun struct {
	Surface string `json:"surface"` // quadratic, rosenbrock or saddle
	Method  string `json:"method"`  // the method's short name
	// LearningRate is the step size η of a stepping method; 0 for the line-search methods.
	LearningRate float64 `json:"lr"`
	Iterations   int     `json:"iterations"`  // iterations made
	Evaluations  int     `json:"evaluations"` // evaluations of J and ∇J (forward and adjoint runs)
	HessVecs     int     `json:"hessvecs"`    // Hessian-vector products (Newton)
	FinalJ       float64 `json:"final_J"`     // J at the last iterate; +Inf after a divergence
	FinalDist    float64 `json:"final_dist"`  // distance of the last iterate to the nearest minimum
	// Arrived is the first iteration within Tolerance of a minimum, −1 if none was.
	Arrived int `json:"arrived"`
	// ArrivedEvals is the number of evaluations (forward + adjoint runs) spent by then.
	ArrivedEvals int    `json:"arrived_evals"`
	Status       string `json:"status"`          // why the run stopped (optimize.Status)
	Error        string `json:"error,omitempty"` // the error that ended the run, if any (a divergence)

	xs, ys, js []float64
}

// optimizersMetrics are the metrics of the optimizers race.
type optimizersMetrics struct {
	Runs []raceRun `json:"runs"` // surface by surface, method by method
	// Winners names, per surface, the method that arrived with the fewest evaluations.
	Winners map[string]string `json:"winners"`
}

// raceMethod is a contestant: its name, its legend label and its construction.
type raceMethod struct {
	name, label string
	stepping    bool
	make        func(lr float64, c *optimizersConfig) optimize.Method
}

func raceMethods() []raceMethod {
	return []raceMethod{
		{"gd", "gradient descent", true, func(lr float64, _ *optimizersConfig) optimize.Method {
			return &optimize.SGD{LearningRate: lr}
		}},
		{"momentum", "momentum", true, func(lr float64, c *optimizersConfig) optimize.Method {
			return &optimize.SGD{LearningRate: lr, Momentum: c.Momentum}
		}},
		{"nesterov", "Nesterov", true, func(lr float64, c *optimizersConfig) optimize.Method {
			return &optimize.SGD{LearningRate: lr, Momentum: c.Momentum, Nesterov: c.Momentum > 0}
		}},
		{"adagrad", "Adagrad", true, func(lr float64, _ *optimizersConfig) optimize.Method {
			return &optimize.Adagrad{LearningRate: lr}
		}},
		{"rmsprop", "RMSprop", true, func(lr float64, _ *optimizersConfig) optimize.Method {
			return &optimize.RMSprop{LearningRate: lr}
		}},
		{"adam", "Adam", true, func(lr float64, _ *optimizersConfig) optimize.Method {
			return &optimize.Adam{LearningRate: lr}
		}},
		{"adamw", "AdamW", true, func(lr float64, c *optimizersConfig) optimize.Method {
			if c.AdamWDecay == 0 {
				return &optimize.Adam{LearningRate: lr} // AdamW's zero value means PyTorch's 1e-2
			}
			return &optimize.AdamW{LearningRate: lr, WeightDecay: c.AdamWDecay}
		}},
		{"lbfgs", "L-BFGS", false, func(float64, *optimizersConfig) optimize.Method { return &optimize.LBFGS{} }},
		{"cg", "CG", false, func(float64, *optimizersConfig) optimize.Method { return &optimize.CG{} }},
		{"newton", "Newton", false, func(float64, *optimizersConfig) optimize.Method { return &optimize.Newton{} }},
	}
}

func raceMethodNames() []string {
	var ns []string
	for _, m := range raceMethods() {
		ns = append(ns, m.name)
	}
	return ns
}

func raceSurface(name string, c *optimizersConfig) *surface {
	switch name {
	case "quadratic":
		return quadraticSurface(c.Kappa, c.Angle)
	case "rosenbrock":
		return rosenbrockSurface()
	}
	return saddleSurface()
}

func optimizersExperiment() *Experiment {
	return Define("optimizers",
		"the optimizer race on 2-D surfaces: trajectories over contours, convergence, and an animated GIF",
		"Ten minimisers race from the same start on three surfaces: an ill-conditioned quadratic (condition number κ, "+
			"stiff axis turned away from the coordinate axes), Rosenbrock's banana valley, and a saddle between two minima "+
			"with the start almost on the ridge. Gradient descent with a fixed step zig-zags across the stiff direction and "+
			"crawls along the flat one; momentum and Nesterov overshoot and then run down the valley faster; Adagrad, "+
			"RMSprop and Adam rescale each coordinate, which helps when the stiff directions are the axes and not otherwise; "+
			"AdamW's decoupled decay pulls towards the origin and so misses a minimum that is not there. "+
			"L-BFGS, nonlinear CG and Newton choose their steps by a line search and curvature information and arrive "+
			"in tens of iterations, counted here as evaluations of J and its adjoint gradient. Every gradient is a reverse "+
			"sweep of the engine over J recorded on a tape; Newton's Hessian comes from Hessian-vector products.",
		defaultOptimizersConfig, runOptimizers)
}

func runOptimizers(ctx context.Context, cfg *optimizersConfig, out *Output) (*optimizersMetrics, error) {
	m := &optimizersMetrics{Winners: map[string]string{}}
	var methods []raceMethod
	for _, rm := range raceMethods() {
		if slices.Contains(cfg.Methods, rm.name) {
			methods = append(methods, rm)
		}
	}
	trajPlots := newTileGrid(1, len(cfg.Surfaces))
	convPlots := newTileGrid(1, len(cfg.Surfaces))
	for si, sname := range cfg.Surfaces {
		s := raceSurface(sname, cfg)
		cost := newTapeCost(s)
		var runs []raceRun
		for _, rm := range methods {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			out.Progressf("%s: %s", sname, rm.name)
			lr := 0.0
			if rm.stepping {
				lr = s.lr[rm.name] * cfg.LRScale
			}
			r := race(cost, s, rm.make(lr, cfg), cfg.Steps, cfg.Tolerance)
			r.Surface, r.Method, r.LearningRate = sname, rm.name, lr
			runs = append(runs, r)
		}
		best := -1
		for i, r := range runs {
			if r.Arrived >= 0 && (best < 0 || r.ArrivedEvals < runs[best].ArrivedEvals) {
				best = i
			}
		}
		if best >= 0 {
			m.Winners[sname] = runs[best].Method
		} else {
			m.Winners[sname] = "none"
		}
		m.Runs = append(m.Runs, runs...)

		grid := newCostGrid(cost, s.xr, s.yr, 120)
		levels := contourLevels(grid, s.jmin, 14)
		tp := contourPlot(s, grid, levels, sname+": "+s.formula)
		cp := newPlot(sname, "iteration", "J − J*")
		setLogY(cp)
		for i, r := range runs {
			col := seriesColor(slices.IndexFunc(raceMethods(), func(x raceMethod) bool { return x.name == r.Method }))
			label := ""
			if si == 0 {
				label = methods[i].label
			}
			addLine(tp, label, r.xs, r.ys, col, false)
			its := make([]float64, len(r.js))
			gap := make([]float64, len(r.js))
			for k, j := range r.js {
				its[k] = float64(k)
				gap[k] = math.Max(j-s.jmin, 1e-16) // a log axis cannot show an exact zero
			}
			addLine(cp, methods[i].label, its, gap, col, !methods[i].stepping)
		}
		markStartAndMinima(tp, s)
		tp.X.Min, tp.X.Max, tp.Y.Min, tp.Y.Max = s.xr[0], s.xr[1], s.yr[0], s.yr[1]
		tp.Legend.Top, tp.Legend.Left = true, false
		cp.Legend.Top = false
		trajPlots[0][si] = tp
		convPlots[0][si] = cp
		if err := writeRaceCSV(out, sname, runs); err != nil {
			return nil, err
		}
		if cfg.GIF {
			out.Progressf("%s: animation", sname)
			if err := raceGIF(out, s, grid, levels, runs, methods, cfg.Frames); err != nil {
				return nil, err
			}
		}
	}
	w := vg.Length(6*len(cfg.Surfaces)) * vg.Inch
	if err := out.SaveTiles("trajectories", "Trajectories of the minimisers over the contour lines of J (start: black circle; minima: black crosses).",
		trajPlots, w, 6*vg.Inch); err != nil {
		return nil, err
	}
	if err := out.SaveTiles("convergence", "J − J* against iteration; dashed lines are the line-search methods, whose iterations each cost several evaluations.",
		convPlots, w, 4.5*vg.Inch); err != nil {
		return nil, err
	}
	return m, nil
}

// race runs method on the surface from its start and records the iterates.
func race(cost *tapeCost, s *surface, method optimize.Method, steps int, tol float64) raceRun {
	p := cost.problem()
	r := raceRun{Arrived: -1}
	settings := &optimize.Settings{
		MaxIterations:             steps,
		GradientThreshold:         1e-9,
		FunctionRelativeTolerance: -1, // run to the gradient test or the limit: a stall is part of the race
		Callback: func(it optimize.Iteration) error {
			x, y := it.X[0], it.X[1]
			r.xs, r.ys, r.js = append(r.xs, x), append(r.ys, y), append(r.js, it.J)
			if r.Arrived < 0 && s.distToMin([]float64{x, y}) < tol {
				r.Arrived, r.ArrivedEvals = it.Iter, it.Evaluations
			}
			return nil
		},
	}
	res, err := optimize.Minimize(p, s.start[:], settings, method)
	if res != nil {
		r.Iterations, r.Evaluations, r.HessVecs = res.Iterations, res.Evaluations, res.HessVecs
		r.Status = res.Status.String()
		if len(r.xs) > 0 {
			last := len(r.xs) - 1
			r.FinalJ = r.js[last]
			r.FinalDist = s.distToMin([]float64{r.xs[last], r.ys[last]})
		}
	}
	if err != nil {
		// A divergence or a failed line search is a result of the race, not a failure of
		// the experiment: it is reported in the metrics and the figures.
		r.Error = err.Error()
		if res == nil {
			r.Status = "error"
		}
		var de *optimize.DivergenceError
		if errors.As(err, &de) {
			r.FinalJ, r.FinalDist = math.Inf(1), math.Inf(1)
		}
	}
	return r
}

func markStartAndMinima(p *plot.Plot, s *surface) {
	addPoints(p, "", []float64{s.start[0]}, []float64{s.start[1]}, plotBlack, draw.CircleGlyph{}, vg.Points(4))
	var mx, my []float64
	for _, m := range s.minima {
		mx, my = append(mx, m[0]), append(my, m[1])
	}
	addPoints(p, "", mx, my, plotBlack, draw.CrossGlyph{}, vg.Points(5))
}

func writeRaceCSV(out *Output, sname string, runs []raceRun) error {
	header := []string{"iteration"}
	n := 0
	for _, r := range runs {
		header = append(header, r.Method+"_x", r.Method+"_y", r.Method+"_J")
		n = max(n, len(r.js))
	}
	rows := make([][]float64, n)
	for k := range rows {
		row := []float64{float64(k)}
		for _, r := range runs {
			if k < len(r.js) {
				row = append(row, r.xs[k], r.ys[k], r.js[k])
			} else {
				row = append(row, math.NaN(), math.NaN(), math.NaN())
			}
		}
		rows[k] = row
	}
	return out.WriteCSV("race-"+sname, header, rows)
}

// raceGIF animates the race on one surface: iteration k of every method appears at frame
// f = F·√(k/K), so the first iterations, where most happens, are not over in a blink.
func raceGIF(out *Output, s *surface, grid *costGrid, levels []float64, runs []raceRun, methods []raceMethod, frames int) error {
	p := contourPlot(s, grid, levels, s.name+": "+s.formula)
	colors := make([]colorRGBA, len(runs))
	for i, r := range runs {
		colors[i] = seriesColor(slices.IndexFunc(raceMethods(), func(x raceMethod) bool { return x.name == r.Method }))
		l := &plotter.Line{LineStyle: draw.LineStyle{Color: colors[i], Width: vg.Points(2)}}
		p.Legend.Add(methods[i].label, l)
	}
	p.Legend.Top = true
	markStartAndMinima(p, s)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = s.xr[0], s.xr[1], s.yr[0], s.yr[1]
	a := newAnimator(p, 6.5*vg.Inch, 5.5*vg.Inch, colors)
	K := 1
	for _, r := range runs {
		K = max(K, len(r.js)-1)
	}
	drawn := make([]int, len(runs)) // iterates already joined, per run
	for f := 1; f <= frames; f++ {
		upto := int(math.Round(float64(K) * math.Pow(float64(f)/float64(frames), 2)))
		for i, r := range runs {
			for drawn[i] < min(upto, len(r.js)-1) {
				k := drawn[i]
				a.segment(r.xs[k], r.ys[k], r.xs[k+1], r.ys[k+1], colors[i])
				drawn[i]++
			}
		}
		a.frame(8)
	}
	a.g.Delay[len(a.g.Delay)-1] += 300 // hold the finish
	return out.SaveGIF("race-"+s.name, "The race on "+s.name+" as an animation: iteration k appears at a time proportional to √k.", &a.g)
}

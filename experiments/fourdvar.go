package experiments

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/models/lorenz"
)

// twinConfig configures a 4DVar twin experiment on one of fourdvar's standard setups.
type twinConfig struct {
	Setup string `json:"setup" help:"standard setup of package fourdvar (sakov2008, bocquet2013, sakov2012)"`
	// The fields below override the setup's value when non-zero (non-empty).
	Variant string  `json:"variant" help:"4dvar, incremental, weak, 3dvar (empty: the setup's)"`
	Cycles  int     `json:"cycles" help:"analyses (0: the setup's)"`
	Window  int     `json:"window" help:"steps per window (0: the setup's)"`
	Shift   int     `json:"shift" help:"steps between analyses (0: the setup's)"`
	BSigma  float64 `json:"b_sigma" help:"background error standard deviation (0: the setup's)"`
	Seed    uint64  `json:"seed" help:"seed of the truth, the observations and the first background"`
	// PlotSteps is the length of the time-series figure, the last steps of the run.
	PlotSteps int `json:"plot_steps" help:"steps shown in the time-series figure"`
}

// defaultLorenz63Config returns the defaults of lorenz63-4dvar.
func defaultLorenz63Config() twinConfig {
	return twinConfig{Setup: "sakov2012", Seed: 1, PlotSteps: 1000}
}

// defaultLorenz96Config returns the defaults of lorenz96-4dvar.
func defaultLorenz96Config() twinConfig {
	return twinConfig{Setup: "bocquet2013", Seed: 1, PlotSteps: 200}
}

// Validate checks the domains of the fields.
func (c *twinConfig) Validate() error {
	if _, err := fourdvar.LookupSetup(c.Setup); err != nil {
		return fmt.Errorf("setup: %v", err)
	}
	if c.Variant != "" {
		v, err := fourdvar.ParseVariant(c.Variant)
		if err != nil {
			return fmt.Errorf("variant: %v", err)
		}
		if v == fourdvar.Params4DVar {
			return fmt.Errorf("variant: params is not supported by this experiment")
		}
	}
	if err := firstErr(nonNegativeInt("cycles", c.Cycles), nonNegativeInt("window", c.Window), nonNegativeInt("shift", c.Shift),
		nonNegative("b_sigma", c.BSigma), checkPositive("plot_steps", c.PlotSteps)); err != nil {
		return err
	}
	_, _, err := c.twin() // the twin's own checks, its memory among them, before any run
	return err
}

// twin builds the twin experiment of cfg.
func (c *twinConfig) twin() (*fourdvar.Twin, fourdvar.Setup, error) {
	s, err := fourdvar.LookupSetup(c.Setup)
	if err != nil {
		return nil, s, err
	}
	if c.BSigma > 0 {
		s.BSigma = c.BSigma
	}
	m, err := setupModel(s)
	if err != nil {
		return nil, s, err
	}
	t, err := s.Twin(m, c.Seed)
	if err != nil {
		return nil, s, err
	}
	if c.Variant != "" {
		t.Variant, _ = fourdvar.ParseVariant(c.Variant)
	}
	if c.Cycles > 0 {
		t.Cycles = c.Cycles
		t.BurnIn = min(t.BurnIn, c.Cycles/2)
	}
	if c.Window > 0 {
		t.Window = c.Window
		if c.Shift == 0 {
			t.Shift = min(t.Shift, c.Window)
		}
	}
	if c.Shift > 0 {
		t.Shift = c.Shift
	}
	if err := t.Validate(); err != nil {
		return nil, s, err
	}
	return t, s, nil
}

// setupModel builds the model a setup names.
func setupModel(s fourdvar.Setup) (fourdvar.Model, error) {
	switch s.Model {
	case "lorenz63":
		m := lorenz.NewL63()
		m.Dt = s.Dt
		return m, m.Validate()
	case "lorenz96":
		m, err := lorenz.NewL96(s.N)
		if err != nil {
			return nil, err
		}
		m.F, m.Dt = s.Forcing, s.Dt
		return m, m.Validate()
	}
	return nil, fmt.Errorf("setup %s: unknown model %q", s.Name, s.Model)
}

// runTwin runs t, reporting progress and stopping when ctx is cancelled.
func runTwin(ctx context.Context, out *Output, label string, t *fourdvar.Twin) (*fourdvar.Result, error) {
	t.OnCycle = func(c *fourdvar.Cycle) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		out.Progressf("%s: cycle %d/%d, analysis RMSE %.3f", label, c.Cycle+1, t.Cycles, c.RMSEAnalysis)
		return nil
	}
	return t.Run()
}

// twinMetrics are the metrics of a twin experiment.
type twinMetrics struct {
	Setup       string  `json:"setup"`       // name of fourdvar's setup
	Description string  `json:"description"` // the setup's description, with its literature
	Variant     string  `json:"variant"`     // the 4DVar variant run
	Window      int     `json:"window"`      // steps per window
	Shift       int     `json:"shift"`       // steps between analyses
	ObsEvery    int     `json:"obs_every"`   // steps between observation times
	ObsSigma    float64 `json:"obs_sigma"`   // observation error standard deviation σ_o
	B           string  `json:"B"`           // the static background error covariance
	// Summary averages the cycles after the burn-in.
	Summary fourdvar.Summary `json:"summary"`
	// AnalysisOverObs is the analysis RMSE over σ_o: below 1, the analysis knows the state
	// better than the observations do.
	AnalysisOverObs float64 `json:"analysis_over_obs_sigma"`
	// Target is the analysis RMSE the setup's tuning reached (fourdvar's preset), and
	// Published the literature's values for the same setup.
	Target    float64              `json:"target"`
	Published []fourdvar.Published `json:"published"`
	// Failed counts cycles whose minimisation did not converge.
	NotConverged int `json:"not_converged"`
}

func lorenz63Experiment() *Experiment {
	return Define("lorenz63-4dvar",
		"4DVar twin experiment on Lorenz-63: truth, background and analysis, and the RMSE of each cycle",
		"A twin experiment: a run of the Lorenz-63 model is the truth, noisy observations of it are assimilated cycle "+
			"after cycle by strong-constraint 4DVar, each analysis minimising J = J_b + J_o over the initial state of its "+
			"window with L-BFGS and the gradient from one adjoint integration, and its forecast is the next window's "+
			"background. The butterfly's chaos doubles every small error in well under a time unit, yet the analysis "+
			"(colour) stays on the truth (black) between sparse observations (dots), where the forecast from the previous "+
			"window (dashed) had drifted. The RMSE panel shows, at the end of each window, the error of the forecast from the previous analysis and of the new analysis against the "+
			"observation error σ_o; the analysis beats the observations because the model carries information from one "+
			"observation time to the next.",
		defaultLorenz63Config, runTwinExperiment)
}

func lorenz96Experiment() *Experiment {
	return Define("lorenz96-4dvar",
		"4DVar twin experiment on Lorenz-96 (40 variables): truth, background and analysis, and the RMSE",
		"The same twin experiment on the 40-variable Lorenz-96 ring, the standard test bed of data assimilation, with "+
			"every variable observed every 4 steps (0.2 time units, a day of 'weather') with σ_o = 1, and overlapping "+
			"4DVar windows. Shown are three of the 40 variables: truth (black), observations (dots), the forecast "+
			"background (dashed) and the analysis (colour), and below the RMSE over all 40 variables of each cycle. "+
			"The metrics compare the time-averaged analysis RMSE with values published for the same setup.",
		defaultLorenz96Config, runTwinExperiment)
}

func runTwinExperiment(ctx context.Context, cfg *twinConfig, out *Output) (*twinMetrics, error) {
	t, s, err := cfg.twin()
	if err != nil {
		return nil, err
	}
	res, err := runTwin(ctx, out, s.Model, t)
	if err != nil {
		return nil, err
	}
	m := &twinMetrics{Setup: s.Name, Description: s.Description, Variant: string(t.Variant), Window: t.Window, Shift: t.Shift,
		ObsEvery: t.ObsEvery, ObsSigma: t.ObsSigma, B: fmt.Sprintf("%s, σ_b = %g", s.B, s.BSigma),
		Summary: res.Summary, Target: s.Target, Published: s.Published}
	if m.Variant == "" {
		m.Variant = string(fourdvar.Strong4DVar)
	}
	m.AnalysisOverObs = res.Summary.RMSEAnalysis / t.ObsSigma
	for _, c := range res.Cycles {
		if c.Status != "GradientConverged" && c.Status != "FunctionConverged" {
			m.NotConverged++
		}
	}
	if err := twinFigures(out, s, t, res, cfg.PlotSteps); err != nil {
		return nil, err
	}
	var tb strings.Builder
	fmt.Fprintf(&tb, "%-34s %s\n", "method", "analysis RMSE")
	fmt.Fprintf(&tb, "%-34s %.3f  (this run, %d cycles after %d of burn-in)\n", "adjunto "+m.Variant, res.Summary.RMSEAnalysis, res.Summary.Cycles, res.Summary.BurnIn)
	for _, p := range s.Published {
		fmt.Fprintf(&tb, "%-34s %.3f  (%s)\n", p.Method, p.RMSE, p.Source)
	}
	if err := out.AddTable("comparison", "Time-averaged analysis RMSE against published values for "+s.Name, tb.String()); err != nil {
		return nil, err
	}
	return m, nil
}

// rmseCycles is the number of cycles the RMSE figure shows, the last ones: more make a
// solid band.
const rmseCycles = 250

// twinFigures draws the time series of the recorded variables over the last plotSteps steps
// and the RMSE of each cycle.
func twinFigures(out *Output, s fourdvar.Setup, t *fourdvar.Twin, res *fourdvar.Result, plotSteps int) error {
	ser := res.Series
	from := max(0, len(ser.Steps)-plotSteps)
	ts := make([]float64, len(ser.Steps)-from)
	for i, k := range ser.Steps[from:] {
		ts[i] = float64(k) * s.Dt
	}
	tiles := newTileGrid(len(ser.Record), 1)
	for v, idx := range ser.Record {
		// Variables are named by their index from 0, as in the CSV files and the other figures.
		name := fmt.Sprintf("x%d", idx)
		if s.Model == "lorenz63" && idx < 3 {
			name += " (" + []string{"x", "y", "z"}[idx] + ")"
		}
		p := newPlot("", "time", name)
		label := func(s string) string { // one legend, on the first panel
			if v == 0 {
				return s
			}
			return ""
		}
		addLine(p, label("truth"), ts, ser.Truth[v][from:], plotBlack, false)
		addLine(p, label("background (forecast)"), ts, ser.Background[v][from:], seriesColor(1), true)
		addLine(p, label("analysis"), ts, ser.Analysis[v][from:], seriesColor(0), false)
		lo, hi := minMax(ser.Truth[v][from:])
		if v < len(ser.Obs) {
			var ox, oy []float64
			for i, k := range ser.ObsSteps[v] {
				if k >= ser.Steps[from] {
					ox, oy = append(ox, float64(k)*s.Dt), append(oy, ser.Obs[v][i])
				}
			}
			addPoints(p, label("observations"), ox, oy, seriesColor(3), circleGlyph, vg.Points(2))
			olo, ohi := minMax(oy)
			lo, hi = math.Min(lo, olo), math.Max(hi, ohi)
		}
		if v == 0 {
			p.Legend.Top = true
			p.Y.Max = hi + 0.6*(hi-lo) // headroom for the legend
		}
		tiles[v][0] = p
	}
	if err := out.SaveTiles("series", fmt.Sprintf("Truth, observations, background and analysis of %d variables over the last %d steps.", len(ser.Record), len(ts)),
		tiles, 11*vg.Inch, vg.Length(2.2*float64(len(ser.Record)))*vg.Inch); err != nil {
		return err
	}
	rp := newPlot(fmt.Sprintf("forecast and analysis RMSE (%s, window %d, shift %d)", s.Name, t.Window, t.Shift), "time", "RMSE")
	setLogY(rp)
	cycles := res.Cycles[max(0, len(res.Cycles)-rmseCycles-1):]
	// At the end of window c+1 the forecast from the end of window c (Shift steps earlier)
	// and the analysis of window c+1 estimate the same state.
	var ct, rf, ra []float64
	for i := 1; i < len(cycles); i++ {
		ct = append(ct, float64(cycles[i].Step+t.Window)*s.Dt)
		rf = append(rf, cycles[i-1].RMSEForecast)
		ra = append(ra, cycles[i].RMSEAnalysis)
	}
	addLine(rp, "forecast", ct, rf, seriesColor(1), false)
	addLine(rp, "analysis", ct, ra, seriesColor(0), false)
	if len(ct) > 0 {
		addLine(rp, "σ_o", []float64{ct[0], ct[len(ct)-1]}, []float64{t.ObsSigma, t.ObsSigma}, plotGray, true)
		_, hi := minMax(append(append([]float64{t.ObsSigma}, rf...), ra...))
		rp.Y.Max = 30 * hi // headroom for the legend on the log axis
	}
	rp.Legend.Top = true
	if err := out.SavePlot("rmse", fmt.Sprintf("RMSE over all variables, at the end of each window (the last %d cycles): the forecast from the previous analysis and the new analysis, which assimilated the window's newest observations; σ_o for comparison.", len(ct)), rp, 11*vg.Inch, 3.5*vg.Inch); err != nil {
		return err
	}
	rows := make([][]float64, len(res.Cycles))
	for i, c := range res.Cycles {
		rows[i] = []float64{float64(c.Cycle), float64(c.Step), c.RMSEBackground, c.RMSEAnalysis, c.RMSEForecast, float64(c.Iterations), c.CostInitial, c.CostFinal}
	}
	return out.WriteCSV("cycles", []string{"cycle", "step", "rmse_background", "rmse_analysis", "rmse_forecast", "iterations", "J_initial", "J_final"}, rows)
}

// windowConfig configures the window-length experiment.
type windowConfig struct {
	Setup    string   `json:"setup" help:"standard setup of package fourdvar giving model, observations and B"`
	Windows  []int    `json:"windows" help:"window lengths in steps"`
	Variants []string `json:"variants" help:"variants to compare (4dvar, incremental, weak, 3dvar)"`
	// Span is the length of each run in steps; each window length runs Span/shift cycles,
	// shift being half the window (at least one observation interval).
	Span  int `json:"span" help:"steps assimilated by each run"`
	Outer int `json:"outer" help:"outer loops of incremental 4DVar"`
	// BSigmas is the grid of background error standard deviations tried for every window
	// length: the best B for a short window is larger than for a long one, and a B tuned
	// for one length would make the others look worse than they are.
	BSigmas []float64 `json:"b_sigmas" help:"background error standard deviations tried per window; the best is kept"`
	Seed    uint64    `json:"seed" help:"seed of the truth, the observations and the first background"`
}

// defaultWindowConfig returns the defaults.
func defaultWindowConfig() windowConfig {
	return windowConfig{Setup: "bocquet2013", Windows: []int{4, 8, 12, 16, 24, 32, 48, 64}, Variants: []string{"4dvar", "incremental"},
		Span: 2000, Outer: 3, BSigmas: []float64{0.15, 0.3, 0.6}, Seed: 1}
}

// Validate checks the domains of the fields.
func (c *windowConfig) Validate() error {
	s, err := fourdvar.LookupSetup(c.Setup)
	if err != nil {
		return fmt.Errorf("setup: %v", err)
	}
	if len(c.Windows) == 0 || len(c.Variants) == 0 {
		return fmt.Errorf("need at least one window and one variant")
	}
	for _, w := range c.Windows {
		if w < 1 {
			return fmt.Errorf("windows: %d is not a positive number of steps", w)
		}
	}
	for _, v := range c.Variants {
		vv, err := fourdvar.ParseVariant(v)
		if err != nil {
			return fmt.Errorf("variants: %v", err)
		}
		if vv == fourdvar.Params4DVar || vv == fourdvar.ThreeDVar {
			return fmt.Errorf("variants: %s has no window length to vary", v)
		}
	}
	if err := firstErr(fits("windows", slices.Max(c.Windows), s.N, 16), fits("span", c.Span, s.N, 8)); err != nil {
		return err
	}
	if c.Span < 2*s.ObsEvery {
		return fmt.Errorf("span must cover at least two observation intervals (%d steps), have %d", 2*s.ObsEvery, c.Span)
	}
	if len(c.BSigmas) == 0 {
		return fmt.Errorf("b_sigmas: need at least one value")
	}
	for _, b := range c.BSigmas {
		if err := checkRate("b_sigmas", b); err != nil {
			return err
		}
	}
	return checkPositive("outer", c.Outer)
}

// windowRun is the cycled experiment with one variant and one window length.
type windowRun struct {
	Variant      string  `json:"variant"`         // the 4DVar variant
	Window       int     `json:"window"`          // window length in steps
	Shift        int     `json:"shift"`           // steps between analyses, half the window
	Cycles       int     `json:"cycles"`          // analyses made
	BSigma       float64 `json:"b_sigma"`         // the σ_b of the grid that gave the lowest RMSE
	RMSEAnalysis float64 `json:"rmse_analysis"`   // time-averaged analysis RMSE after the burn-in
	RMSEForecast float64 `json:"rmse_forecast"`   // time-averaged forecast RMSE after the burn-in
	Iterations   float64 `json:"iterations"`      // mean minimiser iterations per analysis
	Converged    int     `json:"converged"`       // analyses whose minimiser converged
	Seconds      float64 `json:"seconds"`         // wall time of the run (varies between runs)
	Error        string  `json:"error,omitempty"` // why the run failed, when it did
}

// windowMetrics are the metrics of the window-length experiment.
type windowMetrics struct {
	Setup string      `json:"setup"` // name of fourdvar's setup
	Runs  []windowRun `json:"runs"`  // one record per variant and window, the best σ_b's
	// Best names, per variant, the window length with the lowest analysis RMSE.
	Best map[string]int `json:"best_window"`
}

func windowExperiment() *Experiment {
	return Define("window-length",
		"4DVar analysis RMSE against window length on Lorenz-96, strong-constraint and incremental",
		"How long should a 4DVar window be? A longer window lets the model carry more observations into each analysis, "+
			"so the analysis RMSE falls as the window grows, as long as the model's dynamics within it are nearly linear "+
			"about the truth. Over a long window of a chaotic model the cost J becomes non-convex, with many minima, and "+
			"the gain levels off or reverses. Incremental 4DVar, which minimises a quadratic approximation relinearised a "+
			"few times (outer loops), suffers sooner, because its tangent-linear model must stay valid over the whole window. "+
			"Each point is a cycled twin experiment on the 40-variable Lorenz-96 ring with the same observations; the shift "+
			"between windows is half the window, and the static B = σ_b² I is the best of a small grid of σ_b for each "+
			"window and variant (tuned on the same run, as benchmark tables are): a short window needs a larger B.",
		defaultWindowConfig, runWindow)
}

func runWindow(ctx context.Context, cfg *windowConfig, out *Output) (*windowMetrics, error) {
	m := &windowMetrics{Setup: cfg.Setup, Best: map[string]int{}}
	p := newPlot("analysis RMSE against window length", "window length (steps)", "time-averaged analysis RMSE")
	setLogY(p)
	var s fourdvar.Setup
	for vi, vname := range cfg.Variants {
		v, _ := fourdvar.ParseVariant(vname)
		var xs, ys []float64
		best := math.Inf(1)
		for _, w := range cfg.Windows {
			var r windowRun
			for _, bs := range cfg.BSigmas {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				tc := twinConfig{Setup: cfg.Setup, Seed: cfg.Seed, BSigma: bs}
				t, setup, err := tc.twin()
				if err != nil {
					return nil, err
				}
				s = setup
				t.Variant = v
				t.Window = w
				t.Shift = max(setup.ObsEvery, (w/2)/setup.ObsEvery*setup.ObsEvery)
				t.Cycles = max(cfg.Span/t.Shift, 2)
				t.BurnIn = t.Cycles / 10
				t.Incremental.Outer = cfg.Outer
				// Each observation assimilated once (no MDA), the classical scheme whose
				// window length the course discusses, whatever the setup's preset does.
				t.MDA, t.Balance = false, false
				c := windowRun{Variant: vname, Window: w, Shift: t.Shift, Cycles: t.Cycles, BSigma: bs}
				res, err := runTwin(ctx, out, fmt.Sprintf("%s, window %d, σ_b %g", vname, w, bs), t)
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				if err != nil {
					// A window so long that the minimisation diverges is a result of
					// the experiment: it is reported, and the curve skips the point.
					c.Error = err.Error()
					c.RMSEAnalysis, c.RMSEForecast = math.NaN(), math.NaN()
				} else {
					c.RMSEAnalysis, c.RMSEForecast = res.Summary.RMSEAnalysis, res.Summary.RMSEForecast
					c.Iterations, c.Converged, c.Seconds = res.Summary.Iterations, res.Summary.Converged, res.Summary.WallSeconds
				}
				if r.Variant == "" || (c.Error == "" && (r.Error != "" || c.RMSEAnalysis < r.RMSEAnalysis)) {
					r = c
				}
			}
			m.Runs = append(m.Runs, r)
			if r.Error != "" {
				continue
			}
			xs, ys = append(xs, float64(w)), append(ys, r.RMSEAnalysis)
			if r.RMSEAnalysis < best {
				best, m.Best[vname] = r.RMSEAnalysis, w
			}
		}
		addLine(p, vname, xs, ys, seriesColor(vi), false)
		addPoints(p, "", xs, ys, seriesColor(vi), circleGlyph, vg.Points(3))
	}
	if len(cfg.Windows) > 0 {
		lo, hi := float64(cfg.Windows[0]), float64(cfg.Windows[0])
		for _, w := range cfg.Windows {
			lo, hi = math.Min(lo, float64(w)), math.Max(hi, float64(w))
		}
		addLine(p, "σ_o", []float64{lo, hi}, []float64{s.ObsSigma, s.ObsSigma}, plotGray, true)
	}
	p.Legend.Top = true
	if err := out.SavePlot("window-length", fmt.Sprintf("Time-averaged analysis RMSE of cycled 4DVar on %s against the window length, observations every %d steps.", cfg.Setup, s.ObsEvery),
		p, 8*vg.Inch, 5*vg.Inch); err != nil {
		return nil, err
	}
	return m, nil
}

package experiments

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/learn"
	"github.com/adjunto/adjunto/models/lorenz"
	"github.com/adjunto/adjunto/models/surrogate"
	"github.com/adjunto/adjunto/nn"
)

// LearnParamsConfig configures learn-parameters.
type LearnParamsConfig struct {
	Model      string    `json:"model" help:"lorenz63 (sigma, rho, beta) or lorenz96 (F)"`
	ObsSigmas  []float64 `json:"obs_sigmas" help:"observation error standard deviations, one estimation each"`
	Windows    int       `json:"windows" help:"consecutive windows, linked into one trajectory"`
	Steps      int       `json:"steps" help:"model steps per window (0: 50 for lorenz63, 10 for lorenz96)"`
	Link       float64   `json:"link" help:"model error σ_q where windows meet (0: 0.1; negative: independent windows)"`
	Iterations int       `json:"iterations" help:"L-BFGS iterations per estimation"`
	Seed       uint64    `json:"seed" help:"seed of the truth and the observations"`
}

// DefaultLearnParamsConfig returns the defaults of learn-parameters.
func DefaultLearnParamsConfig() LearnParamsConfig {
	return LearnParamsConfig{Model: "lorenz63", ObsSigmas: []float64{0.1, 0.5, 1, 2}, Windows: 20, Iterations: 5000, Seed: 1}
}

// Validate checks the domains of the fields.
func (c *LearnParamsConfig) Validate() error {
	if _, err := learn.ParamNames(c.Model); err != nil {
		return fmt.Errorf("model: %q: want lorenz63 or lorenz96", c.Model)
	}
	if len(c.ObsSigmas) == 0 {
		return fmt.Errorf("obs_sigmas: need at least one")
	}
	for _, s := range c.ObsSigmas {
		if !(s > 0) || !finite(s) {
			return fmt.Errorf("obs_sigmas: %g is not a positive number", s)
		}
	}
	return firstErr(checkPositive("windows", c.Windows), nonNegativeInt("steps", c.Steps), checkPositive("iterations", c.Iterations),
		fits("windows,steps", c.Windows, max(c.Steps, 50), 40, 32)) // states of up to 40 variables, stored with their tape
}

// ParamValue is one estimated parameter.
type ParamValue struct {
	Truth    float64 `json:"truth"`
	Guess    float64 `json:"guess"`
	Estimate float64 `json:"estimate"`
	Error    float64 `json:"error"` // estimate − truth
}

// ParamsRunMetrics is one estimation of learn-parameters.
type ParamsRunMetrics struct {
	ObsSigma float64 `json:"obs_sigma"`
	// Params holds each parameter under its own name (sigma, rho, beta; F).
	Params         map[string]ParamValue `json:"params"`
	StateRMSE      float64               `json:"state_rmse"`       // of the windows' estimated initial states
	GuessStateRMSE float64               `json:"guess_state_rmse"` // of their first guess from the observations
	Iterations     int                   `json:"iterations"`
	Status         string                `json:"status"`
	NumObs         int                   `json:"num_obs"`
}

// LearnParamsMetrics are the metrics of learn-parameters.
type LearnParamsMetrics struct {
	Model string             `json:"model"`
	Runs  []ParamsRunMetrics `json:"runs"`
}

func learnParamsExperiment() *Experiment {
	return Define("learn-parameters",
		"Estimate a Lorenz model's parameters with its initial states from noisy, partial observations",
		"Parameter estimation by 4DVar: the parameters of Lorenz-63 (σ, ρ, β) or Lorenz-96 (F) join the initial "+
			"states of twenty consecutive windows in one control vector, and one adjoint integration of all windows "+
			"gives the gradient with respect to all of them. The observations are partial (a random two thirds of "+
			"Lorenz-63's variables every 0.05 time units, half of Lorenz-96's every step) and noisy; the first guess "+
			"of every parameter is 20 % off. The figure shows the relative error of each estimate against the "+
			"observation error: with the default twenty windows it stays within about 1 % of the parameter up to "+
			"σ_o = 2, and it does not grow steadily with σ_o (one noisy estimate per level; the README's table has them).",
		DefaultLearnParamsConfig, runLearnParams)
}

func runLearnParams(ctx context.Context, cfg *LearnParamsConfig, out *Output) (*LearnParamsMetrics, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out.Progressf("%s: estimating from %d noise levels", cfg.Model, len(cfg.ObsSigmas))
	runs, err := learn.EstimateParams(learn.ParamsConfig{Model: cfg.Model, Sigmas: cfg.ObsSigmas, Windows: cfg.Windows,
		Steps: cfg.Steps, Link: cfg.Link, MaxIterations: cfg.Iterations, Seed: cfg.Seed})
	if err != nil {
		return nil, err
	}
	m := &LearnParamsMetrics{Model: cfg.Model}
	var tb strings.Builder
	fmt.Fprintf(&tb, "%-8s %-6s %10s %10s %10s %10s\n", "σ_o", "param", "truth", "guess", "estimate", "error")
	for _, r := range runs {
		rm := ParamsRunMetrics{ObsSigma: r.ObsSigma, Params: map[string]ParamValue{}, StateRMSE: r.StateRMSE,
			GuessStateRMSE: r.GuessRMSE, Iterations: r.Iterations, Status: r.Status.String(), NumObs: r.NumObs}
		for i, name := range r.Names {
			rm.Params[name] = ParamValue{Truth: r.Truth[i], Guess: r.Guess[i], Estimate: r.Estimate[i], Error: r.Error[i]}
			fmt.Fprintf(&tb, "%-8g %-6s %10.4f %10.4f %10.4f %+10.4f\n", r.ObsSigma, name, r.Truth[i], r.Guess[i], r.Estimate[i], r.Error[i])
		}
		m.Runs = append(m.Runs, rm)
	}
	if err := out.AddTable("estimates", "Estimated parameters against the truth", tb.String()); err != nil {
		return nil, err
	}
	// A short y label: gonum centres a log axis's label at its linear midpoint when it pads
	// the plot, so that a long one pushes the data down from the title.
	p := newPlot(fmt.Sprintf("%s: parameter error against observation error", cfg.Model), "observation error σ_o", "relative error")
	setLogY(p)
	for i, name := range runs[0].Names {
		var xs, ys []float64
		for _, r := range runs {
			xs = append(xs, r.ObsSigma)
			ys = append(ys, math.Max(math.Abs(r.Error[i]/r.Truth[i]), 1e-6))
		}
		addLine(p, name, xs, ys, seriesColor(i), false)
		addPoints(p, "", xs, ys, seriesColor(i), draw.CircleGlyph{}, 3)
	}
	if err := out.SavePlot("parameter-error", "Relative error of each estimated parameter against σ_o.", p, 6*vg.Inch, 4*vg.Inch); err != nil {
		return nil, err
	}
	return m, nil
}

// LearnSurrogateConfig configures learn-surrogate.
type LearnSurrogateConfig struct {
	Hybrid      bool    `json:"hybrid" help:"learn a correction to Lorenz-96 with the wrong F instead of the whole tendency"`
	Spec        string  `json:"spec" help:"network of the stencil x_{i-r..i+r}, e.g. 5-64-1:tanh (r = 2)"`
	WrongF      float64 `json:"wrong_f" help:"forcing of the deliberately wrong physical model"`
	OutputScale float64 `json:"output_scale" help:"scale of the network's output (0: 5 for a surrogate, 1 for a hybrid)"`
	// Training names the preset that fills the fields below left at 0 or empty: "short"
	// (the default, about a minute on two cores) or "full" (the README's table, about three).
	Training   string  `json:"training" help:"preset for the fields left at 0 or empty: short (about a minute on 2 cores) or full (the README's table, about 3 minutes)"`
	TrainSteps int     `json:"train_steps" help:"model steps (0.05 time units each) of observed truth to learn from (0: the preset's)"`
	ObsSigma   float64 `json:"obs_sigma" help:"observation error standard deviation"`
	Fraction   float64 `json:"fraction" help:"fraction of the variables observed at each step (a random subset each time)"`
	Stages     string  `json:"stages" help:"training stages steps:link:iterations, comma separated (empty: the preset's)"`
	Supervised int     `json:"supervised_iterations" help:"L-BFGS iterations of the supervised upper bound (0: the preset's; negative: skip it)"`
	Starts     int     `json:"forecast_starts" help:"forecasts from the truth in the test period (0: the preset's)"`
	Leads      int     `json:"forecast_leads" help:"steps of each forecast"`
	Cycles     int     `json:"cycles" help:"analyses of the cycled 4DVar that scores each model (0: the preset's)"`
	Lyapunov   int     `json:"lyapunov_steps" help:"steps over which each model's leading Lyapunov exponent is estimated (0: the preset's)"`
	Checkpoint string  `json:"checkpoint" help:"file the weights are written to after every stage; a bare name goes into the run's folder, so a failed run keeps it there (empty: none)"`
	Seed       uint64  `json:"seed" help:"seed of the truth, the observations and the weights"`
}

// DefaultLearnSurrogateConfig returns the defaults of learn-surrogate: the short training,
// so that "experiment run all" and "report" fit in three minutes on two cores.
func DefaultLearnSurrogateConfig() LearnSurrogateConfig {
	return LearnSurrogateConfig{Training: "short", Spec: "5-64-1:tanh", WrongF: 6, ObsSigma: 1, Fraction: 0.5, Leads: 100, Seed: 1}
}

// surrogatePresets are the trainings a user picks with training=NAME. The full one is the
// README's table; the short one learns from fewer steps with fewer iterations and scores
// with fewer forecasts, cycles and a shorter Lyapunov estimate, and still beats
// persistence and the wrong model.
var surrogatePresets = map[string]LearnSurrogateConfig{
	"short": {TrainSteps: 400, Stages: "5:0:150,10:0.5:250", Supervised: 200, Starts: 20, Cycles: 60, Lyapunov: 1000},
	"full":  {TrainSteps: 600, Stages: "5:0:200,10:0.5:300,20:0.3:1000", Supervised: 500, Starts: 50, Cycles: 100, Lyapunov: 4000},
}

// resolved returns c with the fields left at 0 or empty taken from its training preset.
func (c LearnSurrogateConfig) resolved() (LearnSurrogateConfig, error) {
	p, ok := surrogatePresets[c.Training]
	if !ok {
		return c, fmt.Errorf("training: %q: want short or full", c.Training)
	}
	if c.TrainSteps == 0 {
		c.TrainSteps = p.TrainSteps
	}
	if c.Stages == "" {
		c.Stages = p.Stages
	}
	if c.Supervised == 0 {
		c.Supervised = p.Supervised
	}
	if c.Starts == 0 {
		c.Starts = p.Starts
	}
	if c.Cycles == 0 {
		c.Cycles = p.Cycles
	}
	if c.Lyapunov == 0 {
		c.Lyapunov = p.Lyapunov
	}
	return c, nil
}

// stages parses Stages.
func (c *LearnSurrogateConfig) stages() ([]learn.Stage, error) {
	var st []learn.Stage
	for _, f := range strings.Split(c.Stages, ",") {
		p := strings.Split(strings.TrimSpace(f), ":")
		if len(p) != 3 {
			return nil, fmt.Errorf("stages: %q is not steps:link:iterations", f)
		}
		steps, err1 := strconv.Atoi(p[0])
		link, err2 := strconv.ParseFloat(p[1], 64)
		iters, err3 := strconv.Atoi(p[2])
		if err1 != nil || err2 != nil || err3 != nil || steps < 1 || !(link >= 0) || !finite(link) || iters < 1 {
			return nil, fmt.Errorf("stages: %q: want steps ≥ 1, link ≥ 0 and iterations ≥ 1", f)
		}
		if steps > c.TrainSteps {
			return nil, fmt.Errorf("stages: windows of %d steps are longer than the data (train_steps %d)", steps, c.TrainSteps)
		}
		st = append(st, learn.Stage{Steps: steps, Link: link, Iterations: iters})
	}
	return st, nil
}

// Validate checks the domains of the fields.
func (c *LearnSurrogateConfig) Validate() error {
	r, err := c.resolved()
	if err != nil {
		return err
	}
	return r.validate()
}

// validate checks a resolved config.
func (c *LearnSurrogateConfig) validate() error {
	sizes, _, err := nn.ParseSpec(c.Spec, nn.Tanh)
	if err != nil {
		return fmt.Errorf("spec: %v", err)
	}
	if in := sizes[0]; in%2 == 0 || in > lorenz.DefaultL96N || sizes[len(sizes)-1] != 1 {
		return fmt.Errorf("spec: %q: want an odd number of inputs up to %d (the stencil) and one output (the tendency)", c.Spec, lorenz.DefaultL96N)
	}
	if _, err := c.stages(); err != nil {
		return err
	}
	switch {
	case !finite(c.WrongF):
		return fmt.Errorf("wrong_f: %g is not a number", c.WrongF)
	case !(c.OutputScale >= 0) || !finite(c.OutputScale):
		return fmt.Errorf("output_scale: %g, want ≥ 0", c.OutputScale)
	case !(c.ObsSigma > 0) || !finite(c.ObsSigma):
		return fmt.Errorf("obs_sigma: %g, want > 0", c.ObsSigma)
	case !(c.Fraction > 0 && c.Fraction <= 1):
		return fmt.Errorf("fraction: %g, want in (0, 1]", c.Fraction)
	}
	return firstErr(checkPositive("train_steps", c.TrainSteps), checkPositive("forecast_starts", c.Starts),
		checkPositive("forecast_leads", c.Leads), checkPositive("cycles", c.Cycles), checkPositive("lyapunov_steps", c.Lyapunov),
		fits("train_steps", c.TrainSteps, lorenz.DefaultL96N, 32), fits("forecast_starts,forecast_leads", c.Starts, c.Leads, lorenz.DefaultL96N, 4),
		fits("cycles", c.Cycles, lorenz.DefaultL96N, 64))
}

// ModelScore is one model's scores in learn-surrogate.
type ModelScore struct {
	Name string `json:"name"`
	// ValidSteps is the lead, in model steps, at which the normalised forecast RMSE passes
	// 0.5 (forecast_leads + 1 when it never does); ValidLyapunov the same in Lyapunov times
	// of the truth.
	ValidSteps    int     `json:"valid_steps"`
	ValidLyapunov float64 `json:"valid_lyapunov_times"`
	// NRMSE1 and NRMSE20 are the normalised forecast RMSE after 1 and 20 steps.
	NRMSE1  float64 `json:"nrmse_1_step"`
	NRMSE20 float64 `json:"nrmse_20_steps"`
	// Lyapunov is the model's leading Lyapunov exponent (NaN for persistence).
	Lyapunov float64 `json:"lyapunov"`
	// AnalysisRMSE is the analysis RMSE of cycled 4DVar with the model against a truth of
	// the true model (NaN for persistence, which has no adjoint worth the name).
	AnalysisRMSE float64 `json:"analysis_rmse"`
}

// LearnSurrogateMetrics are the metrics of learn-surrogate.
type LearnSurrogateMetrics struct {
	Kind       string       `json:"kind"` // "surrogate" or "hybrid"
	NumParams  int          `json:"num_params"`
	NumObs     int          `json:"num_obs"`
	Stages     []string     `json:"stage_status"`
	StateRMSE  float64      `json:"training_state_rmse"` // of the training windows' analysed initial states
	Models     []ModelScore `json:"models"`
	LyapunovDt float64      `json:"lyapunov_time"` // 1/λ of the truth, in model time units
	// The criteria of issue 8: the learned model forecasts longer than persistence and than
	// the wrong model, and its analysis RMSE is within 25 % of the true model's.
	BeatsPersistence bool    `json:"beats_persistence"`
	BeatsWrongModel  bool    `json:"beats_wrong_model"`
	AnalysisRatio    float64 `json:"analysis_rmse_ratio"` // learned / true
	TrainSeconds     float64 `json:"train_seconds"`
}

func learnSurrogateExperiment() *Experiment {
	return Define("learn-surrogate",
		"Learn Lorenz-96's dynamics (or a correction to a wrong model) from noisy, half observations by 4DVar",
		"A network that gives the tendency of one Lorenz-96 variable from its stencil x_{i−2} … x_{i+2}, the same at "+
			"all 40 points and integrated with RK4, is the model inside the 4DVar time loop. Its weights and the "+
			"initial states of all windows of a long run, observed every step on a random half of the variables with "+
			"σ_o = 1, are the controls of one cost, minimised with L-BFGS over windows that lengthen from 0.25 to 1 "+
			"time unit; one adjoint integration gives the gradient with respect to all of them. It is then used as a "+
			"model: forecasts from the true state, scored by the normalised RMSE against lead time in Lyapunov times "+
			"(valid until it passes 0.5), against the true model, the same network trained on clean, complete "+
			"tendencies (the supervised upper bound), Lorenz-96 with the wrong F, and persistence; and cycled 4DVar "+
			"with each model against a truth of the true model.",
		DefaultLearnSurrogateConfig, runLearnSurrogate)
}

// namedModel is a model under assessment; nil is persistence.
type namedModel struct {
	name string
	m    adjoint.Model
}

// checkpointPath resolves a checkpoint file: a bare name lives in the run's own folder, which
// Experiment.Run stages, so that a failed or interrupted run keeps its best weights in
// DIR.failed or DIR.interrupted and never writes into an earlier good result.
func checkpointPath(name string, out *Output) string {
	if filepath.Base(name) == name {
		return filepath.Join(out.Dir(), name)
	}
	return name
}

func runLearnSurrogate(ctx context.Context, given *LearnSurrogateConfig, out *Output) (*LearnSurrogateMetrics, error) {
	resolved, err := given.resolved()
	if err != nil {
		return nil, err
	}
	cfg := &resolved
	stages, err := cfg.stages()
	if err != nil {
		return nil, err
	}
	const n, dt = lorenz.DefaultL96N, 0.05
	truthModel, err := lorenz.NewL96(n)
	if err != nil {
		return nil, err
	}
	rnd := rand.New(rand.NewPCG(cfg.Seed, 0x7375))
	x0 := make([]float64, n)
	for i := range x0 {
		x0[i] = 8 + rnd.NormFloat64()
	}
	testSteps := cfg.Starts*5 + cfg.Leads
	tw, err := learn.Observe(truthModel, x0, 1000, cfg.TrainSteps+testSteps, 1, cfg.ObsSigma, cfg.Fraction, true, cfg.Seed)
	if err != nil {
		return nil, err
	}
	obs := &learn.Observations{N: n, Every: 1, Sigma: cfg.ObsSigma, Y: tw.Obs.Y[:cfg.TrainSteps+1]}
	var phys surrogate.Physics
	kind, scale := "surrogate", 5.0
	if cfg.Hybrid {
		kind, scale, phys = "hybrid", 1, surrogate.L96(cfg.WrongF)
	}
	if cfg.OutputScale > 0 {
		scale = cfg.OutputScale
	}
	net, err := learn.NewNetwork(cfg.Spec, obs, scale, cfg.Seed)
	if err != nil {
		return nil, err
	}
	met := &LearnSurrogateMetrics{Kind: kind, NumParams: net.Network.NumParams()}
	for _, y := range obs.Y {
		for _, v := range y {
			if !math.IsNaN(v) {
				met.NumObs++
			}
		}
	}
	hist, err := learn.TrainSurrogate(net, phys, dt, obs, learn.TrainConfig{Stages: stages,
		OnIteration: func(p learn.Progress) error {
			if p.Iteration%50 == 0 {
				out.Progressf("%s: stage %d/%d, iteration %d, J = %.6g", kind, p.Stage+1, len(stages), p.Iteration, p.Cost)
			}
			met.TrainSeconds = p.Elapsed.Seconds()
			return ctx.Err()
		},
		OnStage: func(_ int, net *nn.Model) error {
			if cfg.Checkpoint == "" {
				return nil
			}
			return net.Save(checkpointPath(cfg.Checkpoint, out))
		}})
	if err != nil {
		if cfg.Checkpoint != "" {
			return nil, fmt.Errorf("%w (the best weights so far are in %s)", err, cfg.Checkpoint)
		}
		return nil, err
	}
	for _, s := range hist.Status {
		met.Stages = append(met.Stages, s.String())
	}
	met.StateRMSE = learn.StateRMSE(hist.States, tw.Truth, hist.StateSteps, n)
	var buf bytes.Buffer
	if err := net.Encode(&buf); err != nil {
		return nil, err
	}
	if err := out.writeFile(kind+".json", buf.Bytes()); err != nil {
		return nil, err
	}

	learned, err := surrogate.New(net, surrogate.Config{N: n, Dt: dt, Physics: phys})
	if err != nil {
		return nil, err
	}
	wrong, _ := lorenz.NewL96(n)
	wrong.F = cfg.WrongF
	models := []namedModel{{"true model", truthModel}, {kind + " (4DVar)", learned}}
	if cfg.Supervised > 0 {
		sup, err := learn.NewNetwork(cfg.Spec, obs, scale, cfg.Seed)
		if err != nil {
			return nil, err
		}
		out.Progressf("%s: supervised upper bound", kind)
		if _, err := learn.Supervised(sup, surrogate.L96(truthModel.F), phys, tw.Truth[:cfg.TrainSteps+1], cfg.Supervised); err != nil {
			return nil, fmt.Errorf("supervised training: %w", err)
		}
		sm, err := surrogate.New(sup, surrogate.Config{N: n, Dt: dt, Physics: phys})
		if err != nil {
			return nil, err
		}
		models = append(models, namedModel{kind + " (supervised)", sm})
	}
	models = append(models, namedModel{fmt.Sprintf("wrong model (F = %g)", cfg.WrongF), wrong}, namedModel{"persistence", nil})

	var starts []int
	for s := range cfg.Starts {
		starts = append(starts, cfg.TrainSteps+s*5)
	}
	// The full preset's 4000 steps (200 time units) estimate an exponent to a few per cent;
	// every model is measured over the same steps.
	lyapSteps := cfg.Lyapunov
	lam, err := learn.Lyapunov(truthModel, tw.Truth[cfg.TrainSteps], dt, 200, lyapSteps, cfg.Seed)
	if err != nil {
		return nil, err
	}
	met.LyapunovDt = 1 / lam
	skills := make([]*learn.Skill, len(models))
	for i, nm := range models {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out.Progressf("%s: scoring %s", kind, nm.name)
		sk, err := learn.Forecast(nm.m, tw.Truth, starts, cfg.Leads)
		if err != nil {
			return nil, err
		}
		skills[i] = sk
		sc := ModelScore{Name: nm.name, ValidSteps: sk.ValidSteps, ValidLyapunov: float64(sk.ValidSteps) * dt * lam,
			NRMSE1: sk.NRMSE[1], NRMSE20: sk.NRMSE[min(20, cfg.Leads)], Lyapunov: math.NaN(), AnalysisRMSE: math.NaN()}
		if nm.m != nil {
			// A learned model that blows up has no exponent: NaN says so.
			if l, err := learn.Lyapunov(nm.m, tw.Truth[cfg.TrainSteps], dt, 200, lyapSteps, cfg.Seed); err == nil {
				sc.Lyapunov = l
			}
			cyc, err := learn.Cycle(truthModel, nm.m, learn.CycleConfig{Cycles: cfg.Cycles, ObsSigma: cfg.ObsSigma, Fraction: cfg.Fraction, Seed: cfg.Seed + 1})
			if err == nil {
				sc.AnalysisRMSE = cyc.RMSEAnalysis
			} else {
				out.Progressf("%s: cycled 4DVar with %s failed: %v", kind, nm.name, err)
			}
		}
		met.Models = append(met.Models, sc)
	}
	ms := met.Models
	iLearned, iWrong, iPers := 1, len(ms)-2, len(ms)-1
	met.BeatsPersistence = ms[iLearned].ValidSteps > ms[iPers].ValidSteps
	met.BeatsWrongModel = ms[iLearned].ValidSteps > ms[iWrong].ValidSteps
	met.AnalysisRatio = ms[iLearned].AnalysisRMSE / ms[0].AnalysisRMSE

	var tb strings.Builder
	fmt.Fprintf(&tb, "%-28s %12s %14s %10s %14s\n", "model", "valid steps", "Lyapunov times", "λ", "analysis RMSE")
	for _, s := range ms {
		valid, lt := fmt.Sprint(s.ValidSteps), fmt.Sprintf("%.2f", s.ValidLyapunov)
		if s.ValidSteps > cfg.Leads {
			valid, lt = fmt.Sprintf("> %d", cfg.Leads), fmt.Sprintf("> %.2f", float64(cfg.Leads)*dt*lam)
		}
		fmt.Fprintf(&tb, "%-28s %12s %14s %10.3f %14.3f\n", s.Name, valid, lt, s.Lyapunov, s.AnalysisRMSE)
	}
	if err := out.AddTable("scores", "Forecast valid time, Lyapunov exponent and cycled 4DVar analysis RMSE of each model", tb.String()); err != nil {
		return nil, err
	}
	if err := surrogateFigures(out, kind, models, skills, hist, dt*lam, learned, surrogate.L96(truthModel.F), tw.Truth[cfg.TrainSteps:]); err != nil {
		return nil, err
	}
	return met, nil
}

// surrogateFigures draws the forecast skill of every model, the training cost and the
// learned tendency against the true one.
func surrogateFigures(out *Output, kind string, models []namedModel, skills []*learn.Skill, hist *learn.History,
	lyapPerStep float64, learned *surrogate.Model, truthF surrogate.Physics, test [][]float64) error {
	p := newPlot("Forecast error from the true state", "lead time (Lyapunov times)", "normalised RMSE")
	for i, nm := range models {
		var xs, ys []float64
		for l, v := range skills[i].NRMSE {
			xs = append(xs, float64(l)*lyapPerStep)
			ys = append(ys, v)
		}
		addLine(p, nm.name, xs, ys, seriesColor(i), nm.m == nil)
	}
	leads := len(skills[0].NRMSE) - 1
	addLine(p, "valid-time threshold 0.5", []float64{0, float64(leads) * lyapPerStep}, []float64{0.5, 0.5}, seriesColor(7), true)
	// Headroom above the saturated errors (about √2) keeps the legend off the curves.
	p.Legend.Top, p.Legend.Left = true, true
	p.Y.Min, p.Y.Max = 0, 2.4
	if err := out.SavePlot("forecast-skill", "Normalised RMSE of forecasts from the true state against lead time, averaged over the test period's starts.", p, 7*vg.Inch, 4.5*vg.Inch); err != nil {
		return err
	}

	c := newPlot("Training: the 4DVar cost, stage by stage", "iteration", "J")
	setLogY(c)
	for s, start := range hist.StageStarts {
		end := len(hist.Cost)
		if s+1 < len(hist.StageStarts) {
			end = hist.StageStarts[s+1]
		}
		var xs, ys []float64
		for i := start; i < end; i++ {
			xs = append(xs, float64(i))
			ys = append(ys, hist.Cost[i])
		}
		addLine(c, fmt.Sprintf("stage %d", s+1), xs, ys, seriesColor(s), false)
	}
	if err := out.SavePlot("training", "The cost J of each training stage against iterations (stages lengthen the windows, so their costs differ in scale).", c, 6*vg.Inch, 4*vg.Inch); err != nil {
		return err
	}

	tp := newPlot("Learned against true tendency", "true dx_i/dt", "learned dx_i/dt")
	var states [][]float64
	for k := 0; k < len(test) && len(states)*learned.Dim() < 2000; k += 7 {
		states = append(states, test[k])
	}
	want := learn.Tendencies(truthF, nil, states)
	var pts plotter.XYs
	got := make([]float64, learned.Dim())
	for k, x := range states {
		learned.Tendency(got, x)
		for i, g := range got {
			pts = append(pts, plotter.XY{X: want[k*len(got)+i], Y: g})
		}
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	sc.GlyphStyle.Radius = 1.2
	sc.GlyphStyle.Color = seriesColor(0)
	tp.Add(sc)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, q := range pts {
		lo, hi = math.Min(lo, q.X), math.Max(hi, q.X)
	}
	addLine(tp, "identity", []float64{lo, hi}, []float64{lo, hi}, seriesColor(7), true)
	return out.SavePlot("tendency", fmt.Sprintf("The %s's tendency (network plus physics) against Lorenz-96's at states of the test period.", kind), tp, 5*vg.Inch, 5*vg.Inch)
}

package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/internal/atomicfile"
	"github.com/adjunto/adjunto/internal/limits"
	"github.com/adjunto/adjunto/internal/progress"
	"github.com/adjunto/adjunto/internal/staging"
	"github.com/adjunto/adjunto/internal/twinout"
	"github.com/adjunto/adjunto/models/lorenz"
	"github.com/adjunto/adjunto/models/qg"
	"github.com/adjunto/adjunto/optimize"
)

// fourdvarOptions holds the flags of "adjunto fourdvar".
type fourdvarOptions struct {
	setup string

	model      string
	n          int
	forcing    float64
	dt         float64
	integrator string

	variant  string
	window   int
	shift    int
	obsEvery int
	density  float64
	obsSigma float64
	h        string
	rotate   bool
	mda      bool
	balance  bool
	cold     bool

	b       string
	bSigma  float64
	bLength float64

	method  string
	lr      float64
	maxIter int
	gradTol float64
	outer   int
	inner   int
	backtr  int

	checkpoint string
	verbose    bool

	qSigma     float64
	modelError float64
	paramSigma float64

	cycles int
	burnIn int
	spinUp int
	seed   uint64

	obsFile, bgFile, truthFile string

	out       string
	json      bool
	quiet     bool
	noFigures bool
	every     int
}

func (o *fourdvarOptions) register(fs *flag.FlagSet) {
	o.registerTwin(fs)
	fs.StringVar(&o.setup, "setup", "", "standard setup: sakov2008, bocquet2013 or sakov2012 (sets the defaults of the other flags)")
	fs.StringVar(&o.model, "model", "lorenz96", "model: lorenz96, lorenz63 or qg (a 2-D quasi-geostrophic model with its own defaults, see README)")
	fs.IntVar(&o.n, "n", 40, "Lorenz-96 variables (with --background: the file's length unless set), or the qg grid's points per side (with --background: the square root of its length)")
	fs.StringVar(&o.variant, "variant", "4dvar", "analysis: 4dvar, 3dvar, incremental, weak or params")
	fs.IntVar(&o.window, "window", 8, "window length in steps (with --obs: the last observation's step unless set)")
	fs.IntVar(&o.shift, "shift", 0, "steps between analyses; shorter than --window for overlapping windows (0: the window)")
	fs.BoolVar(&o.mda, "mda", false, "multiple data assimilation: every window assimilates all its observations, their variance multiplied by the number of windows using them")
	fs.BoolVar(&o.balance, "balance", false, "with --mda, score a second (balancing) analysis per cycle that gives each observation its remaining weight")
	fs.BoolVar(&o.cold, "cold-start", false, "first background far from the truth: its error drawn from twice the model's climatological covariance, as a random climatological state's")
	fs.StringVar(&o.b, "b", "gaussian", "background error covariance: gaussian or soar (on the circle, or the qg grid), identity or climatology")
	fs.Float64Var(&o.bSigma, "b-sigma", 0.3, "background error standard deviation σ_b (with --obs files: default 1)")
	fs.Float64Var(&o.bLength, "b-length", 1, "length scale of the gaussian B, in grid points")
	fs.StringVar(&o.method, "method", "lbfgs", "minimiser: "+strings.Join(optimize.Names(), ", "))
	fs.Float64Var(&o.lr, "lr", 0, "learning rate of a stepping method such as adam (0: its default)")
	fs.IntVar(&o.maxIter, "max-iter", 200, "iterations per analysis")
	fs.Float64Var(&o.gradTol, "grad-tol", 1e-6, "stop when ‖∇J‖ has fallen by this factor")
	fs.IntVar(&o.outer, "outer", 3, "outer loops of incremental 4DVar")
	fs.IntVar(&o.inner, "inner", 20, "inner CG iterations per outer loop of incremental 4DVar")
	fs.IntVar(&o.backtr, "backtrack", 5, "halvings of an incremental 4DVar increment that raises J (-1: take every increment whole)")
	fs.StringVar(&o.checkpoint, "checkpoint", "all", "states kept for the adjoint sweep: all, every:K (every K-th, the others recomputed) or revolve:S (S snapshots, binomial schedule); the results do not change")
	fs.BoolVar(&o.verbose, "v", false, "also print the checkpointing policy's memory on stderr")
	fs.Float64Var(&o.qSigma, "q-sigma", 0.1, "model error standard deviation per step assumed by weak-constraint 4DVar (Q = σ_q² I)")
	fs.Float64Var(&o.paramSigma, "param-sigma", 1, "background error of the model parameters (variant params)")
	fs.IntVar(&o.cycles, "cycles", 100, "analyses (cycles)")
	fs.IntVar(&o.burnIn, "burn-in", 10, "cycles left out of the averages (unset: at most a fifth of the cycles)")
	fs.IntVar(&o.spinUp, "spinup", 1000, "steps of the truth run before the first window")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed: truth, observations, background")
	fs.StringVar(&o.obsFile, "obs", "", "observations CSV (step,index,value,sigma) for one analysis of your data; with --cycles, cycled over windows of --window steps")
	fs.StringVar(&o.bgFile, "background", "", "background state CSV (index,value), with --obs")
	fs.StringVar(&o.truthFile, "truth", "", "optional true state CSV (index,value) at step 0, with --obs; or a true trajectory (step,x0,..., as simulate and observe --truth-trajectory write) that scores every cycle")
	fs.StringVar(&o.out, "out", filepath.Join("out", "fourdvar"), "output directory")
	fs.IntVar(&o.every, "every", 0, "print every k-th cycle in the table (0: about 25 rows)")
}

func runFourDVar(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("fourdvar", "[flags]", stderr)
	var o fourdvarOptions
	o.register(fs)
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if err := o.applySetup(set); err != nil {
		fmt.Fprintf(stderr, "adjunto fourdvar: %v\n", err)
		return exitUsage
	}
	if err := o.applyModelDefaults(fs.Set, set); err != nil {
		fmt.Fprintf(stderr, "adjunto fourdvar: %v\n", err)
		return exitUsage
	}
	if !set["burn-in"] && o.setup == "" {
		o.burnIn = min(o.burnIn, o.cycles/5)
	}
	if err := o.checkDomains(); err != nil {
		fmt.Fprintf(stderr, "adjunto fourdvar: %v\n", err)
		return exitUsage
	}
	if m := strings.ToLower(o.model); (m == "lorenz63" || m == "l63") && (set["n"] || set["forcing"]) {
		fmt.Fprintln(stderr, "adjunto fourdvar: --n and --forcing apply to lorenz96 only")
		return exitUsage
	}
	if o.obsFile != "" || o.bgFile != "" || o.truthFile != "" {
		return o.runFiles(set, stdout, stderr)
	}
	return o.runTwin(set, stdout, stderr)
}

// applySetup sets, from the --setup preset, every flag the user did not set.
// registerTwin registers the flags of the twin experiment's model, observations and output
// that "adjunto fourdvar" and "adjunto ensemble" share, so that both mean the same by them.
func (o *fourdvarOptions) registerTwin(fs *flag.FlagSet) {
	fs.Float64Var(&o.dt, "dt", 0, "time step (0: the model's default, 0.05 for Lorenz-96, 0.01 for Lorenz-63)")
	fs.Float64Var(&o.forcing, "forcing", 8, "Lorenz-96 forcing F")
	fs.StringVar(&o.integrator, "integrator", "rk4", "time scheme: rk4 or euler")
	fs.IntVar(&o.obsEvery, "obs-every", 1, "steps between observation times")
	fs.Float64Var(&o.density, "obs-density", 1, "fraction of the variables observed, as every round(1/d)-th variable")
	fs.Float64Var(&o.obsSigma, "obs-sigma", 1, "observation error standard deviation σ_o (R = σ_o² I)")
	fs.StringVar(&o.h, "obs-op", "identity", "observation operator on the observed variables: identity or squared (x²)")
	fs.BoolVar(&o.rotate, "obs-rotate", false, "with --obs-density < 1, move the observed variables by one at each observation time")
	fs.Float64Var(&o.modelError, "model-error", 0, "standard deviation of the error added to each step of the truth run")
	fs.BoolVar(&o.json, "json", false, "print the metrics JSON to stdout instead of the table")
	fs.BoolVar(&o.quiet, "q", false, "print only the averages; no progress on stderr")
	fs.BoolVar(&o.noFigures, "no-figures", false, "do not write the figures")
}

func (o *fourdvarOptions) applySetup(set map[string]bool) error {
	if o.setup == "" {
		return nil
	}
	s, err := fourdvar.LookupSetup(o.setup)
	if err != nil {
		return fmt.Errorf("--setup: %w", err)
	}
	def := func(name string, apply func()) {
		if !set[name] {
			apply()
		}
	}
	def("model", func() { o.model = s.Model })
	def("n", func() { o.n = s.N })
	def("forcing", func() { o.forcing = s.Forcing })
	def("dt", func() { o.dt = s.Dt })
	def("variant", func() { o.variant = string(s.Variant) })
	// The window and shift are the tuned 4DVar's; 3DVar analyses at every observation time.
	is3D := strings.EqualFold(o.variant, string(fourdvar.ThreeDVar))
	if !is3D {
		def("window", func() { o.window = s.Window })
		def("shift", func() { o.shift = s.Shift })
	}
	// 3DVar has no window to assimilate an observation in more than once.
	def("mda", func() { o.mda = s.MDA && !is3D })
	// A preset's balancing analysis goes with its MDA: --mda=false alone turns both off.
	def("balance", func() { o.balance = s.Balance && o.mda })
	def("obs-every", func() { o.obsEvery = s.ObsEvery })
	def("obs-sigma", func() { o.obsSigma = s.ObsSigma })
	def("b", func() { o.b = s.B })
	def("b-sigma", func() { o.bSigma = s.BSigma })
	def("b-length", func() { o.bLength = s.BLength })
	shift := o.shift
	switch {
	case is3D && shift == 0:
		shift = o.obsEvery
	case shift == 0:
		shift = o.window
	}
	cycles, burnIn := s.Cycles(shift)
	def("cycles", func() { o.cycles = cycles })
	def("burn-in", func() { o.burnIn = burnIn })
	if s.Outer > 0 {
		def("outer", func() { o.outer = s.Outer })
	}
	return nil
}

// newModel builds the model the flags name. n ≤ 0 means the default size.
func (o *fourdvarOptions) newModel(n int) (fourdvar.Model, error) {
	integ, err := lorenz.ParseIntegrator(o.integrator)
	if err != nil {
		return nil, fmt.Errorf("--integrator: %w", err)
	}
	switch strings.ToLower(o.model) {
	case "qg":
		return o.newQG(n)
	case "lorenz96", "l96":
		m := &lorenz.L96{N: n, F: o.forcing, Dt: o.dt, Integrator: integ}
		if m.Dt == 0 {
			m.Dt = lorenz.DefaultL96Dt
		}
		if err := m.Validate(); err != nil {
			return nil, fmt.Errorf("--n, --forcing, --dt: %w", err)
		}
		if err := checkStateSize("--n", n); err != nil {
			return nil, err
		}
		return m, nil
	case "lorenz63", "l63":
		m := lorenz.NewL63()
		m.Integrator = integ
		if o.dt != 0 {
			m.Dt = o.dt
		}
		if err := m.Validate(); err != nil {
			return nil, fmt.Errorf("--dt: %w", err)
		}
		return m, nil
	}
	return nil, fmt.Errorf("--model: unknown model %q (want lorenz96, lorenz63 or qg)", o.model)
}

// assimilator builds the analysis settings from the flags.
func (o *fourdvarOptions) assimilator(n int) (fourdvar.Assimilator, error) {
	var a fourdvar.Assimilator
	v, err := fourdvar.ParseVariant(o.variant)
	if err != nil {
		return a, fmt.Errorf("--variant: %w", err)
	}
	a.Variant = v
	meth, err := optimize.New(o.method, o.lr)
	if err != nil {
		return a, fmt.Errorf("--method: %w", err)
	}
	switch {
	case o.maxIter < 1:
		return a, fmt.Errorf("--max-iter %d: want ≥ 1", o.maxIter)
	case !(o.gradTol > 0 && o.gradTol < 1):
		return a, fmt.Errorf("--grad-tol %v: want a value in (0, 1)", o.gradTol)
	case o.outer < 1 || o.inner < 1:
		return a, fmt.Errorf("--outer %d, --inner %d: want ≥ 1", o.outer, o.inner)
	case !(o.qSigma > 0) || math.IsInf(o.qSigma, 0):
		return a, fmt.Errorf("--q-sigma %v: want > 0", o.qSigma)
	}
	if v == fourdvar.Weak4DVar && fourdvar.NeedsHessVec(meth) {
		return a, fmt.Errorf("--method %s: the weak-constraint cost has no Hessian-vector products (use --variant 4dvar or params, or another method)", o.method)
	}
	a.Minimizer = fourdvar.Minimizer{Method: meth, MaxIterations: o.maxIter, GradReduction: o.gradTol}
	if o.backtr == 0 {
		o.backtr = -1 // 0 halvings: the zero value of Incremental.Backtrack means 5
	}
	a.Incremental = fourdvar.Incremental{Outer: o.outer, Inner: o.inner, GradReduction: o.gradTol, Backtrack: o.backtr}
	a.Q = fourdvar.ScaledIdentity{N: n, Sigma: o.qSigma}
	if a.Checkpoint, err = parseCheckpoint(o.checkpoint); err != nil {
		return a, err
	}
	return a, nil
}

// covariance builds B from the flags for model m.
func (o *fourdvarOptions) covariance(m fourdvar.Model) (fourdvar.Covariance, error) {
	b, err := fourdvar.NewB(o.b, m, o.bSigma, o.bLength)
	if err != nil {
		return nil, fmt.Errorf("--b, --b-sigma, --b-length: %w", err)
	}
	return b, nil
}

// observer builds the observation network from the flags.
func (o *fourdvarOptions) observer(n int) (func(step int) *fourdvar.Operator, error) {
	if !(o.density > 0 && o.density <= 1) {
		return nil, fmt.Errorf("--obs-density %v: want a value in (0, 1]", o.density)
	}
	// Every k-th variable is observed; a density below 1/n would observe none (and a k that
	// does not fit an int would wrap around to observing all of them).
	if 1/o.density > float64(n) {
		return nil, fmt.Errorf("--obs-density %v: observes fewer than one of the %d variables; want ≥ 1/%d", o.density, n, n)
	}
	k := max(1, int(math.Round(1/o.density)))
	squared := false
	switch strings.ToLower(o.h) {
	case "identity", "linear":
	case "squared", "x2":
		squared = true
	default:
		return nil, fmt.Errorf("--obs-op: unknown operator %q (want identity or squared)", o.h)
	}
	// One operator per offset, built once: the operators are reused at every time.
	ops := make([]*fourdvar.Operator, k)
	for off := range ops {
		var idx []int
		for i := off; i < n; i += k {
			idx = append(idx, i)
		}
		switch {
		case squared:
			ops[off] = fourdvar.Squared(n, idx)
		case k == 1:
			ops[off] = fourdvar.Identity(n)
		default:
			ops[off] = fourdvar.EveryKth(n, k, off)
		}
	}
	return func(step int) *fourdvar.Operator {
		if !o.rotate {
			return ops[0]
		}
		return ops[(step/o.obsEvery)%k]
	}, nil
}

func (o *fourdvarOptions) runTwin(set map[string]bool, stdout, stderr io.Writer) int {
	fail := func(code int, err error) int {
		report(stderr, "fourdvar", err)
		return code
	}
	m, err := o.newModel(o.n)
	if err != nil {
		return fail(exitUsage, err)
	}
	asm, err := o.assimilator(m.Dim())
	if err != nil {
		return fail(exitUsage, err)
	}
	bcov, err := o.covariance(m)
	if err != nil {
		return fail(exitUsage, err)
	}
	observe, err := o.observer(m.Dim())
	if q, ok := m.(*qg.Model); ok {
		observe, err = o.qgObserver(q)
	}
	if err != nil {
		return fail(exitUsage, err)
	}
	if o.variant == string(fourdvar.ThreeDVar) && !set["window"] {
		o.window = 0
	}
	tw := &fourdvar.Twin{
		Model: m, Variant: asm.Variant, Window: o.window, Shift: o.shift, ObsEvery: o.obsEvery,
		Observe: observe, ObsSigma: o.obsSigma, B: bcov, Q: asm.Q, ModelError: o.modelError,
		ParamSigma: o.paramSigma, Minimizer: asm.Minimizer, Incremental: asm.Incremental, Checkpoint: asm.Checkpoint,
		Cycles: o.cycles, BurnIn: o.burnIn, SpinUp: o.spinUp, Seed: o.seed, MDA: o.mda, Balance: o.balance,
	}
	if o.spinUp == 0 {
		tw.SpinUp = -1
	}
	if o.cold {
		if tw.FirstBackground, err = fourdvar.ColdStart(m); err != nil {
			return fail(exitFail, fmt.Errorf("--cold-start: %w", err))
		}
	}
	if tw.Variant == fourdvar.ThreeDVar {
		tw.Window = 0
	}
	if tw.Window == 0 && tw.Variant != fourdvar.ThreeDVar {
		return fail(exitUsage, errors.New("--window 0: use --variant 3dvar, or a window ≥ 1 step"))
	}
	if err := tw.Validate(); err != nil {
		return fail(exitUsage, flagError(err))
	}
	if o.model == "lorenz63" || o.model == "l63" {
		tw.X0 = []float64{1, 1, 1}
	}
	if q, ok := m.(*qg.Model); ok {
		tw.X0, tw.FirstBackground = q.InitialState(o.seed), qgFirstBackground(q)
	}
	if o.verbose {
		printCheckpoint(stderr, asm.Checkpoint, m, tw.Window)
	}
	st, err := staging.Begin(o.out)
	if err != nil {
		return fail(exitFail, fmt.Errorf("--out: %w", err))
	}
	rec := &twinout.Recorder{Dir: st.Path, Setup: o.setupObject(m, tw), NoFigures: o.noFigures}
	if err := rec.Start(o.burnIn); err != nil {
		st.Discard()
		return fail(exitFail, err)
	}
	table := !o.json && !o.quiet
	var meter *progress.Meter // the table on a terminal is progress enough
	if !o.quiet && !(table && progress.IsTerminal(stdout)) {
		meter = progress.New(stderr, "adjunto fourdvar", o.cycles)
	}
	every := o.every
	if every <= 0 {
		every = max(1, (o.cycles+24)/25)
	}
	if table {
		fmt.Fprintf(stdout, "adjunto fourdvar: %s\n\n", describeTwin(o, m, tw))
		fmt.Fprintf(stdout, "%6s %6s %9s %9s %9s %9s %10s %10s %5s %5s  %s\n",
			"cycle", "step", "rmse_b", "rmse_a", "rmse_a0", "rmse_f", "J_b", "J_a", "iter", "eval", "status")
	}
	tw.OnCycle = func(c *fourdvar.Cycle) error {
		if table && (c.Cycle%every == 0 || c.Cycle == o.cycles-1 || c.Error != "") {
			fmt.Fprintf(stdout, "%6d %6d %9.4f %9.4f %9.4f %9.4f %10.4g %10.4g %5d %5d  %s\n",
				c.Cycle, c.Step, c.RMSEBackground, c.RMSEAnalysis, c.RMSEAnalysisStart, c.RMSEForecast,
				c.CostInitial, c.CostFinal, c.Iterations, c.Evaluations, c.Status)
		}
		if err := runCtx.Err(); err != nil {
			return fmt.Errorf("interrupted after cycle %d: %w", c.Cycle, err)
		}
		meter.Update(c.Cycle+1, fmt.Sprintf("analysis RMSE %.4f", c.RMSEAnalysis))
		return rec.Cycle(c)
	}
	res, runErr := tw.Run()
	meter.Done()
	// Incremental 4DVar runs a fixed budget of outer loops by design: it is not held to it.
	if runErr == nil && res.Summary.Converged == 0 && tw.Variant != fourdvar.Incremental4DVar {
		runErr = errNoneConverged(res.Summary.Cycles)
	}
	if code, done := endTwin("fourdvar", st, rec, res, runErr, o.out, stderr); done {
		return code
	}
	if o.json {
		return printJSON(stdout, stderr, twinout.MetricsObject(rec.Setup, "complete", nil, res.Cycles, o.burnIn))
	}
	s := res.Summary
	fmt.Fprintf(stdout, "\nAverages over cycles %d-%d (burn-in %d):\n", s.BurnIn, len(res.Cycles)-1, s.BurnIn)
	// Background and analysis compare at the same time, the window's start; the analysis at
	// the window's end is the filter analysis that the standard setups are scored by.
	fmt.Fprintf(stdout, "  RMSE background        %.4f   (at the window's start)\n", s.RMSEBackground)
	fmt.Fprintf(stdout, "  RMSE analysis (start)  %.4f   (the same time, after assimilation)\n", s.RMSEAnalysisStart)
	fmt.Fprintf(stdout, "  RMSE analysis (end)    %.4f   (at the window's end: the filter analysis, the setups' score)\n", s.RMSEAnalysis)
	fmt.Fprintf(stdout, "  RMSE forecast          %.4f   (%d steps after the window's end)\n", s.RMSEForecast, shiftOf(tw))
	fmt.Fprintf(stdout, "  iterations %.1f, evaluations %.1f per analysis; ‖∇J‖ reduced by %.1e; %d/%d converged\n",
		s.Iterations, s.Evaluations, s.GradReduction, s.Converged, s.Cycles)
	fmt.Fprintf(stdout, "  wall time %.2f s for %d cycles\n", s.WallSeconds, len(res.Cycles))
	if !o.noFigures {
		fmt.Fprintf(stdout, "\nWrote metrics.json, cycles.csv and figures (series, rmse, cost; PNG and SVG) to %s\n", o.out)
	} else {
		fmt.Fprintf(stdout, "\nWrote metrics.json and cycles.csv to %s\n", o.out)
	}
	return exitOK
}

func shiftOf(tw *fourdvar.Twin) int {
	switch {
	case tw.Shift > 0:
		return tw.Shift
	case tw.Variant == fourdvar.ThreeDVar:
		return max(1, tw.ObsEvery)
	}
	return tw.Window
}

// checkDomains rejects a flag value outside its domain before anything runs, naming the flag:
// a zero that would otherwise be read as "the default" must not pass silently.
func (o *fourdvarOptions) checkDomains() error {
	for _, f := range []struct {
		name     string
		v        float64
		positive bool // > 0, else ≥ 0
	}{
		{"obs-sigma", o.obsSigma, true}, {"b-sigma", o.bSigma, true}, {"b-length", o.bLength, false},
		{"q-sigma", o.qSigma, true}, {"grad-tol", o.gradTol, true}, {"obs-density", o.density, true},
		{"dt", o.dt, false}, {"lr", o.lr, false}, {"model-error", o.modelError, false}, {"param-sigma", o.paramSigma, false},
	} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v < 0 || (f.positive && f.v == 0) {
			want := "a finite value ≥ 0"
			if f.positive {
				want = "a finite value > 0"
			}
			return fmt.Errorf("--%s %v: want %s", f.name, f.v, want)
		}
	}
	if o.density > 1 {
		return fmt.Errorf("--obs-density %v: want a fraction in (0, 1]", o.density)
	}
	if o.b == "gaussian" && o.bLength == 0 {
		return fmt.Errorf("--b-length 0: a gaussian B needs a length scale > 0")
	}
	for _, f := range []struct {
		name   string
		v, min int
	}{
		{"window", o.window, 1}, {"shift", o.shift, 0}, {"obs-every", o.obsEvery, 1}, {"max-iter", o.maxIter, 1},
		{"outer", o.outer, 1}, {"inner", o.inner, 1}, {"backtrack", o.backtr, -1}, {"cycles", o.cycles, 1},
		{"burn-in", o.burnIn, 0}, {"spinup", o.spinUp, 0}, {"every", o.every, 0},
	} {
		if f.v < f.min {
			return fmt.Errorf("--%s %d: want ≥ %d", f.name, f.v, f.min)
		}
	}
	return nil
}

// flagError rewrites a Twin.Validate error in terms of the flags.
func flagError(err error) error {
	if se, ok := errors.AsType[*fourdvar.SettingError](err); ok {
		return fmt.Errorf("--%s %v: want %s", se.Setting, se.Value, se.Want)
	}
	if errors.Is(err, limits.ErrTooLarge) {
		return fmt.Errorf("--window, --shift, --cycles, --n: %w", err)
	}
	return fmt.Errorf("invalid flags: %w", err)
}

func describeTwin(o *fourdvarOptions, m fourdvar.Model, tw *fourdvar.Twin) string {
	var model string
	switch mm := m.(type) {
	case *lorenz.L96:
		model = fmt.Sprintf("Lorenz-96 (N=%d, F=%g, dt=%g, %s)", mm.N, mm.F, mm.Dt, mm.Integrator)
	case *lorenz.L63:
		model = fmt.Sprintf("Lorenz-63 (dt=%g, %s)", mm.Dt, mm.Integrator)
	case *qg.Model:
		model = fmt.Sprintf("QG (%dx%d, F=%g, dt=%g, rk4)", mm.N, mm.N, mm.F, mm.Dt)
	}
	s := fmt.Sprintf("%s twin experiment on %s; window %d steps, shift %d, observations every %d steps "+
		"(density %g, H %s, σ_o=%g), B %s σ_b=%g", tw.Variant, model, tw.Window, shiftOf(tw), tw.ObsEvery,
		o.density, o.h, o.obsSigma, o.b, o.bSigma)
	if strings.EqualFold(o.b, "gaussian") || strings.EqualFold(o.b, "soar") {
		s += fmt.Sprintf(" L=%g", o.bLength)
	}
	switch {
	case tw.MDA && tw.Balance:
		s += ", multiple data assimilation with a balancing filter analysis"
	case tw.MDA:
		s += ", multiple data assimilation"
	}
	s += fmt.Sprintf(", %s, %d cycles (burn-in %d), seed %d", o.methodName(tw.Variant), tw.Cycles, tw.BurnIn, o.seed)
	if o.setup != "" {
		s = "setup " + o.setup + ": " + s
	}
	return s
}

func (o *fourdvarOptions) methodName(v fourdvar.Variant) string {
	if v == fourdvar.Incremental4DVar {
		return fmt.Sprintf("%d outer loops of ≤%d linear CG iterations", o.outer, o.inner)
	}
	return o.method
}

func (o *fourdvarOptions) setupObject(m fourdvar.Model, tw *fourdvar.Twin) twinout.Object {
	obj := twinout.Object{
		{Key: "setup", Value: o.setup},
		{Key: "model", Value: o.model},
		{Key: "dim", Value: m.Dim()},
		{Key: "params", Value: m.Params()},
		{Key: "dt", Value: modelDt(m)},
		{Key: "integrator", Value: o.integrator},
		{Key: "variant", Value: string(tw.Variant)},
		{Key: "window", Value: tw.Window},
		{Key: "shift", Value: shiftOf(tw)},
		{Key: "obs_every", Value: tw.ObsEvery},
		{Key: "obs_density", Value: o.density},
		{Key: "obs_sigma", Value: o.obsSigma},
		{Key: "obs_op", Value: o.h},
		{Key: "obs_rotate", Value: o.rotate},
		{Key: "mda", Value: tw.MDA},
		{Key: "balance", Value: tw.Balance},
		{Key: "cold_start", Value: o.cold},
		{Key: "b", Value: o.b},
		{Key: "b_sigma", Value: o.bSigma},
		{Key: "b_length", Value: o.bLength},
		{Key: "method", Value: o.method},
		{Key: "max_iter", Value: o.maxIter},
		{Key: "grad_tol", Value: o.gradTol},
		{Key: "cycles", Value: tw.Cycles},
		{Key: "burn_in", Value: tw.BurnIn},
		{Key: "spinup", Value: o.spinUp},
		{Key: "seed", Value: o.seed},
	}
	switch tw.Variant {
	case fourdvar.Incremental4DVar:
		obj = append(obj, twinout.Field{Key: "outer", Value: o.outer}, twinout.Field{Key: "inner", Value: o.inner},
			twinout.Field{Key: "backtrack", Value: o.backtr})
	case fourdvar.Weak4DVar:
		obj = append(obj, twinout.Field{Key: "q_sigma", Value: o.qSigma})
	case fourdvar.Params4DVar:
		obj = append(obj, twinout.Field{Key: "param_sigma", Value: o.paramSigma})
	}
	if o.modelError > 0 {
		obj = append(obj, twinout.Field{Key: "model_error", Value: o.modelError})
	}
	return obj
}

func modelDt(m fourdvar.Model) float64 {
	switch mm := m.(type) {
	case *lorenz.L96:
		return mm.Dt
	case *lorenz.L63:
		return mm.Dt
	case *qg.Model:
		return mm.Dt
	}
	return math.NaN()
}

func printJSON(stdout, stderr io.Writer, v any) int {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "adjunto fourdvar: %v\n", err)
		return exitFail
	}
	stdout.Write(append(b, '\n'))
	return exitOK
}

// runFiles assimilates a user's observations into a user's background: one analysis.
func (o *fourdvarOptions) runFiles(set map[string]bool, stdout, stderr io.Writer) int {
	fail := func(code int, err error) int {
		report(stderr, "fourdvar", err)
		return code
	}
	if o.obsFile == "" || o.bgFile == "" {
		return fail(exitUsage, errors.New("--obs and --background go together (and --truth needs both)"))
	}
	xb, err := fourdvar.ReadStateFile(o.bgFile)
	if err != nil {
		return fail(exitUsage, err)
	}
	n := len(xb)
	if isQG(o.model) && !set["n"] {
		if n = int(math.Round(math.Sqrt(float64(len(xb))))); n*n != len(xb) {
			return fail(exitUsage, fmt.Errorf("%s: background has %d values: not the n² of a square qg grid (row by row)", o.bgFile, len(xb)))
		}
	}
	if set["n"] || o.model == "lorenz63" || o.model == "l63" {
		n = o.n
	}
	m, err := o.newModel(n)
	if err != nil && isQG(o.model) && !set["n"] {
		err = fmt.Errorf("%s: its %d values make a %d×%d grid: %w", o.bgFile, len(xb), n, n, err)
	}
	if err != nil {
		return fail(exitUsage, err)
	}
	if len(xb) != m.Dim() {
		return fail(exitUsage, fmt.Errorf("%s: background has %d values, the model (%s) has %d variables", o.bgFile, len(xb), o.model, m.Dim()))
	}
	obs, err := fourdvar.ReadObsFile(o.obsFile)
	if err != nil {
		return fail(exitUsage, err)
	}
	var truth []float64
	var truthRun [][]float64 // a true trajectory, steps 0, 1, 2, ...
	if o.truthFile != "" {
		if truthRun, err = readTruth(o.truthFile); err != nil {
			return fail(exitUsage, err)
		}
		if truth = truthRun[0]; len(truth) != m.Dim() {
			return fail(exitUsage, fmt.Errorf("%s: truth has %d values, the model has %d variables", o.truthFile, len(truth), m.Dim()))
		}
		if len(truthRun) == 1 {
			truthRun = nil // one state: it scores the analysis at step 0 only
		}
	}
	steps := -1
	if set["window"] && !set["cycles"] {
		steps = o.window
	}
	if err := fourdvar.CheckObs(o.obsFile, obs, m.Dim(), steps); err != nil {
		return fail(exitUsage, err)
	}
	if steps < 0 {
		steps = 0
		for _, ob := range obs {
			steps = max(steps, ob.Step)
		}
	}
	if !set["b"] {
		o.b = "identity"
	}
	if !set["b-sigma"] {
		o.bSigma = 1
	}
	bcov, err := o.covariance(m)
	if err != nil {
		return fail(exitUsage, err)
	}
	asm, err := o.assimilator(m.Dim())
	if err != nil {
		return fail(exitUsage, err)
	}
	if set["cycles"] {
		if truthRun != nil && len(truthRun) <= o.cycles*o.window {
			return fail(exitUsage, fmt.Errorf("--truth %s: a trajectory of steps 0-%d; --cycles %d of --window %d need steps 0-%d",
				o.truthFile, len(truthRun)-1, o.cycles, o.window, o.cycles*o.window))
		}
		return o.runFileCycles(m, xb, obs, truthRun, bcov, asm, stdout, stderr)
	}
	if asm.Variant == fourdvar.ThreeDVar && steps != 0 {
		return fail(exitUsage, fmt.Errorf("%s: 3dvar analyses step 0 only; observations reach step %d (use --variant 4dvar)", o.obsFile, steps))
	}
	w := &fourdvar.Window{Model: m, Steps: steps, Xb: xb, B: bcov, Obs: fourdvar.BatchesFromObs(m.Dim(), obs)}
	if asm.Variant == fourdvar.Params4DVar {
		w.Pb = append([]float64(nil), m.Params()...)
		w.BP = fourdvar.ScaledIdentity{N: m.NumParams(), Sigma: o.paramSigma}
	}
	if o.verbose {
		printCheckpoint(stderr, asm.Checkpoint, m, steps)
	}
	an, runErr := asm.Analyse(w)
	if an == nil {
		return fail(exitUsage, runErr) // refused by Window.Validate before any work
	}
	st, err := staging.Begin(o.out)
	if err != nil {
		return fail(exitFail, fmt.Errorf("--out: %w", err))
	}
	defer st.Discard() // a no-op once committed or kept
	rec := twinout.Object{{Key: "n_obs", Value: len(obs)}, {Key: "window", Value: steps}}
	rec = append(rec, twinout.StatsObject(&an.Stats)...)
	if truth != nil {
		rb := fourdvar.RMSE(xb, truth)
		ra := math.NaN()
		if an.Trajectory != nil {
			ra = fourdvar.RMSE(an.Trajectory[0], truth)
		}
		rec = append(rec, twinout.Field{Key: "rmse_background", Value: rb}, twinout.Field{Key: "rmse_analysis", Value: ra})
	}
	if an.Params != nil {
		rec = append(rec, twinout.Field{Key: "params", Value: an.Params})
	}
	status := "complete"
	if runErr != nil && an.Trajectory == nil {
		status = "failed"
	}
	setup := twinout.Object{
		{Key: "obs", Value: o.obsFile}, {Key: "background", Value: o.bgFile}, {Key: "truth", Value: o.truthFile},
		{Key: "model", Value: o.model}, {Key: "dim", Value: m.Dim()}, {Key: "params", Value: m.Params()},
		{Key: "dt", Value: modelDt(m)}, {Key: "variant", Value: string(asm.Variant)},
		{Key: "b", Value: o.b}, {Key: "b_sigma", Value: o.bSigma}, {Key: "method", Value: o.method},
	}
	doc := twinout.Object{{Key: "setup", Value: setup}, {Key: "status", Value: status}}
	if runErr != nil {
		doc = append(doc, twinout.Field{Key: "error", Value: runErr.Error()})
	}
	doc = append(doc, twinout.Field{Key: "analysis", Value: rec})
	if err := twinout.WriteJSONFile(st.File("metrics.json"), doc); err != nil {
		return fail(exitFail, err)
	}
	if an.Trajectory != nil {
		if err := atomicfile.Write(st.File("analysis.csv"), func(w io.Writer) error {
			return fourdvar.WriteState(w, an.Trajectory[0])
		}); err != nil {
			return fail(exitFail, err)
		}
		if err := atomicfile.Write(st.File("trajectory.csv"), func(w io.Writer) error {
			return fourdvar.WriteTrajectory(w, an.Trajectory)
		}); err != nil {
			return fail(exitFail, err)
		}
	}
	// A line-search failure with a usable analysis is a warning (below), not a failure.
	var stageErr error
	if an.Trajectory == nil || runCtx.Err() != nil {
		stageErr = runErr
		if err := runCtx.Err(); err != nil {
			stageErr = fmt.Errorf("interrupted during the analysis: %w", err)
		}
	}
	where, err := endStage(st, stageErr, "fourdvar", stderr)
	if err != nil {
		return fail(exitFail, err)
	}
	if stageErr != nil {
		if !interrupted(stageErr, "fourdvar", where, stderr) {
			fail(exitFail, stageErr)
			fmt.Fprintf(stderr, "adjunto fourdvar: what the analysis made is in %s; earlier results in %s untouched\n", where, o.out)
		}
		return exitFail
	}
	if o.json {
		return printJSON(stdout, stderr, doc)
	}
	fmt.Fprintf(stdout, "adjunto fourdvar: %s analysis of %d observations over %d steps (%s, B %s σ_b=%g)\n",
		asm.Variant, len(obs), steps, o.model, o.b, o.bSigma)
	fmt.Fprintf(stdout, "  J: %.6g -> %.6g, ‖∇J‖: %.3g -> %.3g, %d iterations, %d evaluations, %s\n",
		an.CostInitial, an.CostFinal, an.GradNormInitial, an.GradNormFinal, an.Iterations, an.Evaluations, an.Status)
	if truth != nil {
		fmt.Fprintf(stdout, "  RMSE against the truth: background %.4f, analysis %.4f\n",
			fourdvar.RMSE(xb, truth), fourdvar.RMSE(an.Trajectory[0], truth))
	}
	if runErr != nil {
		fmt.Fprintf(stdout, "  warning: %v\n", runErr)
	}
	fmt.Fprintf(stdout, "Wrote metrics.json, analysis.csv (the state at step 0) and trajectory.csv to %s\n", o.out)
	return exitOK
}

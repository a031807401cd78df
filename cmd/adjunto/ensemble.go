package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/adjunto/adjunto/ensemble"
	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/internal/progress"
	"github.com/adjunto/adjunto/internal/staging"
	"github.com/adjunto/adjunto/internal/twinout"
	"github.com/adjunto/adjunto/models/qg"
)

// ensembleOptions holds the flags of "adjunto ensemble". The model and observation flags
// are fourdvar's, with the same names and meanings, so that a setup's truth and
// observations are the 4DVar twin's.
type ensembleOptions struct {
	fourdvarOptions

	method     string
	members    int
	inflation  float64
	radius     float64
	lag        int
	shiftObs   int
	mdaE       bool
	balanceE   bool
	finiteSize bool
	maxIterE   int
	tol        float64
	bundle     float64
	quasi      bool
	rotate     bool
	qsGrowth   float64
	betaS      float64
	boost      float64
	eda        bool
	betaE      float64
	obsTimes   int
	spread     float64
	cold       bool
	workers    int
	floor      bool
	floorOnly  bool
}

func (o *ensembleOptions) register(fs *flag.FlagSet) {
	o.registerTwin(fs)
	fs.StringVar(&o.model, "model", "lorenz96", "model: lorenz96, lorenz63 or qg (64², the 4DVar default's truth and observations, LETKF)")
	fs.StringVar(&o.setup, "setup", "", "standard setup: sakov2008, bocquet2013 or sakov2012 (the model, observations and the tuned ensemble method)")
	fs.IntVar(&o.n, "n", 40, "Lorenz-96 variables")
	fs.IntVar(&o.spinUp, "spinup", 1000, "steps of the truth run before the first analysis")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed: truth, observations, first ensemble")
	fs.StringVar(&o.method, "method", "etkf", "ensemble method: "+strings.Join(ensembleMethods, ", "))
	fs.IntVar(&o.members, "members", 20, "ensemble size N")
	fs.Float64Var(&o.inflation, "inflation", 1, "multiplicative inflation of the analysis anomalies")
	fs.Float64Var(&o.radius, "radius", 4, "letkf: Gaspari-Cohn half-width in grid points (support twice that)")
	fs.IntVar(&o.lag, "lag", 1, "ienks: window length L in observation intervals")
	fs.IntVar(&o.shiftObs, "shift", 1, "ienks: observation intervals between analyses, 1 ≤ S ≤ L")
	fs.BoolVar(&o.mdaE, "mda", false, "ienks: multiple data assimilation")
	fs.BoolVar(&o.balanceE, "balance", false, "ienks with --mda: score a balancing analysis per window")
	fs.BoolVar(&o.finiteSize, "finite-size", false, "ienks: finite-size (EnKF-N) adaptive inflation")
	fs.Float64Var(&o.boost, "boost", 1, "ienks with --finite-size: DAPPER's xN, >1 trusts the ensemble more")
	fs.IntVar(&o.maxIterE, "max-iter", 10, "ienks: Gauss-Newton iterations per window")
	fs.Float64Var(&o.tol, "tol", 1e-4, "ienks: stop when ‖Δw‖² < tol·N")
	fs.BoolVar(&o.quasi, "quasi-static", false, "ienks: minimise over growing windows, one observation time more at a time (long MDA windows)")
	fs.Float64Var(&o.qsGrowth, "quasi-static-growth", 1, "ienks with --quasi-static: each stage takes ⌈g·ℓ⌉ observation times where the last took ℓ (1: one more per stage)")
	fs.BoolVar(&o.rotate, "rotate", false, "ienks: mix the analysis members by a random mean-preserving rotation (seeded from --seed)")
	fs.Float64Var(&o.bundle, "bundle", 0, "ienks: ε of the bundle variant (0: the transform variant)")
	fs.Float64Var(&o.betaS, "beta-s", 0.5, "hybrid: weight β_s of the static B = σ_b² I (--b-sigma) in B = β_s² B_static + β_e² C∘P_e")
	fs.Float64Var(&o.betaE, "beta-e", 0.87, "hybrid: weight β_e of the localised ensemble covariance (localised with --radius; --radius 0: none)")
	fs.BoolVar(&o.eda, "eda", false, "hybrid: cycle the ensemble by an ensemble of perturbed-observation 4DVars instead of the ETKF")
	fs.Float64Var(&o.bSigma, "b-sigma", 0.3, "hybrid: σ_b of the static B (with --setup: the 4DVar preset's)")
	fs.IntVar(&o.obsTimes, "obs-times", 1000, "observation times (analyses with shift 1)")
	fs.IntVar(&o.burnIn, "burn-in", 20, "analyses left out of the averages")
	fs.Float64Var(&o.spread, "spread", 1, "warm start: standard deviation of the first members about the truth")
	fs.BoolVar(&o.cold, "cold-start", false, "draw the first ensemble from the model's climatology, far from the truth")
	fs.IntVar(&o.workers, "workers", 0, "goroutines propagating the members, running the LETKF's local analyses and the EDA's 4DVars (0: GOMAXPROCS; results do not depend on it)")
	fs.StringVar(&o.out, "out", filepath.Join("out", "ensemble"), "output directory")
	fs.IntVar(&o.every, "every", 0, "print every k-th analysis in the table (0: about 25 rows)")
	fs.BoolVar(&o.floor, "floor", false, "also compute the Cramér–Rao floor on the run's truth and observations (states of at most 1000 variables), beside the score and in metrics.json")
	fs.BoolVar(&o.floorOnly, "floor-only", false, "compute and print the Cramér–Rao floor only: run no method, write nothing")
}

var ensembleMethods = []string{"enkf", "etkf", "letkf", "ienks", "hybrid"}

func runEnsemble(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("ensemble", "[flags]", stderr)
	var o ensembleOptions
	o.register(fs)
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "adjunto ensemble: %v\n", err)
		return code
	}
	if err := o.applyEnsembleSetup(set); err != nil {
		return fail(exitUsage, err)
	}
	if err := o.applyQGEnsembleDefaults(fs.Set, set); err != nil {
		return fail(exitUsage, err)
	}
	m, err := o.newModel(o.n)
	if err != nil {
		return fail(exitUsage, err)
	}
	observe, err := o.observer(m.Dim())
	q, isqg := m.(*qg.Model)
	if isqg {
		observe, err = o.qgObserver(q)
	}
	if err != nil {
		return fail(exitUsage, err)
	}
	base := &fourdvar.Twin{Model: m, ObsEvery: o.obsEvery, Observe: observe, ObsSigma: o.obsSigma,
		ModelError: o.modelError, SpinUp: o.spinUp, Seed: o.seed}
	if isqg { // the 4DVar twin's truth start and first-background covariance
		base.X0, base.FirstBackground = q.InitialState(o.seed), qgFirstBackground(q)
	}
	if o.spinUp == 0 {
		base.SpinUp = -1
	}
	if o.model == "lorenz63" || o.model == "l63" {
		base.X0 = []float64{1, 1, 1}
	}
	tw := &ensemble.Twin{Base: base, Workers: o.workers, Members: o.members, ObsTimes: o.obsTimes,
		BurnIn: o.burnIn, Spread: o.spread, ColdStart: o.cold, Balance: o.balanceE}
	tw.NewModel = func() ensemble.Model {
		mm, _ := o.newModel(o.n) // the flags were checked by the first newModel
		return mm
	}
	switch strings.ToLower(o.method) {
	case "enkf":
		tw.Filter = &ensemble.EnKF{Inflation: o.inflation} // the twin seeds its perturbations from --seed
	case "etkf":
		tw.Filter = &ensemble.ETKF{Inflation: o.inflation}
	case "letkf":
		if !(o.radius > 0) {
			return fail(exitUsage, fmt.Errorf("--radius %v: want > 0", o.radius))
		}
		l := &ensemble.LETKF{Radius: o.radius, Inflation: o.inflation, Workers: o.workers}
		if isqg {
			l.Distance = ensemble.GridDistance(q.N, q.N)
		}
		tw.Filter = l
	case "ienks":
		tw.Smoother = &ensemble.IEnKS{Lag: o.lag, Shift: o.shiftObs, MDA: o.mdaE, Inflation: o.inflation,
			FiniteSize: o.finiteSize, MaxIter: o.maxIterE, Tol: o.tol, Bundle: o.bundle, Boost: o.boost, QuasiStatic: o.quasi, QuasiStaticGrowth: o.qsGrowth, Rotate: o.rotate}
	case "hybrid":
		if !(o.bSigma > 0) {
			return fail(exitUsage, fmt.Errorf("--b-sigma %v: want > 0", o.bSigma))
		}
		tw.Hybrid = &ensemble.Hybrid{Static: fourdvar.ScaledIdentity{N: m.Dim(), Sigma: o.bSigma}, BetaS: o.betaS,
			BetaE: o.betaE, Radius: o.radius, Lag: o.lag, Filter: &ensemble.ETKF{Inflation: o.inflation}, EDA: o.eda, Inflation: o.inflation}
	default:
		return fail(exitUsage, fmt.Errorf("--method: unknown ensemble method %q (known: %s)", o.method, strings.Join(ensembleMethods, ", ")))
	}
	if !(o.inflation > 0) {
		return fail(exitUsage, fmt.Errorf("--inflation %v: want > 0", o.inflation))
	}
	if err := tw.Validate(); err != nil {
		return fail(exitUsage, flagError(err))
	}
	var floor *ensemble.Floor
	if o.floor || o.floorOnly {
		var code int
		if floor, code, err = ensembleFloor(tw); err != nil {
			return fail(code, err)
		}
	}
	if o.floorOnly {
		if o.json {
			return printJSON(stdout, stderr, twinout.Object{{Key: "setup", Value: o.ensembleObject(m)}, {Key: "floor", Value: floorObject(floor)}})
		}
		fmt.Fprintf(stdout, "adjunto ensemble: %s\n\nAverages over the %d scored observation times (burn-in %d):\n", o.describe(m), floor.Scored, o.burnIn)
		printFloor(stdout, floor, 0)
		return exitOK
	}
	st, err := staging.Begin(o.out)
	if err != nil {
		return fail(exitFail, fmt.Errorf("--out: %w", err))
	}
	rec := &twinout.Recorder{Dir: st.Path, Setup: o.ensembleObject(m), NoFigures: o.noFigures}
	if floor != nil {
		rec.Extra = twinout.Object{{Key: "floor", Value: floorObject(floor)}}
	}
	if err := rec.Start(o.burnIn); err != nil {
		st.Discard()
		return fail(exitFail, err)
	}
	var meter *progress.Meter // the table on a terminal is progress enough
	if !o.quiet && !(!o.json && progress.IsTerminal(stdout)) {
		meter = progress.New(stderr, "adjunto ensemble", o.obsTimes)
	}
	table := !o.json && !o.quiet
	every := o.every
	if every <= 0 {
		every = max(1, (o.obsTimes+24)/25)
	}
	if table {
		fmt.Fprintf(stdout, "adjunto ensemble: %s\n\n", o.describe(m))
		fmt.Fprintf(stdout, "%6s %6s %9s %9s %9s %9s %5s  %s\n", "cycle", "step", "rmse_b", "rmse_a", "rmse_a0", "rmse_f", "iter", "status")
	}
	tw.OnCycle = func(c *fourdvar.Cycle) error {
		if table && c.Cycle%every == 0 {
			fmt.Fprintf(stdout, "%6d %6d %9.4f %9.4f %9.4f %9.4f %5d  %s\n",
				c.Cycle, c.Step, c.RMSEBackground, c.RMSEAnalysis, c.RMSEAnalysisStart, c.RMSEForecast, c.Iterations, c.Status)
		}
		if err := runCtx.Err(); err != nil {
			return fmt.Errorf("interrupted after analysis %d: %w", c.Cycle, err)
		}
		meter.Update(c.Cycle+1, fmt.Sprintf("analysis RMSE %.4f", c.RMSEAnalysis))
		return rec.Cycle(c)
	}
	res, runErr := tw.Run()
	meter.Done()
	if code, done := endTwin("ensemble", st, rec, res, runErr, o.out, stderr); done {
		return code
	}
	if o.json {
		return printJSON(stdout, stderr, twinout.MetricsObject(rec.Setup, "complete", nil, res.Cycles, o.burnIn, rec.Extra...))
	}
	s := res.Summary
	fmt.Fprintf(stdout, "\nAverages over analyses %d-%d (burn-in %d):\n", s.BurnIn, len(res.Cycles)-1, s.BurnIn)
	fmt.Fprintf(stdout, "  RMSE background        %.4f   (forecast mean at the analysis time)\n", s.RMSEBackground)
	fmt.Fprintf(stdout, "  RMSE analysis          %.4f   (filter analysis mean at the newest observation time: the setups' score)\n", s.RMSEAnalysis)
	fmt.Fprintf(stdout, "  RMSE analysis (start)  %.4f   (at the window's start: the smoother, for the iEnKS)\n", s.RMSEAnalysisStart)
	fmt.Fprintf(stdout, "  RMSE forecast          %.4f   (one shift after the analysis)\n", s.RMSEForecast)
	if floor != nil {
		printFloor(stdout, floor, s.RMSEAnalysis)
	}
	fmt.Fprintf(stdout, "  iterations %.2f per analysis; wall time %.2f s for %d analyses\n", s.Iterations, s.WallSeconds, len(res.Cycles))
	if o.noFigures {
		fmt.Fprintf(stdout, "\nWrote metrics.json and cycles.csv to %s\n", o.out)
	} else {
		fmt.Fprintf(stdout, "\nWrote metrics.json, cycles.csv and figures (series, rmse, cost; PNG and SVG) to %s\n", o.out)
	}
	return exitOK
}

// applyEnsembleSetup sets, from the --setup preset, the model and observation flags (as
// "adjunto fourdvar --setup" does, the static B included, which the hybrid uses) and the
// tuned ensemble method's flags that the user did not set.
func (o *ensembleOptions) applyEnsembleSetup(set map[string]bool) error {
	if o.setup == "" {
		return nil
	}
	if err := o.applySetup(set); err != nil {
		return err
	}
	s, _ := fourdvar.LookupSetup(o.setup) // applySetup checked the name
	def := func(name string, apply func()) {
		if !set[name] {
			apply()
		}
	}
	def("obs-times", func() { o.obsTimes = s.ObsTimes })
	def("burn-in", func() { o.burnIn = s.BurnInTimes })
	p, ok := ensemble.LookupPreset(s.Name)
	if !ok {
		return nil
	}
	def("method", func() { o.method = p.Method })
	def("members", func() { o.members = p.Members })
	def("inflation", func() { o.inflation = p.Inflation })
	if p.Radius > 0 {
		def("radius", func() { o.radius = p.Radius })
	}
	def("lag", func() { o.lag = p.Lag })
	def("shift", func() { o.shiftObs = max(1, p.Shift) })
	def("mda", func() { o.mdaE = p.MDA })
	def("balance", func() { o.balanceE = p.Balance && o.mdaE })
	def("finite-size", func() { o.finiteSize = p.FiniteSize })
	def("rotate", func() { o.rotate = p.Rotate })
	return nil
}

func (o *ensembleOptions) describe(m fourdvar.Model) string {
	s := fmt.Sprintf("%s, N=%d, inflation %g", o.method, o.members, o.inflation)
	switch strings.ToLower(o.method) {
	case "letkf":
		s += fmt.Sprintf(", Gaspari-Cohn half-width %g", o.radius)
	case "hybrid":
		s += fmt.Sprintf(", En-4DVar: lag %d, B = %g² (%g² I) + %g² (C∘P_e), Gaspari-Cohn half-width %g, eda %v", o.lag, o.betaS, o.bSigma, o.betaE, o.radius, o.eda)
	case "ienks":
		s += fmt.Sprintf(", lag %d, shift %d, mda %v, balance %v, finite-size %v, rotate %v", o.lag, o.shiftObs, o.mdaE, o.balanceE, o.finiteSize, o.rotate)
	}
	start := fmt.Sprintf("warm start (spread %g)", o.spread)
	if o.cold {
		start = "cold start (climatology)"
	}
	s += fmt.Sprintf("; %s, %d variables, observed every %d steps with σ_o=%g; %d observation times (burn-in %d), %s, seed %d",
		o.model, m.Dim(), o.obsEvery, o.obsSigma, o.obsTimes, o.burnIn, start, o.seed)
	if o.setup != "" {
		s = "setup " + o.setup + ": " + s
	}
	return s
}

func (o *ensembleOptions) ensembleObject(m fourdvar.Model) twinout.Object {
	return twinout.Object{
		{Key: "setup", Value: o.setup}, {Key: "model", Value: o.model}, {Key: "dim", Value: m.Dim()},
		{Key: "params", Value: m.Params()}, {Key: "dt", Value: modelDt(m)}, {Key: "obs_every", Value: o.obsEvery},
		{Key: "obs_density", Value: o.density}, {Key: "obs_sigma", Value: o.obsSigma}, {Key: "obs_op", Value: o.h},
		{Key: "method", Value: o.method}, {Key: "members", Value: o.members}, {Key: "inflation", Value: o.inflation},
		{Key: "radius", Value: o.radius}, {Key: "lag", Value: o.lag}, {Key: "shift", Value: o.shiftObs},
		{Key: "mda", Value: o.mdaE}, {Key: "balance", Value: o.balanceE}, {Key: "finite_size", Value: o.finiteSize}, {Key: "boost", Value: o.boost},
		{Key: "max_iter", Value: o.maxIterE}, {Key: "tol", Value: o.tol}, {Key: "bundle", Value: o.bundle}, {Key: "beta_s", Value: o.betaS}, {Key: "eda", Value: o.eda}, {Key: "beta_e", Value: o.betaE}, {Key: "b_sigma", Value: o.bSigma}, {Key: "obs_times", Value: o.obsTimes},
		{Key: "burn_in", Value: o.burnIn}, {Key: "cold_start", Value: o.cold}, {Key: "spread", Value: o.spread},
		{Key: "seed", Value: o.seed},
	}
}

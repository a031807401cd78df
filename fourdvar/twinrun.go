package fourdvar

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/adjunto/adjunto/optimize"
)

// Run runs the experiment. It returns the result so far together with an error when a
// cycle fails (a divergence, or an error from OnCycle): the cycles before it are complete.
// A minimiser that stops on a line-search failure is not an error: its status is recorded
// and its best point is the analysis.
//
// The algorithm: run the truth, observe it with errors, draw the first background; then in
// each cycle analyse the window from the background, score the analysis against the truth,
// and forecast it to the next window's start, where it is the next background.
func (t *Twin) Run() (*Result, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	r := &twinRun{Twin: t}
	r.variant, r.window, r.shift, _, r.cycles, _, _ = t.defaults()
	r.am = t.assimilate()
	r.amParams = append([]float64(nil), r.am.Params()...)
	defer r.am.SetParams(r.amParams)
	if err := r.runTruth(); err != nil {
		return nil, err
	}
	r.firstBackground()
	r.startResult()
	for c := range r.cycles {
		if err := r.cycle(c); err != nil {
			return r.res, err
		}
	}
	return r.res, nil
}

// twinRun is the state of one Run: the settings with their defaults, the truth and its
// observations, and the background that the cycles carry from window to window.
type twinRun struct {
	*Twin
	variant               Variant
	window, shift, cycles int
	am                    Model     // the analyses' model
	amParams              []float64 // its parameters before the run

	truth [][]float64   // the truth run, steps 0 … total
	obsAt map[int]Batch // its observations, by step
	sched *schedule

	bcov, q Covariance
	xb      []float64  // the next window's background
	pb      []float64  // the next window's parameter background (Params4DVar)
	pcov    Covariance // its covariance

	res      *Result
	xa, fc   []float64
	work     []float64
	bg, anTr []float64 // the series' background and analysis over a cycle's steps
}

// runTruth runs the truth over every step the cycles reach and observes it (truthRun),
// and schedules the observations into the windows.
func (r *twinRun) runTruth() error {
	total := (r.cycles-1)*r.shift + r.window + r.shift
	var err error
	if r.truth, r.obsAt, err = r.truthRun(total); err != nil {
		return err
	}
	r.work = make([]float64, 2*r.Model.Dim())
	r.sched = newSchedule(r.obsAt, r.cycles, r.window, r.shift, r.MDA, r.Balance)
	return nil
}

// firstBackground draws the first background from FirstBackground around the truth, and
// for Params4DVar the first parameter background around the analyses' model's parameters.
func (r *twinRun) firstBackground() {
	n := r.Model.Dim()
	r.bcov = r.B
	if r.bcov == nil {
		r.bcov = ScaledIdentity{N: n}
	}
	first := r.FirstBackground
	if first == nil {
		first = r.bcov
	}
	r.q = r.Q
	if r.q == nil {
		r.q = ScaledIdentity{N: n, Sigma: 0.1}
	}
	brng := rand.New(rand.NewPCG(r.Seed, streamBackground))
	r.xb = make([]float64, n)
	Sample(r.xb, first, brng)
	for i := range r.xb {
		r.xb[i] += r.truth[0][i]
	}
	if r.variant != Params4DVar {
		return
	}
	ps := r.ParamSigma
	if ps == 0 {
		ps = 1
	}
	np := r.am.NumParams()
	r.pcov = ScaledIdentity{N: np, Sigma: ps}
	prng := rand.New(rand.NewPCG(r.Seed, streamParams))
	r.pb = make([]float64, np)
	Sample(r.pb, r.pcov, prng)
	for i := range r.pb {
		r.pb[i] += r.amParams[i]
	}
	r.am.SetParams(r.pb)
}

// startResult prepares the result and its series of the recorded variables.
func (r *twinRun) startResult() {
	n := r.Model.Dim()
	rec := r.Record
	if rec == nil {
		for i := 0; i < 3 && i < n; i++ {
			rec = append(rec, i)
		}
	}
	r.res = &Result{Series: Series{Record: rec}}
	s := &r.res.Series
	s.Truth = make([][]float64, len(rec))
	s.Background = make([][]float64, len(rec))
	s.Analysis = make([][]float64, len(rec))
	s.ObsSteps = make([][]int, len(rec))
	s.Obs = make([][]float64, len(rec))
	r.xa, r.fc = make([]float64, n), make([]float64, n)
}

// cycle runs cycle c: the analysis of its window, its scores, and the next background.
func (r *twinRun) cycle(c int) error {
	start := time.Now()
	t0 := c * r.shift
	w, bal := r.windows(c)
	cyc := Cycle{Cycle: c, Step: t0, NumObs: w.NumObs()}
	traj, filt, ok, err := r.analyse(&cyc, w, bal)
	if !ok {
		return fmt.Errorf("cycle %d (step %d): %w", c, t0, err)
	}
	if err != nil && !errors.Is(err, optimize.ErrLineSearch) {
		// A failed analysis: record the cycle with what is known, and stop.
		cyc.Error = err.Error()
		nan := math.NaN()
		cyc.RMSEBackground, cyc.RMSEAnalysis, cyc.RMSEAnalysisStart, cyc.RMSEForecast = rmse(w.Xb, r.truth[t0]), nan, nan, nan
		if cbErr := r.record(&cyc, start); cbErr != nil {
			return cbErr
		}
		return fmt.Errorf("cycle %d (step %d): %w", c, t0, err)
	}
	if err != nil {
		cyc.Error = err.Error()
	}
	if r.variant == Params4DVar {
		r.am.SetParams(cyc.Params)
		r.pb = append(r.pb[:0], cyc.Params...)
	}
	r.score(&cyc, w, traj, filt)
	if err := r.advance(t0, w, traj); err != nil {
		return fmt.Errorf("cycle %d (step %d): %w", c, t0, err)
	}
	return r.record(&cyc, start)
}

// windows returns the window of cycle c from the current background and, with MDA and
// Balance, its balancing window.
func (r *twinRun) windows(c int) (w, bal *Window) {
	w = &Window{Model: r.am, Steps: r.window, Xb: append([]float64(nil), r.xb...), B: r.bcov}
	obs, balObs := r.sched.next(c)
	w.Obs = obs
	if balObs != nil {
		bal = &Window{Model: r.am, Steps: r.window, Xb: w.Xb, B: r.bcov, Obs: balObs}
	}
	if r.variant == Params4DVar {
		w.Pb = append([]float64(nil), r.pb...)
		w.BP = r.pcov
		if bal != nil {
			bal.Pb, bal.BP = w.Pb, r.pcov
		}
	}
	return w, bal
}

// analyse computes the analysis of w, and the balancing analysis of bal when it is not nil,
// and sets the cycle's statistics and parameters. It returns the analysed trajectory, the
// scored one (the balancing analysis's, else the same), and the error of the analyses; ok
// is false when an analysis failed before it had statistics.
func (r *twinRun) analyse(cyc *Cycle, w, bal *Window) (traj, filt [][]float64, ok bool, err error) {
	asm := Assimilator{Variant: r.variant, Minimizer: r.Minimizer, Incremental: r.Incremental, Q: r.q,
		StateControl: r.StateControl, Checkpoint: r.Checkpoint}
	ana, err := asm.Analyse(w)
	if ana == nil {
		return nil, nil, false, err
	}
	st := ana.Stats
	traj = ana.Trajectory
	filt = traj
	if bal != nil && (err == nil || errors.Is(err, optimize.ErrLineSearch)) {
		fa, ferr := asm.Analyse(bal)
		if fa == nil {
			return nil, nil, false, fmt.Errorf("balancing analysis: %w", ferr)
		}
		st.Iterations += fa.Iterations
		st.Evaluations += fa.Evaluations
		st.History = append(st.History, fa.History...)
		if ferr != nil && !errors.Is(ferr, optimize.ErrLineSearch) {
			err = fmt.Errorf("balancing analysis: %w", ferr)
		} else if ferr != nil && err == nil {
			err = ferr
		}
		filt = fa.Trajectory
	}
	cyc.Params = ana.Params
	cyc.Stats = st
	return traj, filt, true, err
}

// score sets the cycle's RMSEs against the truth: the background and the analysis at the
// window's start, the scored analysis at its end, and the forecast Shift steps on.
func (r *twinRun) score(cyc *Cycle, w *Window, traj, filt [][]float64) {
	t0 := cyc.Step
	cyc.RMSEBackground = rmse(w.Xb, r.truth[t0])
	cyc.RMSEAnalysisStart = rmse(traj[0], r.truth[t0])
	copy(r.xa, filt[r.window])
	cyc.RMSEAnalysis = rmse(r.xa, r.truth[t0+r.window])
	Forecast(r.am, r.fc, r.xa, r.shift, r.work)
	cyc.RMSEForecast = rmse(r.fc, r.truth[t0+r.window+r.shift])
}

// advance appends the series over the steps the cycle owns, [t0, t0+shift), and sets the
// next background: the analysed trajectory at t0+shift.
func (r *twinRun) advance(t0 int, w *Window, traj [][]float64) error {
	s := &r.res.Series
	bg := append(r.bg[:0], w.Xb...)
	an := append(r.anTr[:0], traj[0]...)
	r.bg, r.anTr = bg, an
	for k := t0; k < t0+r.shift; k++ {
		s.Steps = append(s.Steps, k)
		for v, i := range s.Record {
			s.Truth[v] = append(s.Truth[v], r.truth[k][i])
			s.Background[v] = append(s.Background[v], bg[i])
			s.Analysis[v] = append(s.Analysis[v], an[i])
			if b, ok := r.obsAt[k]; ok && b.H.Name() == "identity" {
				s.ObsSteps[v] = append(s.ObsSteps[v], k)
				s.Obs[v] = append(s.Obs[v], b.Y[i])
			}
		}
		Forecast(r.am, bg, bg, 1, r.work)
		if k-t0+1 <= r.window {
			copy(an, traj[k-t0+1])
		} else {
			Forecast(r.am, an, an, 1, r.work)
		}
	}
	copy(r.xb, an)
	for _, v := range r.xb {
		if !finite(v) {
			return fmt.Errorf("%w: the forecast to the next window blew up", ErrDiverged)
		}
	}
	return nil
}

// record appends the cycle to the result, updates the summary and calls OnCycle.
func (r *twinRun) record(cyc *Cycle, start time.Time) error {
	cyc.WallSeconds = time.Since(start).Seconds()
	r.res.Cycles = append(r.res.Cycles, *cyc)
	r.res.Histories = append(r.res.Histories, cyc.History)
	r.res.Summary = summarise(r.res.Cycles, r.BurnIn)
	if r.OnCycle != nil {
		return r.OnCycle(&r.res.Cycles[len(r.res.Cycles)-1])
	}
	return nil
}

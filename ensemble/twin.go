package ensemble

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/adjunto/adjunto/fourdvar"
)

// Random streams of an ensemble twin, beside the fourdvar.Twin's own (truth, observations,
// ...), which are left untouched so that truth and observations are the 4DVar twin's.
const (
	streamMembers uint64 = iota + 101 // the first ensemble's perturbations
	streamCold                        // the free run a cold start draws its members from
	streamFilter                      // the stochastic EnKF's observation perturbations
	streamRotate                      // the iEnKS's random rotations
)

// ColdSpacing is the number of steps between the members of a cold-start ensemble taken
// from one free run: long enough for them to be nearly independent states of the
// climatology (about 5 time units of Lorenz-96 at dt = 0.05, 1 of Lorenz-63 at dt = 0.01).
const ColdSpacing = 100

// Twin is a cycled twin experiment of an ensemble filter or smoother on the truth and the
// observations of a fourdvar.Twin (Base): the same truth run, the same observations with the
// same errors (fourdvar.Twin.TruthRun), scored the same way. The method analyses at every
// observation time, 0, Δt_obs, …, (ObsTimes−1)·Δt_obs (the iEnKS every Shift of them), and
// the score of an analysis is the RMSE against the truth of the ensemble mean at the newest
// observation time it has used: the filter analysis. The truth is used only to score.
type Twin struct {
	// Base gives the model, the observation network (ObsEvery, Observe, ObsSigma), the
	// truth's start (X0, SpinUp), the model error of the truth run, the recorded variables
	// and the Seed; its window, shift and analysis settings are not used.
	Base *fourdvar.Twin
	// NewModel makes the model copies the members are propagated with, one per worker (a
	// model is not safe for concurrent use); nil means Base.Model with one worker.
	NewModel func() Model
	// Workers is the number of goroutines that propagate the members; zero means GOMAXPROCS.
	Workers int

	// Members is N, the ensemble size; zero means 20.
	Members int
	// Filter is the analysis at each observation time (EnKF, ETKF, LETKF); ignored when
	// Smoother is set.
	Filter Filter
	// Smoother, if not nil, runs the iEnKS instead of a filter.
	Smoother *IEnKS
	// Hybrid, if not nil, runs hybrid En-4DVar instead (its ensemble cycled by its own
	// filter).
	Hybrid *Hybrid
	// Balance, with an MDA smoother, scores a second (balancing) analysis of each window
	// that gives every observation of the window the weight earlier windows have not yet
	// given it (as fourdvar.Twin.Balance does); the next window still starts from the MDA
	// analysis. Without it the MDA analysis' end is scored.
	Balance bool

	// ObsTimes is the number of observation times; zero means 1000. BurnIn analyses are left
	// out of the averages.
	ObsTimes int
	BurnIn   int

	// Spread is the standard deviation of the first ensemble's members about the truth
	// (x_i = x_t + Spread·ε_i, a warm start, with ε_i = C^{1/2} ξ_i correlated by
	// Base.FirstBackground's C if it is set, else white); zero means 1.
	Spread float64
	// ColdStart draws the first ensemble from the model's climatology instead: the members
	// are states ColdSpacing steps apart of a free run from a start independent of the
	// truth, so that the first background is as far from the truth as a random state.
	ColdStart bool

	// OnCycle, if not nil, is called after each analysis with its record; an error stops
	// the run and is returned.
	OnCycle func(c *fourdvar.Cycle) error
}

// ErrDiverged reports an ensemble whose mean became NaN or infinite.
var ErrDiverged = errors.New("ensemble: diverged")

func (t *Twin) defaults() (members, obsTimes int, spread float64) {
	members, obsTimes, spread = t.Members, t.ObsTimes, t.Spread
	if members == 0 {
		members = 20
	}
	if obsTimes == 0 {
		obsTimes = 1000
	}
	if spread == 0 {
		spread = 1
	}
	return
}

// Validate checks the settings a user chooses; errors wrap fourdvar.ErrInput.
func (t *Twin) Validate() error {
	if t.Base == nil || t.Base.Model == nil {
		return fmt.Errorf("%w: ensemble twin without a base twin and model", fourdvar.ErrInput)
	}
	members, obsTimes, spread := t.defaults()
	bad := func(name string, v any, want string) error {
		return &fourdvar.SettingError{Setting: name, Value: v, Want: want}
	}
	switch {
	case members < 2:
		return bad("members", members, "≥ 2")
	case obsTimes < 1:
		return bad("obs-times", obsTimes, "≥ 1")
	case t.Filter == nil && t.Smoother == nil && t.Hybrid == nil:
		return fmt.Errorf("%w: ensemble twin without a filter or smoother", fourdvar.ErrInput)
	case !(spread > 0) || math.IsInf(spread, 0):
		return bad("spread", spread, "> 0")
	}
	if s := t.Smoother; s != nil {
		lag, shift, maxIter, tol := s.defaults()
		switch {
		case lag < 1:
			return bad("lag", lag, "≥ 1")
		case shift < 1 || shift > lag:
			return bad("shift", shift, fmt.Sprintf("in [1, %d] (the lag)", lag))
		case maxIter < 1:
			return bad("max-iter", maxIter, "≥ 1")
		case !(tol > 0):
			return bad("tol", tol, "> 0")
		case !(s.Inflation >= 0) || math.IsInf(s.Inflation, 0):
			return bad("inflation", s.Inflation, "≥ 0")
		case !(s.QuasiStaticGrowth >= 0) || math.IsInf(s.QuasiStaticGrowth, 0):
			return bad("quasi-static-growth", s.QuasiStaticGrowth, "≥ 0 and finite")
		}
	}
	if t.Smoother != nil && t.Hybrid != nil {
		return fmt.Errorf("%w: ensemble twin with both a smoother and a hybrid", fourdvar.ErrInput)
	}
	if h := t.Hybrid; h != nil && (!(h.BetaS >= 0) || !(h.BetaE >= 0) || !(h.Radius >= 0) || h.Lag < 0) {
		return fmt.Errorf("%w: hybrid β_s = %v, β_e = %v, radius %v, lag %d: want β, radius ≥ 0 and lag ≥ 0", fourdvar.ErrInput, h.BetaS, h.BetaE, h.Radius, h.Lag)
	}
	if t.Balance && (t.Smoother == nil || !t.Smoother.MDA) {
		return fmt.Errorf("%w: balance needs an MDA smoother", fourdvar.ErrInput)
	}
	cycles := t.cycles(obsTimes)
	if t.BurnIn < 0 || t.BurnIn >= cycles {
		return bad("burn-in", t.BurnIn, fmt.Sprintf("in [0, %d) (fewer than the analyses)", cycles))
	}
	return t.Base.Validate()
}

// cycles returns the number of analyses.
func (t *Twin) cycles(obsTimes int) int {
	if t.Smoother == nil {
		return obsTimes
	}
	_, shift, _, _ := t.Smoother.defaults()
	return (obsTimes + shift - 1) / shift
}

// Run runs the experiment. It returns the result so far together with an error when an
// analysis diverges or OnCycle fails.
func (t *Twin) Run() (*fourdvar.Result, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	members, obsTimes, spread := t.defaults()
	oe := t.Base.ObsEvery
	if oe == 0 {
		oe = 1
	}
	cycles := t.cycles(obsTimes)
	shiftTimes := 1
	if t.Smoother != nil {
		_, shiftTimes, _, _ = t.Smoother.defaults()
	}
	truth, obsAt, err := t.Base.TruthRun((obsTimes-1)*oe + shiftTimes*oe)
	if err != nil {
		return nil, err
	}
	newModel := t.NewModel
	workers := t.Workers
	if newModel == nil {
		newModel, workers = func() Model { return t.Base.Model }, 1
	}
	p := NewPropagator(newModel, workers)
	e := t.firstEnsemble(p, truth[0], members, spread)

	rec := t.Base.Record
	if rec == nil {
		for i := 0; i < 3 && i < p.Dim(); i++ {
			rec = append(rec, i)
		}
	}
	res := &fourdvar.Result{Series: fourdvar.Series{Record: rec}}
	s := &res.Series
	s.Truth = make([][]float64, len(rec))
	s.Background = make([][]float64, len(rec))
	s.Analysis = make([][]float64, len(rec))
	s.ObsSteps = make([][]int, len(rec))
	s.Obs = make([][]float64, len(rec))

	n := p.Dim()
	fc := make([]float64, n)
	work := make([]float64, 2*n)
	// finish scores and records one analysis.
	finish := func(cyc *fourdvar.Cycle, bg, an, an0 []float64, start int, ahead int, began time.Time) error {
		tc := cyc.Step
		for _, v := range an {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("analysis %d (step %d): %w: the ensemble mean is not finite", cyc.Cycle, tc, ErrDiverged)
			}
		}
		cyc.RMSEBackground = fourdvar.RMSE(bg, truth[tc])
		cyc.RMSEAnalysis = fourdvar.RMSE(an, truth[tc])
		cyc.RMSEAnalysisStart = fourdvar.RMSE(an0, truth[start])
		fourdvar.Forecast(p.Model(), fc, an, ahead, work)
		cyc.RMSEForecast = fourdvar.RMSE(fc, truth[tc+ahead])
		cyc.WallSeconds = time.Since(began).Seconds()
		s.Steps = append(s.Steps, tc)
		for v, i := range rec {
			s.Truth[v] = append(s.Truth[v], truth[tc][i])
			s.Background[v] = append(s.Background[v], bg[i])
			s.Analysis[v] = append(s.Analysis[v], an[i])
			if b, ok := obsAt[tc]; ok && b.H.Name() == "identity" {
				s.ObsSteps[v] = append(s.ObsSteps[v], tc)
				s.Obs[v] = append(s.Obs[v], b.Y[i])
			}
		}
		res.Cycles = append(res.Cycles, *cyc)
		res.Histories = append(res.Histories, cyc.History)
		res.Summary = fourdvar.Summarise(res.Cycles, t.BurnIn)
		if t.OnCycle != nil {
			return t.OnCycle(&res.Cycles[len(res.Cycles)-1])
		}
		return nil
	}

	if sm := t.Smoother; sm != nil {
		if sm.Rotate && sm.Rand == nil {
			sm.Rand = rand.New(rand.NewPCG(t.Base.Seed, streamRotate))
		}
		return res, t.runSmoother(p, e, obsAt, cycles, obsTimes, oe, finish)
	}
	if t.Hybrid != nil {
		return res, t.runHybrid(p, e, obsAt, obsTimes, oe, finish)
	}
	if f, ok := t.Filter.(*EnKF); ok && f.Rand == nil {
		f.Rand = rand.New(rand.NewPCG(t.Base.Seed, streamFilter))
	}
	bg := make([]float64, n)
	an := make([]float64, n)
	for k := range obsTimes {
		began := time.Now()
		tc := k * oe
		if k > 0 {
			p.Forecast(e, oe)
		}
		Mean(bg, e)
		cyc := fourdvar.Cycle{Cycle: k, Step: tc}
		if b, ok := obsAt[tc]; ok {
			t.Filter.Analyse(e, []fourdvar.Batch{b})
			cyc.NumObs = b.Len()
			cyc.Iterations, cyc.Evaluations = 1, 1
		}
		Mean(an, e)
		if err := finish(&cyc, bg, an, an, tc, oe, began); err != nil {
			return res, err
		}
	}
	return res, nil
}

// runSmoother cycles the iEnKS: window c ends at observation time k_c = c·S and starts at
// j_c = max(0, k_c − L).
func (t *Twin) runSmoother(p *Propagator, e *mat.Dense, obsAt map[int]fourdvar.Batch, cycles, obsTimes, oe int,
	finish func(*fourdvar.Cycle, []float64, []float64, []float64, int, int, time.Time) error) error {
	sm := t.Smoother
	lag, shift, _, _ := sm.defaults()
	end := func(c int) int { return min(c*shift, obsTimes-1) }
	start := func(c int) int { return max(0, end(c)-lag) }
	// lo returns the first observation time window c assimilates: with MDA every one after
	// its start (and time 0 in window 0), else those no earlier window assimilated.
	lo := func(c int) int {
		switch {
		case c == 0:
			return 0
		case sm.MDA:
			return start(c) + 1
		}
		return end(c-1) + 1
	}
	uses := map[int]int{}
	if sm.MDA {
		for c := range cycles {
			for k := lo(c); k <= end(c); k++ {
				uses[k]++
			}
		}
	}
	used := map[int]int{}
	n := p.Dim()
	an := make([]float64, n)
	an0 := make([]float64, n)
	batches := func(c int, balancing bool) []fourdvar.Batch {
		var obs []fourdvar.Batch
		for k := lo(c); k <= end(c); k++ {
			b, ok := obsAt[k*oe]
			if !ok {
				continue
			}
			b.Step = (k - start(c)) * oe
			if sm.MDA {
				nk := float64(uses[k])
				f := nk
				if balancing {
					f = nk / (nk - float64(used[k]))
				}
				b.Sigma = scaled(b.Sigma, math.Sqrt(f))
			}
			obs = append(obs, b)
		}
		return obs
	}
	for c := range cycles {
		began := time.Now()
		j, k := start(c), end(c)
		steps := (k - j) * oe
		keep := min((start(c+1)-j)*oe, steps)
		obs := batches(c, false)
		var bal []fourdvar.Batch
		if t.Balance {
			bal = batches(c, true)
		}
		for kk := lo(c); kk <= k; kk++ {
			used[kk]++
		}
		wa := sm.Analyse(p, e, steps, obs, keep)
		cyc := fourdvar.Cycle{Cycle: c, Step: k * oe, Stats: wa.Stats}
		for _, b := range obs {
			cyc.NumObs += b.Len()
		}
		Mean(an, wa.End)
		Mean(an0, wa.Start)
		if bal != nil {
			fa := sm.Analyse(p, e, steps, bal, keep)
			cyc.Iterations += fa.Stats.Iterations
			cyc.Evaluations += fa.Stats.Evaluations
			Mean(an, fa.End)
		}
		e = wa.Keep
		if err := finish(&cyc, wa.Background, an, an0, j*oe, shift*oe, began); err != nil {
			return err
		}
	}
	return nil
}

func scaled(v []float64, f float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x * f
	}
	return out
}

// firstEnsemble returns the ensemble of the first analysis: members about the truth (warm)
// or from the climatology (ColdStart).
func (t *Twin) firstEnsemble(p *Propagator, x0 []float64, members int, spread float64) *mat.Dense {
	n := p.Dim()
	e := mat.NewDense(members, n, nil)
	if !t.ColdStart {
		// With a Base.FirstBackground the members' errors have its correlations (on a 2-D
		// field white noise would be all grid-scale), scaled by spread.
		rng := rand.New(rand.NewPCG(t.Base.Seed, streamMembers))
		fb := t.Base.FirstBackground
		eps, d := make([]float64, n), make([]float64, n)
		for i := range members {
			for j := range eps {
				eps[j] = rng.NormFloat64()
			}
			copy(d, eps)
			if fb != nil {
				fb.SqrtMul(d, eps)
			}
			row := e.RawRowView(i)
			for j := range row {
				row[j] = x0[j] + spread*d[j]
			}
		}
		return e
	}
	rng := rand.New(rand.NewPCG(t.Base.Seed, streamCold))
	x := make([]float64, n)
	for j := range x {
		base := 8.0 // Lorenz-96's mean state
		if t.Base.X0 != nil {
			base = t.Base.X0[j]
		}
		x[j] = base + rng.NormFloat64()
	}
	m := p.Model()
	work := make([]float64, 2*n)
	spin := t.Base.SpinUp
	if spin == 0 {
		spin = 1000
	}
	fourdvar.Forecast(m, x, x, max(spin, 0), work)
	for i := range members {
		fourdvar.Forecast(m, x, x, ColdSpacing, work)
		copy(e.RawRowView(i), x)
	}
	return e
}

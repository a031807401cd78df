package fourdvar

import (
	"fmt"
	"math"
	"strings"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/optimize"
)

// Variant selects the cost function and the minimisation of each analysis.
type Variant string

// The variants of a twin experiment.
const (
	Strong4DVar      Variant = "4dvar"       // strong-constraint 4DVar over x_0, minimised by Twin.Minimizer
	ThreeDVar        Variant = "3dvar"       // 3DVar: a window of zero steps at each observation time
	Incremental4DVar Variant = "incremental" // strong-constraint 4DVar by outer loops and inner linear CG
	Weak4DVar        Variant = "weak"        // weak-constraint 4DVar with model-error covariance Twin.Q
	Params4DVar      Variant = "params"      // strong-constraint 4DVar over x_0 and the model parameters
)

// Variants lists the variants in the order the command line shows them.
func Variants() []Variant {
	return []Variant{Strong4DVar, ThreeDVar, Incremental4DVar, Weak4DVar, Params4DVar}
}

// ParseVariant returns the variant named s; it returns an error wrapping ErrInput naming the
// known ones otherwise.
func ParseVariant(s string) (Variant, error) {
	for _, v := range Variants() {
		if strings.EqualFold(s, string(v)) {
			return v, nil
		}
	}
	names := make([]string, 0, 5)
	for _, v := range Variants() {
		names = append(names, string(v))
	}
	return "", fmt.Errorf("%w: unknown variant %q (known: %s)", ErrInput, s, strings.Join(names, ", "))
}

// Twin is a cycled twin experiment: a truth run of the model, synthetic observations of it
// with seeded Gaussian errors, and a sequence of analyses, each window's background being the
// forecast of the previous analysis.
//
// Cycle c analyses the window [t_c, t_c + Window], t_c = c·Shift, with the observations in it
// that no earlier window assimilated: with Shift < Window the windows overlap and each
// observation is still assimilated once, when it first enters a window (as DAPPER's 4D-Var
// and the iEnKS with single data assimilation do), the overlap carrying the flow-dependent
// information of the longer window. The background of cycle c+1 is the analysed trajectory
// at t_c + Shift. The analysis that is scored is the state at the window's end (the newest
// observation time, the filter analysis), also given at its start (a smoother estimate).
//
// The zero value, with Model set, is strong-constraint 4DVar over windows of 8 steps with
// every variable observed every step with σ_o = 1 and B = I, for 100 cycles.
type Twin struct {
	// Model is the truth's model, with its current parameters as the truth's, and also the
	// assimilation's unless Assimilate is set (a perfect-model twin).
	Model Model
	// Assimilate is the model of the analyses and of the forecasts between them, when it
	// differs from the truth's (a learned surrogate, or a physical model with the wrong
	// parameters): an imperfect-model twin. It must have Model's dimension. Nil means Model.
	Assimilate Model

	Variant Variant // zero means Strong4DVar

	Window   int // K, steps per window; zero means 8 (ignored by 3DVar, whose window is 0)
	Shift    int // steps between analyses; zero means Window (ObsEvery for 3DVar)
	ObsEvery int // steps between observation times; zero means 1

	// Observe returns the observation operator at observation time step (a step of the
	// truth run); nil means Identity (every variable). Time-varying networks return
	// different operators at different steps; return nil for no observation at that step.
	Observe func(step int) *Operator
	// ObsSigma is σ_o, the observation error standard deviation (R = σ_o² I); zero means 1.
	ObsSigma float64

	// B is the static background error covariance; nil means the identity.
	B Covariance
	// FirstBackground is the covariance of the first cycle's background error x_b − x_t;
	// nil means B.
	FirstBackground Covariance

	// Q is the model-error covariance of one step for Weak4DVar; nil means 0.1² I.
	Q Covariance
	// ModelError is the standard deviation of a white additive error in each step of the
	// truth run, so that the model the assimilation uses is imperfect; zero means none.
	ModelError float64

	// ParamSigma is, for Params4DVar, the standard deviation of the error of the first
	// background parameters and of their background error in every cycle; zero means 1.
	ParamSigma float64

	// Minimizer minimises each cost (all variants but Incremental4DVar).
	Minimizer Minimizer
	// Incremental sets the outer and inner loops of Incremental4DVar.
	Incremental Incremental
	// StateControl minimises over x_0 rather than the control variable v (see Strong).
	StateControl bool
	// Checkpoint is the checkpointing policy of the analyses' adjoint sweeps (see
	// Strong.Checkpoint); nil means adjoint.StoreAll. It changes memory and time, not the
	// results.
	Checkpoint adjoint.Policy

	// MDA selects multiple data assimilation (Bocquet and Sakov, 2014): window c
	// assimilates every observation in (t_c, t_c + Window] (and step 0 in the first window),
	// each observation is assimilated in every window that contains it, and its error
	// variance is multiplied by the number of windows that use it, so that its total weight
	// over the run is R⁻¹. The default (false) is single data assimilation: each
	// observation once, when it first enters a window.
	MDA bool
	// Balance, with MDA, adds a second analysis per cycle for the filter estimate: the
	// cycled (MDA) analysis has given the newest observations only part of their weight,
	// so the balancing analysis starts from the same background and assimilates each
	// observation of the window with the weight that earlier windows have not yet given it
	// (σ² nₖ/(nₖ − uₖ) for an observation in nₖ windows, uₖ of them before this one). Its
	// state at the window's end is the scored analysis; the next background still comes
	// from the MDA analysis. Without Balance the scored analysis is the MDA analysis' end.
	Balance bool

	Cycles int // number of analyses; zero means 100
	BurnIn int // cycles left out of the averages; zero means none
	SpinUp int // steps of the truth run before the first window; zero means 1000, negative none

	// X0 is the truth's state before the spin-up; nil means 8 plus N(0, 1) noise in each
	// variable (Lorenz-96's attractor is reached from there).
	X0 []float64
	// Seed seeds every random draw: the truth's start, the observation errors, the first
	// background and the truth's model errors, each from its own stream.
	Seed uint64

	// Record lists the variables whose truth, background and analysis are kept over time for
	// figures; nil means the first three.
	Record []int

	// OnCycle, if not nil, is called after each cycle with its record; an error stops the run
	// and is returned.
	OnCycle func(c *Cycle) error
}

// Cycle is the record of one analysis of a twin experiment.
type Cycle struct {
	Cycle  int `json:"cycle"` // index, from 0
	Step   int `json:"step"`  // step of the truth run at the window's start
	NumObs int `json:"n_obs"` // scalar observations assimilated
	Stats

	RMSEBackground    float64   `json:"rmse_background"`     // x_b against the truth at the window's start
	RMSEAnalysis      float64   `json:"rmse_analysis"`       // analysis at the window's end
	RMSEAnalysisStart float64   `json:"rmse_analysis_start"` // analysis at the window's start
	RMSEForecast      float64   `json:"rmse_forecast"`       // forecast from the window's end, Shift steps on
	Params            []float64 `json:"params,omitempty"`    // analysed model parameters (Params4DVar)
	WallSeconds       float64   `json:"wall_time_s"`         // wall-clock time of the cycle
	Error             string    `json:"error,omitempty"`     // why the analysis failed, or a line-search failure
}

// Summary averages the cycles after the burn-in.
type Summary struct {
	Cycles            int     `json:"cycles"`              // cycles averaged
	BurnIn            int     `json:"burn_in"`             // cycles left out
	RMSEBackground    float64 `json:"rmse_background"`     // mean of Cycle.RMSEBackground
	RMSEAnalysis      float64 `json:"rmse_analysis"`       // mean of Cycle.RMSEAnalysis (window end)
	RMSEAnalysisStart float64 `json:"rmse_analysis_start"` // mean of Cycle.RMSEAnalysisStart
	RMSEForecast      float64 `json:"rmse_forecast"`       // mean of Cycle.RMSEForecast
	Iterations        float64 `json:"iterations"`          // mean per analysis
	Evaluations       float64 `json:"evaluations"`         // mean per analysis
	// GradReduction is the geometric mean of ‖∇J‖ final / initial.
	GradReduction float64 `json:"grad_reduction"`
	WallSeconds   float64 `json:"wall_time_s"` // total, all cycles
	Converged     int     `json:"converged"`   // analyses whose minimiser met a convergence test
}

// Series holds, for the recorded variables, the truth, the background (forecast) and the
// analysis at every step covered by the cycles run so far: step Steps[i] of variable
// Record[v] is Truth[v][i] etc.
type Series struct {
	Record     []int       // the recorded variables
	Steps      []int       // steps of the truth run
	Truth      [][]float64 // Truth[v][i]: variable Record[v] at Steps[i]
	Background [][]float64 // the forecast from the previous analysis
	Analysis   [][]float64 // the analysed trajectory
	// ObsSteps and Obs hold the observations of the recorded variables, when the operator
	// is the identity: Obs[v] at ObsSteps[v].
	ObsSteps [][]int     // steps of the observations of variable Record[v]
	Obs      [][]float64 // their values
}

// Result is the outcome of a twin experiment.
type Result struct {
	Cycles  []Cycle // one record per cycle run
	Summary Summary // averages after the burn-in
	Series  Series  // time series for figures
	// Histories[c] is J against iteration in cycle c.
	Histories [][]float64
}

func (t *Twin) defaults() (variant Variant, window, shift, obsEvery, cycles, spinUp int, sigmaO float64) {
	variant = t.Variant
	if variant == "" {
		variant = Strong4DVar
	}
	window = t.Window
	if window == 0 {
		window = 8
	}
	obsEvery = t.ObsEvery
	if obsEvery == 0 {
		obsEvery = 1
	}
	if variant == ThreeDVar {
		window = 0
	}
	shift = t.Shift
	if shift == 0 {
		shift = window
		if variant == ThreeDVar {
			shift = obsEvery
		}
	}
	cycles = t.Cycles
	if cycles == 0 {
		cycles = 100
	}
	spinUp = t.SpinUp
	switch {
	case spinUp == 0:
		spinUp = 1000
	case spinUp < 0:
		spinUp = 0
	}
	sigmaO = t.ObsSigma
	if sigmaO == 0 {
		sigmaO = 1
	}
	return
}

// SettingError reports a setting of a Twin out of its domain. Setting is named as the
// adjunto fourdvar flag that sets it ("window", "obs-sigma", ...). It matches ErrInput.
type SettingError struct {
	Setting string // the setting, named as its flag
	Value   any    // the value given
	Want    string // the domain, such as "≥ 1"
}

// Error names the setting, the value given and the domain wanted.
func (e *SettingError) Error() string {
	return fmt.Sprintf("%v: %s = %v, want %s", ErrInput, e.Setting, e.Value, e.Want)
}

// Unwrap returns ErrInput.
func (e *SettingError) Unwrap() error { return ErrInput }

// assimilate returns the model of the analyses.
func (t *Twin) assimilate() Model {
	if t.Assimilate != nil {
		return t.Assimilate
	}
	return t.Model
}

// Validate checks the settings a user chooses and returns an error wrapping ErrInput that
// names the offending one.
func (t *Twin) Validate() error {
	if t.Model == nil {
		return fmt.Errorf("%w: twin experiment without a model", ErrInput)
	}
	variant, window, shift, obsEvery, cycles, _, sigmaO := t.defaults()
	if _, err := ParseVariant(string(variant)); err != nil {
		return err
	}
	bad := func(name string, v any, want string) error {
		return &SettingError{Setting: name, Value: v, Want: want}
	}
	switch {
	case window < 0:
		return bad("window", window, "≥ 1")
	case shift < 1:
		return bad("shift", shift, "≥ 1")
	case variant != ThreeDVar && shift > window:
		return bad("shift", shift, fmt.Sprintf("≤ the window (%d steps): windows must meet or overlap", window))
	case obsEvery < 1:
		return bad("obs-every", obsEvery, "≥ 1")
	case cycles < 1:
		return bad("cycles", cycles, "≥ 1")
	case t.BurnIn < 0 || t.BurnIn >= cycles:
		return bad("burn-in", t.BurnIn, fmt.Sprintf("in [0, %d) (fewer than the cycles)", cycles))
	case !(sigmaO > 0) || math.IsInf(sigmaO, 0):
		return bad("obs-sigma", sigmaO, "> 0")
	case !(t.ModelError >= 0) || math.IsInf(t.ModelError, 0):
		return bad("model-error", t.ModelError, "≥ 0")
	case !(t.ParamSigma >= 0) || math.IsInf(t.ParamSigma, 0):
		return bad("param-sigma", t.ParamSigma, "≥ 0")
	case t.Assimilate != nil && t.Assimilate.Dim() != t.Model.Dim():
		return fmt.Errorf("%w: the assimilation's model has dimension %d, the truth's %d", ErrInput, t.Assimilate.Dim(), t.Model.Dim())
	case variant == Params4DVar && t.assimilate().NumParams() == 0:
		return fmt.Errorf("%w: variant params: the model has no parameters", ErrInput)
	case t.MDA && variant == ThreeDVar:
		return fmt.Errorf("%w: mda needs a window: 3DVar analyses each observation time once", ErrInput)
	case t.Balance && !t.MDA:
		return fmt.Errorf("%w: balance needs mda: only multiple data assimilation leaves observations part-weighted", ErrInput)
	case variant == ThreeDVar && shift%obsEvery != 0:
		return bad("shift", shift, fmt.Sprintf("a multiple of obs-every (%d) for 3DVar, which analyses at observation times", obsEvery))
	}
	n := t.Model.Dim()
	if t.X0 != nil && len(t.X0) != n {
		return bad("X0 length", len(t.X0), fmt.Sprint(n))
	}
	for _, v := range t.Record {
		if v < 0 || v >= n {
			return bad("record index", v, fmt.Sprintf("in [0, %d)", n))
		}
	}
	for _, c := range []Covariance{t.B, t.FirstBackground, t.Q} {
		if c != nil && c.Dim() != n {
			return fmt.Errorf("%w: covariance of size %d for model dimension %d", ErrInput, c.Dim(), n)
		}
	}
	if err := t.checkMemory(window, shift, obsEvery, cycles); err != nil {
		return err
	}
	if total := (cycles-1)*shift + window + shift; obsEvery > total {
		return bad("obs-every", obsEvery, fmt.Sprintf("≤ the %d steps of the run, which would see observations at step 0 only", total))
	}
	return nil
}

// Random streams of a twin experiment: each draw comes from its own PCG stream of Seed, so
// that changing one part (say the observation density) leaves the others' draws alone.
const (
	streamTruth uint64 = iota + 1
	streamObs
	streamBackground
	streamModelError
	streamParams
)

// schedule decides which observations each window of a twin experiment assimilates, and
// with which errors: the observations of the whole run are known in advance, and so is
// (from the windows alone, not from any value) how many windows use each of them.
type schedule struct {
	obsAt           map[int]Batch // the batches of the run, by step of the truth run
	window, shift   int
	mda, balance    bool
	lastAssimilated int         // single data assimilation: the last step assimilated so far
	uses, used      map[int]int // MDA: windows that assimilate step k, and how many have so far
}

func newSchedule(obsAt map[int]Batch, cycles, window, shift int, mda, balance bool) *schedule {
	s := &schedule{obsAt: obsAt, window: window, shift: shift, mda: mda, balance: balance && mda, lastAssimilated: -1}
	if mda {
		s.uses, s.used = make(map[int]int), make(map[int]int)
		for c := range cycles {
			lo, hi := s.span(c)
			for k := lo; k <= hi; k++ {
				if _, ok := obsAt[k]; ok {
					s.uses[k]++
				}
			}
		}
	}
	return s
}

// span returns the steps [lo, hi] of the truth run whose observations window c assimilates:
// with MDA all of (t_c, t_c + window], and step 0 too in the first window; otherwise those
// that no earlier window assimilated.
func (s *schedule) span(c int) (lo, hi int) {
	t0 := c * s.shift
	switch {
	case !s.mda:
		lo = max(t0, s.lastAssimilated+1)
	case c == 0:
		lo = 0
	default:
		lo = t0 + 1
	}
	return lo, t0 + s.window
}

// next returns the batches of window c, with steps relative to the window's start, and with
// MDA and balance those of its balancing analysis (nil otherwise). It must be called for
// c = 0, 1, … in order. With MDA an observation in n_k windows has its variance multiplied
// by n_k, so its weights 1/(n_k σ²) sum to 1/σ² over the run; in the balancing analysis of
// window c it has σ² n_k/(n_k − u_k), u_k being the windows before c that used it, the
// weight still missing from the background so that the filter analysis gives every
// observation of the window its full weight 1/σ².
func (s *schedule) next(c int) (obs, bal []Batch) {
	lo, hi := s.span(c)
	t0 := c * s.shift
	for k := lo; k <= hi; k++ {
		b, ok := s.obsAt[k]
		if !ok {
			continue
		}
		b.Step = k - t0
		if s.mda {
			nk := float64(s.uses[k])
			if s.balance {
				bb := b
				bb.Sigma = inflate(b.Sigma, nk/(nk-float64(s.used[k])))
				bal = append(bal, bb)
			}
			b.Sigma = inflate(b.Sigma, nk)
			s.used[k]++
		}
		obs = append(obs, b)
	}
	if s.balance && bal == nil {
		bal = []Batch{} // a window without observations still has a (trivial) balancing analysis
	}
	s.lastAssimilated = hi
	return obs, bal
}

// inflate returns sigma multiplied by √f, in a new slice: the batches of the run are shared.
func inflate(sigma []float64, f float64) []float64 {
	out := make([]float64, len(sigma))
	for j, v := range sigma {
		out[j] = v * math.Sqrt(f)
	}
	return out
}

// summarise averages the cycles from burnIn on (all of them if there are no more).
func summarise(cs []Cycle, burnIn int) Summary {
	s := Summary{BurnIn: burnIn}
	for _, c := range cs {
		s.WallSeconds += c.WallSeconds
	}
	from := burnIn
	if from >= len(cs) {
		from = 0
		s.BurnIn = 0
	}
	logRed := 0.0
	for _, c := range cs[from:] {
		if !finite(c.RMSEAnalysis) {
			continue // a failed cycle: no analysis to score
		}
		s.Cycles++
		s.RMSEBackground += c.RMSEBackground
		s.RMSEAnalysis += c.RMSEAnalysis
		s.RMSEAnalysisStart += c.RMSEAnalysisStart
		s.RMSEForecast += c.RMSEForecast
		s.Iterations += float64(c.Iterations)
		s.Evaluations += float64(c.Evaluations)
		if c.GradNormInitial > 0 {
			logRed += math.Log(c.GradReduction())
		}
		if st := c.Status; st == optimize.GradientConverged.String() || st == optimize.FunctionConverged.String() {
			s.Converged++
		}
	}
	if k := float64(s.Cycles); k > 0 {
		s.RMSEBackground /= k
		s.RMSEAnalysis /= k
		s.RMSEAnalysisStart /= k
		s.RMSEForecast /= k
		s.Iterations /= k
		s.Evaluations /= k
		s.GradReduction = math.Exp(logRed / k)
	}
	return s
}

// RMSE returns the root-mean-square difference of x and y.
func RMSE(x, y []float64) float64 {
	if len(x) != len(y) {
		panic(fmt.Sprintf("fourdvar: RMSE: lengths %d and %d", len(x), len(y)))
	}
	return rmse(x, y)
}

func rmse(x, y []float64) float64 {
	var s float64
	for i, v := range x {
		d := v - y[i]
		s += d * d
	}
	return math.Sqrt(s / float64(len(x)))
}

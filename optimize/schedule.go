package optimize

import (
	"encoding/json"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/adjunto/adjunto/internal/jsonnum"
)

// Schedule gives the learning rate as a function of a step or epoch count,
// as the schedulers of torch.optim.lr_scheduler do. A training loop calls
// Stepper.SetRate(s.Rate(epoch)) at the start of each epoch.
type Schedule interface {
	// Rate returns the learning rate for count t ≥ 0 (t = 0 is the start).
	Rate(t int) float64
	// Validate returns an error wrapping ErrSetting if a field is outside
	// its domain. Rate panics in that case.
	Validate() error
}

var (
	_ Schedule = StepDecay{}
	_ Schedule = ExponentialDecay{}
	_ Schedule = CosineDecay{}
)

// StepDecay multiplies the rate by Gamma every Every counts (PyTorch's StepLR):
//
//	η_t = Initial · Gamma^⌊t/Every⌋.
type StepDecay struct {
	Initial float64 // η₀ > 0
	Every   int     // period in counts, > 0
	Gamma   float64 // factor in (0, 1]; zero means 0.1
}

// Validate checks the fields.
func (s StepDecay) Validate() error {
	if err := checkPositive("StepDecay", "Initial", s.Initial); err != nil {
		return err
	}
	if s.Every <= 0 {
		return fmt.Errorf("%w: StepDecay: Every = %d, want > 0", ErrSetting, s.Every)
	}
	return checkFactor("StepDecay", orDefault(s.Gamma, 0.1))
}

// Rate returns η_t.
func (s StepDecay) Rate(t int) float64 {
	mustValidate(s)
	return s.Initial * math.Pow(orDefault(s.Gamma, 0.1), float64(t/s.Every))
}

// ExponentialDecay multiplies the rate by Gamma at every count (PyTorch's
// ExponentialLR): η_t = Initial · Gamma^t.
type ExponentialDecay struct {
	Initial float64 // η₀ > 0
	Gamma   float64 // factor in (0, 1]
}

// Validate checks the fields.
func (s ExponentialDecay) Validate() error {
	if err := checkPositive("ExponentialDecay", "Initial", s.Initial); err != nil {
		return err
	}
	return checkFactor("ExponentialDecay", s.Gamma)
}

// Rate returns η_t.
func (s ExponentialDecay) Rate(t int) float64 {
	mustValidate(s)
	return s.Initial * math.Pow(s.Gamma, float64(t))
}

// CosineDecay anneals the rate from Initial to Min over Period counts along
// half a cosine (Loshchilov and Hutter, 2017; PyTorch's CosineAnnealingLR):
//
//	η_t = Min + (Initial - Min)(1 + cos(π t/Period))/2,  0 ≤ t ≤ Period,
//
// and η_t = Min after Period (PyTorch's formula would rise again; a schedule
// that restarts is better written as t mod Period).
type CosineDecay struct {
	Initial float64 // η₀ > 0
	Min     float64 // final rate in [0, Initial]; default 0
	Period  int     // counts to reach Min, > 0
}

// Validate checks the fields.
func (s CosineDecay) Validate() error {
	if err := checkPositive("CosineDecay", "Initial", s.Initial); err != nil {
		return err
	}
	if !(s.Min >= 0 && s.Min <= s.Initial) {
		return fmt.Errorf("%w: CosineDecay: Min = %v, want in [0, Initial = %v]", ErrSetting, s.Min, s.Initial)
	}
	if s.Period <= 0 {
		return fmt.Errorf("%w: CosineDecay: Period = %d, want > 0", ErrSetting, s.Period)
	}
	return nil
}

// Rate returns η_t.
func (s CosineDecay) Rate(t int) float64 {
	mustValidate(s)
	if t >= s.Period {
		return s.Min
	}
	return s.Min + (s.Initial-s.Min)*(1+math.Cos(math.Pi*float64(t)/float64(s.Period)))/2
}

func checkFactor(name string, g float64) error {
	if !(g > 0 && g <= 1) {
		return fmt.Errorf("%w: %s: Gamma = %v, want in (0, 1]", ErrSetting, name, g)
	}
	return nil
}

func mustValidate(s Schedule) {
	if err := s.Validate(); err != nil {
		panic(err.Error())
	}
}

// ReduceOnPlateau lowers the learning rate when a monitored loss stops
// improving, as PyTorch's ReduceLROnPlateau in mode "min" with relative
// threshold: a loss L is an improvement if L < best·(1 - Threshold); after
// more than Patience observations without one, the rate is multiplied by
// Factor (not below MinRate) and Cooldown observations pass before counting
// again. The zero value with Initial set uses PyTorch's defaults.
type ReduceOnPlateau struct {
	Initial   float64 // starting rate η₀ > 0
	Factor    float64 // in (0, 1); zero means 0.1
	Patience  int     // zero means 10; a negative value means 0
	Threshold float64 // relative improvement; zero means 1e-4, negative means 0
	Cooldown  int     // observations to wait after a reduction; default 0
	MinRate   float64 // lower bound of the rate; default 0

	started  bool
	rate     float64
	best     float64
	bad      int
	cooldown int
}

// Validate checks the fields.
func (p *ReduceOnPlateau) Validate() error {
	if err := checkPositive("ReduceOnPlateau", "Initial", p.Initial); err != nil {
		return err
	}
	if f := orDefault(p.Factor, 0.1); !(f > 0 && f < 1) {
		return fmt.Errorf("%w: ReduceOnPlateau: Factor = %v, want in (0, 1)", ErrSetting, f)
	}
	if p.Cooldown < 0 {
		return fmt.Errorf("%w: ReduceOnPlateau: Cooldown = %d, want ≥ 0", ErrSetting, p.Cooldown)
	}
	return checkNonNeg("ReduceOnPlateau", "MinRate", p.MinRate)
}

// Rate returns the current learning rate.
func (p *ReduceOnPlateau) Rate() float64 {
	if !p.started {
		return p.Initial
	}
	return p.rate
}

// Observe records the loss of one epoch and returns the learning rate for
// the next. It panics if the settings are invalid (see Validate).
func (p *ReduceOnPlateau) Observe(loss float64) float64 {
	if !p.started {
		if err := p.Validate(); err != nil {
			panic(err.Error())
		}
		p.started, p.rate, p.best = true, p.Initial, math.Inf(1)
	}
	patience := p.Patience
	if patience == 0 {
		patience = 10
	}
	thr := p.Threshold
	if thr == 0 {
		thr = 1e-4
	}
	if loss < p.best*(1-math.Max(thr, 0)) {
		p.best, p.bad = loss, 0
	} else {
		p.bad++
	}
	if p.cooldown > 0 {
		p.cooldown--
		p.bad = 0
	}
	if p.bad > max(patience, 0) {
		// PyTorch skips reductions smaller than eps = 1e-8.
		if r := math.Max(p.rate*orDefault(p.Factor, 0.1), p.MinRate); p.rate-r > 1e-8 {
			p.rate = r
		}
		p.cooldown, p.bad = p.Cooldown, 0
	}
	return p.rate
}

// PlateauState is what a ReduceOnPlateau carries from one observation to the
// next: with the same settings, a rule restored to the state of another
// (SetState) returns, observation by observation, the rates the other would
// have returned, so that interrupted training resumes bit for bit. In JSON,
// Rate and Best are written as internal/jsonnum writes numbers: Best is +Inf
// until a loss has been observed, which JSON has no number for.
type PlateauState struct {
	// Rate is the current learning rate.
	Rate float64 `json:"rate"`
	// Best is the lowest loss observed (+Inf before the first observation).
	Best float64 `json:"best"`
	// BadEpochs counts the observations since the last improvement (or
	// reduction) that did not improve on Best; Cooldown the observations still
	// to pass after a reduction before they count again.
	BadEpochs int `json:"bad_epochs"`
	Cooldown  int `json:"cooldown"`
}

// plateauJSON is the JSON form of PlateauState.
type plateauJSON struct {
	Rate      jsonnum.Float `json:"rate"`
	Best      jsonnum.Float `json:"best"`
	BadEpochs int           `json:"bad_epochs"`
	Cooldown  int           `json:"cooldown"`
}

// MarshalJSON writes the state with Rate and Best as package jsonnum does.
func (s PlateauState) MarshalJSON() ([]byte, error) {
	return json.Marshal(plateauJSON{jsonnum.Float(s.Rate), jsonnum.Float(s.Best), s.BadEpochs, s.Cooldown})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *PlateauState) UnmarshalJSON(b []byte) error {
	var j plateauJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = PlateauState{float64(j.Rate), float64(j.Best), j.BadEpochs, j.Cooldown}
	return nil
}

// Validate returns an error wrapping ErrSetting, naming the field, for a
// state no ReduceOnPlateau can be in: a rate that is not finite and
// positive, a best loss that is NaN or −Inf, or a negative count.
func (s PlateauState) Validate() error {
	switch {
	case !(s.Rate > 0) || math.IsInf(s.Rate, 1):
		return fmt.Errorf("%w: ReduceOnPlateau state: rate = %v, want a finite value > 0", ErrSetting, s.Rate)
	case math.IsNaN(s.Best) || math.IsInf(s.Best, -1):
		return fmt.Errorf("%w: ReduceOnPlateau state: best = %v, want a finite value or +Inf", ErrSetting, s.Best)
	case s.BadEpochs < 0:
		return fmt.Errorf("%w: ReduceOnPlateau state: bad_epochs = %d, want ≥ 0", ErrSetting, s.BadEpochs)
	case s.Cooldown < 0:
		return fmt.Errorf("%w: ReduceOnPlateau state: cooldown = %d, want ≥ 0", ErrSetting, s.Cooldown)
	}
	return nil
}

// State returns the rule's state. Before the first observation it is the
// state the first observation starts from: rate Initial, best +Inf, no
// counts.
func (p *ReduceOnPlateau) State() PlateauState {
	if !p.started {
		return PlateauState{Rate: p.Initial, Best: math.Inf(1)}
	}
	return PlateauState{Rate: p.rate, Best: p.best, BadEpochs: p.bad, Cooldown: p.cooldown}
}

// SetState restores a state returned by State, after checking it (see
// PlateauState.Validate) and the settings (see Validate). The settings stay
// the receiver's: counts beyond its Patience or Cooldown take effect at the
// next observation.
func (p *ReduceOnPlateau) SetState(s PlateauState) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := s.Validate(); err != nil {
		return err
	}
	p.started, p.rate, p.best, p.bad, p.cooldown = true, s.Rate, s.Best, s.BadEpochs, s.Cooldown
	return nil
}

// ClipNorm rescales grad in place so that its Euclidean norm does not exceed
// maxNorm, and returns the norm it had, as PyTorch's clip_grad_norm_: if
// ‖g‖ > maxNorm then g ← g · maxNorm/(‖g‖ + 1e-6). Clipping keeps the
// direction of a gradient and bounds the step, the usual cure for exploding
// gradients. A non-finite norm is returned with grad left as it is, for the
// caller to stop on. ClipNorm panics if maxNorm is not positive.
func ClipNorm(grad []float64, maxNorm float64) float64 {
	if !(maxNorm > 0) {
		panic(fmt.Sprintf("optimize: ClipNorm: maxNorm = %v, want > 0", maxNorm))
	}
	norm := floats.Norm(grad, 2)
	if math.IsNaN(norm) || math.IsInf(norm, 0) {
		return norm
	}
	if c := maxNorm / (norm + 1e-6); c < 1 {
		floats.Scale(c, grad)
	}
	return norm
}

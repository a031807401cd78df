package fourdvar

import (
	"github.com/adjunto/adjunto/internal/limits"

	"fmt"
	"math"
	"strings"
)

// Published is an analysis RMSE from the literature for a standard setup.
type Published struct {
	Method string  // the method and its main settings
	RMSE   float64 // time-averaged analysis RMSE
	Source string  // where the number comes from
}

// Setup is a standard twin-experiment configuration of the literature, with the tuned
// cycled 4DVar that adjunto runs on it. The model is named rather than held, since fourdvar
// sees models only through the Model interface; the command line builds it.
type Setup struct {
	Name        string // the --setup name
	Description string // the setup and its source

	Model   string  // "lorenz96" or "lorenz63"
	N       int     // Lorenz-96 variables (ignored for Lorenz-63)
	Forcing float64 // Lorenz-96 forcing F
	Dt      float64 // model time step

	ObsEvery int     // steps between observation times (Δt_obs = ObsEvery·Dt)
	ObsSigma float64 // R = ObsSigma² I, every variable observed
	// ObsTimes is the number of observation times of the experiment and BurnInTimes how
	// many of the first ones are left out of the averages; Cycles converts them to analyses
	// for a given shift.
	ObsTimes    int // observation times of the experiment
	BurnInTimes int // observation times left out of the averages

	// The tuned 4DVar: window and shift in steps, static B (kind "gaussian", "identity" or
	// "climatology", standard deviation BSigma, length scale BLength), and how it was tuned.
	// Every preset analyses at every observation time (Shift = ObsEvery), so that its RMSE
	// is averaged over the same times as the published figures.
	Variant Variant // the tuned analysis
	Window  int     // window length in steps
	Shift   int     // steps between analyses
	MDA     bool    // multiple data assimilation (Twin.MDA)
	Balance bool    // the balancing filter analysis of MDA (Twin.Balance)
	B       string  // kind of B, for NewB
	BSigma  float64 // σ_b
	BLength float64 // length scale of a gaussian B
	Outer   int     // outer loops for Incremental4DVar
	Tuning  string  // how the settings were chosen

	Target    float64     // the analysis RMSE the issue asks for
	Published []Published // the literature's figures for this setup
}

// Setups returns the standard setups.
func Setups() []Setup {
	return []Setup{
		{
			Name: "sakov2008",
			Description: "Lorenz-96, N=40, F=8, dt=0.05, all variables observed every step, R=I " +
				"(Sakov and Oke, 2008; DAPPER mods/Lorenz96/sakov2008.py)",
			Model: "lorenz96", N: 40, Forcing: 8, Dt: 0.05,
			ObsEvery: 1, ObsSigma: 1, ObsTimes: 1000, BurnInTimes: 20,
			Variant: Strong4DVar, Window: 48, Shift: 1, MDA: true, Balance: true, B: "identity", BSigma: 0.05,
			Tuning: "analysis at every observation time; MDA with balancing over windows 4-48 steps, " +
				"σ_b 0.05-0.3, seed 1, then checked on seeds 2-4; single data assimilation at best 0.2247 " +
				"(window 10, σ_b 0.1) (fourdvar/RESULTS.md)",
			Target: 0.22,
			Published: []Published{
				{"3DVar", 0.41, "DAPPER benchmarks"},
				{"extended KF", 0.24, "DAPPER benchmarks"},
				{"EnKF (N=24)", 0.18, "Sakov and Oke (2008); DAPPER"},
			},
		},
		{
			Name: "bocquet2013",
			Description: "Lorenz-96, N=40, F=8, dt=0.05, all variables observed every 4 steps " +
				"(Δt_obs=0.2), R=I (Bocquet and Sakov, 2013)",
			Model: "lorenz96", N: 40, Forcing: 8, Dt: 0.05,
			ObsEvery: 4, ObsSigma: 1, ObsTimes: 1000, BurnInTimes: 20,
			Variant: Strong4DVar, Window: 48, Shift: 4, MDA: true, Balance: true, B: "identity", BSigma: 0.1,
			Tuning: "analysis at every observation time; MDA with balancing over windows 8-64 steps, " +
				"σ_b 0.07-0.3, seed 1, then checked on seeds 2-4; single data assimilation at best 0.3724 " +
				"(window 16, σ_b 0.15) (fourdvar/RESULTS.md)",
			Target: 0.33,
			Published: []Published{
				{"4DVar, window 1 obs interval", 0.46, "DAPPER benchmarks"},
				{"4DVar, window 2 obs intervals", 0.39, "DAPPER benchmarks"},
				{"4DVar, window 4 obs intervals", 0.37, "DAPPER benchmarks"},
				{"4DVar, window 6 obs intervals", 0.33, "Bocquet and Sakov (2013)"},
				{"iEnKS (N=20, window 4)", 0.31, "Bocquet and Sakov (2013)"},
			},
		},
		{
			Name: "sakov2012",
			Description: "Lorenz-63, dt=0.01, x, y, z observed every 25 steps (Δt_obs=0.25), R=2I " +
				"(Sakov, Oliver and Bertino, 2012)",
			Model: "lorenz63", Dt: 0.01,
			ObsEvery: 25, ObsSigma: 1.4142135623730951, ObsTimes: 1000, BurnInTimes: 20,
			Variant: Strong4DVar, Window: 50, Shift: 25, B: "identity", BSigma: 0.2,
			Tuning: "grid over window 25-100 steps, B identity/climatology, σ_b 0.1-2, seeds 1-3 " +
				"(fourdvar/RESULTS.md)",
			Target: 0.40,
			Published: []Published{
				{"3DVar", 1.04, "DAPPER benchmarks"},
				{"extended KF", 0.92, "DAPPER benchmarks"},
				{"EnKF (N=10)", 0.60, "Sakov, Oliver and Bertino (2012); DAPPER"},
				{"iEnKS (N=10)", 0.31, "Bocquet and Sakov (2012); DAPPER"},
			},
		},
	}
}

// LookupSetup returns the setup called name; an error wrapping ErrInput names the known ones
// otherwise.
func LookupSetup(name string) (Setup, error) {
	var names []string
	for _, s := range Setups() {
		if strings.EqualFold(s.Name, name) {
			return s, nil
		}
		names = append(names, s.Name)
	}
	return Setup{}, fmt.Errorf("%w: unknown setup %q (known: %s)", ErrInput, name, strings.Join(names, ", "))
}

// maxLengthCircles bounds the length scale of the gaussian B in circles of the state.
const maxLengthCircles = 100

// Gridded is implemented by models whose state is a field on a doubly periodic grid of ny
// rows of nx points (row-major), such as package qg's: NewB builds its correlations on that
// grid rather than on a ring.
type Gridded interface {
	GridShape() (nx, ny int)
}

// NewB returns a static background error covariance for model m by name: "identity"
// (σ² I), "gaussian" (σ² times the Gaussian correlation of length scale length on the
// circle, NewGaussianCircle, or on the grid of a Gridded model, NewGaussianGrid), "soar"
// (the SOAR correlation, NewSOAR, on the circle or the grid) or "climatology" (the
// covariance of a long free run of m,
// rescaled so that its mean variance is σ²: 2000 states 10 steps apart after 2000 steps,
// from a fixed start independent of any twin experiment's truth). Errors wrap ErrInput.
func NewB(kind string, m Model, sigma, length float64) (Covariance, error) {
	n := m.Dim()
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return nil, fmt.Errorf("%w: σ_b = %v, want > 0", ErrInput, sigma)
	}
	switch strings.ToLower(kind) {
	case "identity":
		return ScaledIdentity{N: n, Sigma: sigma}, nil
	case "gaussian":
		if !(length >= 0) || math.IsInf(length, 0) {
			return nil, fmt.Errorf("%w: length scale %v, want ≥ 0", ErrInput, length)
		}
		// Far beyond the circle the correlations are all 1 to round-off: B is singular, and
		// the periodic images the construction sums no longer fit an int.
		if length > maxLengthCircles*float64(n) {
			return nil, fmt.Errorf("%w: length scale %v, longer than %d times the circle of %d variables: B would be singular", ErrInput, length, maxLengthCircles, n)
		}
		if g, ok := m.(Gridded); ok {
			nx, ny := g.GridShape()
			return NewGaussianGrid(nx, ny, sigma, length), nil
		}
		return NewGaussianCircle(n, sigma, length), nil
	case "soar":
		if !(length > 0) || math.IsInf(length, 0) {
			return nil, fmt.Errorf("%w: length scale %v, want > 0", ErrInput, length)
		}
		nx, ny := n, 1
		if g, ok := m.(Gridded); ok {
			nx, ny = g.GridShape()
		}
		return NewSOAR(nx, ny, sigma, length), nil
	case "climatology":
		if err := limits.Values(fmt.Sprintf("covariance climatology of %d variables", n), "a dense matrix and its factor",
			limits.Product(n, n, 3)); err != nil {
			return nil, err
		}
		c := climatology(m)
		var tr float64
		for i := range n {
			tr += c.At(i, i)
		}
		return NewDense(c, sigma*sigma*float64(n)/tr)
	}
	return nil, fmt.Errorf("%w: unknown covariance %q (want gaussian, soar, identity or climatology)", ErrInput, kind)
}

// Twin returns the twin experiment of the setup on model m, which must be the setup's
// model (see Setup.Model), with the given seed.
func (s Setup) Twin(m Model, seed uint64) (*Twin, error) {
	b, err := NewB(s.B, m, s.BSigma, s.BLength)
	if err != nil {
		return nil, err
	}
	t := &Twin{
		Model: m, Variant: s.Variant, Window: s.Window, Shift: s.Shift, ObsEvery: s.ObsEvery,
		ObsSigma: s.ObsSigma, B: b, Seed: seed, MDA: s.MDA, Balance: s.Balance,
		Incremental: Incremental{Outer: s.Outer},
	}
	t.Cycles, t.BurnIn = s.Cycles(s.Shift)
	if s.Model == "lorenz63" {
		t.X0 = []float64{1, 1, 1}
	}
	return t, nil
}

// Cycles returns the number of analyses that cover the setup's observation times with
// analyses every shift steps, and the burn-in in analyses (rounded up, at least one).
func (s Setup) Cycles(shift int) (cycles, burnIn int) {
	if shift < 1 {
		shift = s.ObsEvery
	}
	steps := s.ObsTimes * s.ObsEvery
	cycles = max(1, steps/shift)
	burnIn = max(1, (s.BurnInTimes*s.ObsEvery+shift-1)/shift)
	return cycles, min(burnIn, cycles-1)
}

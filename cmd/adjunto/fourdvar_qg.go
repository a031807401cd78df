package main

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/models/qg"
)

// The documented default twin experiment on the quasi-geostrophic model (adjunto fourdvar
// --model qg), each value used where the flag is not set; README gives its results. The
// observing network follows Sakov and Oke's (2008): ψ observed every 4 steps (their
// Δt_obs = 5) at positions redrawn at every observation time (their tracks move too), here
// uniformly at random and interpolated bilinearly, but with σ_o = 0.5 rather than their 2,
// which is far above this model's cycled background error (fourdvar/RESULTS.md §5 has the
// grid σ_o, σ_b and L were tuned on).
var qgDefaults = map[string]string{
	"n":           "64",
	"window":      "20",
	"obs-every":   "4",
	"obs-sigma":   "0.5",
	"obs-density": "0.05",
	"obs-rotate":  "true",
	"b":           "gaussian",
	"b-sigma":     "0.2",
	"b-length":    "2",
	"cycles":      "20",
	"burn-in":     "10",
	"spinup":      fmt.Sprint(qg.DefaultSpinUp),
	"grad-tol":    "1e-4",
}

func isQG(model string) bool { return model == "qg" }

// qgFileDefaults are the flags of qgDefaults that an analysis of the user's files (--obs,
// --background) takes from the twin: its B and its stopping rule. The window, the cycles and
// the observing network are the files' and the flags'.
var qgFileDefaults = []string{"b", "b-sigma", "b-length", "grad-tol"}

// applyModelDefaults sets, for the QG model, every flag of qgDefaults the user did not set;
// with --obs, --background or --truth only those of qgFileDefaults, which it then marks set
// (the files' defaults of the Lorenz models, B = I and σ_b = 1, do not apply).
func (o *fourdvarOptions) applyModelDefaults(fsSet func(name, value string) error, set map[string]bool) error {
	if !isQG(o.model) {
		return nil
	}
	if set["obs"] || set["background"] || set["truth"] {
		for _, name := range qgFileDefaults {
			if !set[name] {
				if err := fsSet(name, qgDefaults[name]); err != nil {
					return fmt.Errorf("--%s: %w", name, err)
				}
				set[name] = true
			}
		}
		return nil
	}
	for name, v := range qgDefaults {
		if !set[name] {
			if err := fsSet(name, v); err != nil {
				return fmt.Errorf("--%s: %w", name, err)
			}
		}
	}
	// The default burn-in is half of the default cycles (the error settles by cycle 10), and
	// half of any other number of cycles, rather than the fifth that unset flags get.
	if !set["burn-in"] {
		o.burnIn = min(o.burnIn, o.cycles/2)
		set["burn-in"] = true
	}
	return nil
}

// qgFirstBackground is the error covariance of the first background of the QG twin,
// whatever B the analyses use: Gaussian with σ = 1 and a length of 3 grid points at 64²
// (the same physical length on other grids), so that B can be tuned from one start.
func qgFirstBackground(m *qg.Model) fourdvar.Covariance {
	return fourdvar.NewGaussianGrid(m.N, m.N, 1, 3*float64(m.N)/64)
}

// newQG builds the QG model on an n×n grid from the flags.
func (o *fourdvarOptions) newQG(n int) (fourdvar.Model, error) {
	m, err := qg.New(n)
	if err != nil {
		return nil, fmt.Errorf("--n: %w", err)
	}
	if o.dt != 0 {
		m.Dt = o.dt
	}
	if o.integrator != "rk4" {
		return nil, fmt.Errorf("--integrator %s: the qg model integrates with rk4 only", o.integrator)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("--n, --dt: %w", err)
	}
	return m, nil
}

// qgObserver returns the observing network on the QG grid: round(density·N²) points drawn
// uniformly from the seed, observed by bilinear interpolation; with --obs-rotate they are
// redrawn at every observation time (from the seed and the step), else fixed.
func (o *fourdvarOptions) qgObserver(m *qg.Model) (func(step int) *fourdvar.Operator, error) {
	if !(o.density > 0 && o.density <= 1) {
		return nil, fmt.Errorf("--obs-density %v: want a value in (0, 1]", o.density)
	}
	if o.h != "identity" && o.h != "linear" {
		return nil, fmt.Errorf("--obs-op %s: the qg model's observations are bilinear interpolations of ψ (identity)", o.h)
	}
	nobs := max(1, int(math.Round(o.density*float64(m.Dim()))))
	network := func(stream uint64) *fourdvar.Operator {
		rnd := rand.New(rand.NewPCG(o.seed, stream))
		pts := make([]fourdvar.Point, nobs)
		for i := range pts {
			pts[i] = fourdvar.Point{X: rnd.Float64() * float64(m.N), Y: rnd.Float64() * float64(m.N)}
		}
		h, err := fourdvar.Bilinear(m.N, m.N, pts)
		if err != nil {
			panic(err) // finite positions by construction
		}
		return h
	}
	if !o.rotate {
		h := network(0x6f6273)
		return func(int) *fourdvar.Operator { return h }, nil
	}
	return func(step int) *fourdvar.Operator { return network(0x6f6273 + uint64(step)) }, nil
}

// qgEnsembleDefaults are the flags of "adjunto ensemble --model qg": the truth and the
// observations of the 4DVar default (qgDefaults), scored at its observation times (100
// times every 4 steps span its 20 windows of 20 steps; the first 50 are the burn-in, as
// its first 10 cycles are), by an LETKF whose members start about the truth with the 4DVar
// twin's first-background covariance.
var qgEnsembleDefaults = map[string]string{
	"n":           qgDefaults["n"],
	"obs-every":   qgDefaults["obs-every"],
	"obs-sigma":   qgDefaults["obs-sigma"],
	"obs-density": qgDefaults["obs-density"],
	"obs-rotate":  qgDefaults["obs-rotate"],
	"spinup":      qgDefaults["spinup"],
	"obs-times":   "100",
	"burn-in":     "50",
	"method":      "letkf",
	"members":     "25",
	"radius":      "8",
	"inflation":   "1.05",
}

// applyQGEnsembleDefaults sets, for "adjunto ensemble --model qg", every flag of
// qgEnsembleDefaults the user did not set.
func (o *ensembleOptions) applyQGEnsembleDefaults(fsSet func(name, value string) error, set map[string]bool) error {
	if !isQG(o.model) {
		return nil
	}
	if o.setup != "" {
		return fmt.Errorf("--model qg with --setup %s: the setups are Lorenz models", o.setup)
	}
	for name, v := range qgEnsembleDefaults {
		if !set[name] {
			if err := fsSet(name, v); err != nil {
				return fmt.Errorf("--%s: %w", name, err)
			}
		}
	}
	return nil
}

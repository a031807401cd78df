package learn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/adjunto/adjunto/adjoint"
)

// Sentinel errors. Errors returned by this package wrap one of them.
var (
	// ErrInput: a setting or a data set that cannot be used (windows longer than the data,
	// a network that does not fit the model).
	ErrInput = errors.New("learn: invalid input")
	// ErrDiverged: a truth run, a cost or a gradient became NaN or ±Inf.
	ErrDiverged = errors.New("learn: diverged")
)

// Observations are noisy, partial observations of a model's states on a regular time grid:
// Y[j] observes the state at model step j·Every, with NaN for each variable not observed
// then. Every observed value has the error standard deviation Sigma.
type Observations struct {
	N     int         // variables per state
	Every int         // model steps between observation times, ≥ 1
	Sigma float64     // σ_o, the observation error standard deviation, > 0
	Y     [][]float64 // Y[j][i]: variable i at step j·Every, or NaN
}

// Steps returns the number of model steps the observations span, (len(Y) − 1)·Every.
func (o *Observations) Steps() int { return (len(o.Y) - 1) * o.Every }

// At returns the observation of the state at model step k, or nil when step k is not an
// observation time.
func (o *Observations) At(k int) []float64 {
	if k%o.Every != 0 || k/o.Every >= len(o.Y) {
		return nil
	}
	return o.Y[k/o.Every]
}

// Twin is a truth run of a model with synthetic observations of it: what parameter
// estimation and surrogate training learn from when no real data is at hand.
type Twin struct {
	// Truth[k] is the true state at model step k, k = 0 … Steps.
	Truth [][]float64
	// Obs observes Truth.
	Obs *Observations
}

// Observe runs model m from x0 for spinUp steps and then for steps more, keeping the truth,
// and observes it every every steps with Gaussian errors of standard deviation sigma. At each
// observation time a fraction of the variables is observed: with random set, a different
// random subset each time (as Brajard et al., 2020); otherwise a fixed evenly spaced subset.
// The noise and the subsets come from seed. It returns an error wrapping ErrDiverged when the
// truth run blows up, and ErrInput for settings out of their domains.
func Observe(m adjoint.Model, x0 []float64, spinUp, steps, every int, sigma, fraction float64, random bool, seed uint64) (*Twin, error) {
	n := m.Dim()
	switch {
	case len(x0) != n:
		return nil, fmt.Errorf("%w: initial state of length %d for a model of dimension %d", ErrInput, len(x0), n)
	case spinUp < 0 || steps < 1:
		return nil, fmt.Errorf("%w: truth run of %d steps after a spin-up of %d", ErrInput, steps, spinUp)
	case every < 1 || every > steps:
		return nil, fmt.Errorf("%w: observations every %d steps of a %d-step run", ErrInput, every, steps)
	case !(sigma > 0) || math.IsInf(sigma, 0):
		return nil, fmt.Errorf("%w: observation error σ_o = %v, want > 0", ErrInput, sigma)
	case !(fraction > 0 && fraction <= 1):
		return nil, fmt.Errorf("%w: observed fraction %v, want in (0, 1]", ErrInput, fraction)
	}
	x := append([]float64(nil), x0...)
	next := make([]float64, n)
	for k := range spinUp {
		m.Step(next, x)
		x, next = next, x
		if !finite(x) {
			return nil, fmt.Errorf("%w: the truth run blew up at spin-up step %d", ErrDiverged, k+1)
		}
	}
	truth := make([][]float64, steps+1)
	truth[0] = x
	for k := 1; k <= steps; k++ {
		truth[k] = make([]float64, n)
		m.Step(truth[k], truth[k-1])
		if !finite(truth[k]) {
			return nil, fmt.Errorf("%w: the truth run blew up at step %d", ErrDiverged, k)
		}
	}
	nobs := max(1, int(math.Round(fraction*float64(n))))
	rnd := rand.New(rand.NewPCG(seed, 0x6f6273))
	obs := &Observations{N: n, Every: every, Sigma: sigma}
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i * n / nobs // evenly spaced for the fixed network
	}
	for k := 0; k <= steps; k += every {
		y := make([]float64, n)
		for i := range y {
			y[i] = math.NaN()
		}
		if random {
			for i := range perm {
				perm[i] = i
			}
			rnd.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		}
		for _, i := range perm[:nobs] {
			y[i] = truth[k][i] + sigma*rnd.NormFloat64()
		}
		obs.Y = append(obs.Y, y)
	}
	return &Twin{Truth: truth, Obs: obs}, nil
}

func finite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

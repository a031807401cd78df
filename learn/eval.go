package learn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/adjunto/adjunto/adjoint"
)

// Lyapunov returns the leading Lyapunov exponent of model m, per unit of model time (dt is
// the model's time step), estimated along a trajectory from x0: a tangent vector is
// propagated with the TL model, StepTangent, over steps steps after a spin-up of spinUp
// steps of the trajectory and the vector, renormalised every step, and the exponent is the
// mean logarithmic growth rate (Benettin et al., 1980). For a surrogate the TL model is the
// engine's JVP of the network step, so the learned model's chaos is measured the same way as
// the truth's. It returns an error wrapping ErrDiverged when the trajectory blows up.
func Lyapunov(m adjoint.Model, x0 []float64, dt float64, spinUp, steps int, seed uint64) (float64, error) {
	n := m.Dim()
	if len(x0) != n || steps < 1 || spinUp < 0 || !(dt > 0) {
		return 0, fmt.Errorf("%w: Lyapunov: state of length %d for dimension %d, %d steps, dt %v", ErrInput, len(x0), n, steps, dt)
	}
	rnd := rand.New(rand.NewPCG(seed, 0x6c7961))
	x, y := append([]float64(nil), x0...), make([]float64, n)
	v, w := make([]float64, n), make([]float64, n)
	for i := range v {
		v[i] = rnd.NormFloat64()
	}
	normalise(v)
	sum := 0.0
	for k := range spinUp + steps {
		m.StepTangent(w, x, v, nil)
		m.Step(y, x)
		x, y = y, x
		g := normalise(w)
		v, w = w, v
		if !finite(x) || math.IsNaN(g) || math.IsInf(g, 0) || g == 0 {
			return 0, fmt.Errorf("%w: Lyapunov: the trajectory or its tangent blew up at step %d", ErrDiverged, k+1)
		}
		if k >= spinUp {
			sum += math.Log(g)
		}
	}
	return sum / (float64(steps) * dt), nil
}

// normalise scales v to unit length and returns its former length.
func normalise(v []float64) float64 {
	s := 0.0
	for _, a := range v {
		s += a * a
	}
	s = math.Sqrt(s)
	for i := range v {
		v[i] /= s
	}
	return s
}

// Skill is the forecast skill of a model against a truth run: the error of forecasts from
// the true states at many start times, lead time by lead time.
type Skill struct {
	// NRMSE[l] is the RMSE at lead l steps over all starts and variables, divided by the
	// truth's climatological standard deviation; NRMSE[0] is zero.
	NRMSE []float64
	// ValidSteps is the first lead at which NRMSE passes Threshold, or len(NRMSE) when it
	// never does within the leads computed.
	ValidSteps int
	// Threshold is the NRMSE that ends the valid time (0.5).
	Threshold float64
}

// ValidThreshold is the normalised RMSE that ends a forecast's valid time, as in Brajard et
// al. (2020) and Bocquet et al. (2020).
const ValidThreshold = 0.5

// Forecast scores model m against the truth run truth (truth[k] at model step k, with m's
// time step): it forecasts from truth[s] for each start s in starts, for leads steps, and
// returns the normalised RMSE by lead and the valid time. A nil m is persistence, the
// forecast that the state does not change. The climatological standard deviation is that of
// all of truth. A forecast that blows up counts as an infinite error from then on (its valid
// time ends there), not as an error.
func Forecast(m adjoint.Model, truth [][]float64, starts []int, leads int) (*Skill, error) {
	if len(truth) == 0 || len(starts) == 0 || leads < 1 {
		return nil, fmt.Errorf("%w: Forecast: %d truth states, %d starts, %d leads", ErrInput, len(truth), len(starts), leads)
	}
	n := len(truth[0])
	if m != nil && m.Dim() != n {
		return nil, fmt.Errorf("%w: Forecast: a model of dimension %d for states of %d", ErrInput, m.Dim(), n)
	}
	for _, s := range starts {
		if s < 0 || s+leads >= len(truth) {
			return nil, fmt.Errorf("%w: Forecast: a %d-step forecast from step %d runs past the truth's %d steps", ErrInput, leads, s, len(truth)-1)
		}
	}
	clim := climStd(truth)
	sq := make([]float64, leads+1)
	x, y := make([]float64, n), make([]float64, n)
	for _, s := range starts {
		copy(x, truth[s])
		for l := 1; l <= leads; l++ {
			if m != nil {
				m.Step(y, x)
				x, y = y, x
			}
			e := 0.0
			for i, v := range x {
				d := v - truth[s+l][i]
				e += d * d
			}
			if math.IsNaN(e) {
				e = math.Inf(1)
			}
			sq[l] += e
		}
	}
	sk := &Skill{NRMSE: make([]float64, leads+1), ValidSteps: leads + 1, Threshold: ValidThreshold}
	for l := 1; l <= leads; l++ {
		sk.NRMSE[l] = math.Sqrt(sq[l]/float64(len(starts)*n)) / clim
		if sk.NRMSE[l] > ValidThreshold && sk.ValidSteps > leads {
			sk.ValidSteps = l
		}
	}
	return sk, nil
}

// climStd returns the standard deviation of all values of the states, about their mean.
func climStd(states [][]float64) float64 {
	var s, s2 float64
	cnt := 0
	for _, x := range states {
		for _, v := range x {
			s += v
			s2 += v * v
			cnt++
		}
	}
	mean := s / float64(cnt)
	return math.Sqrt(s2/float64(cnt) - mean*mean)
}

package fourdvar

import (
	"fmt"
	"math/rand/v2"
)

// TruthRun returns the truth of the experiment over steps steps after its spin-up (truth[k]
// is the state at step k, k = 0 … steps) and its observations, one batch per observation
// time, by step: the same draws as Run makes, so that any method run on them (an ensemble
// filter, say) is scored on the same truth and the same observations as the 4DVar twin with
// the same settings and seed. The truth at a step, and the observation there, do not depend
// on steps. Settings are validated first.
func (t *Twin) TruthRun(steps int) (truth [][]float64, obsAt map[int]Batch, err error) {
	if err := t.Validate(); err != nil {
		return nil, nil, err
	}
	if steps < 0 {
		return nil, nil, &SettingError{Setting: "steps", Value: steps, Want: "≥ 0"}
	}
	return t.truthRun(steps)
}

// Summarise averages the records of cycles from burnIn on, as Result.Summary does.
func Summarise(cycles []Cycle, burnIn int) Summary { return summarise(cycles, burnIn) }

// truthRun is TruthRun on validated settings.
func (t *Twin) truthRun(total int) (truth [][]float64, obsAt map[int]Batch, err error) {
	_, _, _, obsEvery, _, spinUp, sigmaO := t.defaults()
	m := t.Model
	n := m.Dim()
	// The truth.
	x := make([]float64, n)
	if t.X0 != nil {
		copy(x, t.X0)
	} else {
		rng := rand.New(rand.NewPCG(t.Seed, streamTruth))
		for i := range x {
			x[i] = 8 + rng.NormFloat64()
		}
	}
	Forecast(m, x, x, spinUp, nil)
	for _, v := range x {
		if !finite(v) {
			return nil, nil, fmt.Errorf("%w: the truth run blew up during its spin-up of %d steps: the model is unstable (a smaller time step?)", ErrDiverged, spinUp)
		}
	}
	truth = make([][]float64, total+1)
	truth[0] = append([]float64(nil), x...)
	merr := rand.New(rand.NewPCG(t.Seed, streamModelError))
	for k := 1; k <= total; k++ {
		truth[k] = make([]float64, n)
		m.Step(truth[k], truth[k-1])
		if t.ModelError > 0 {
			for i := range truth[k] {
				truth[k][i] += t.ModelError * merr.NormFloat64()
			}
		}
		for _, v := range truth[k] {
			if !finite(v) {
				return nil, nil, fmt.Errorf("%w: the truth run blew up at step %d", ErrDiverged, k)
			}
		}
	}

	// The observations: one batch per observation time.
	observe := t.Observe
	if observe == nil {
		id := Identity(n)
		observe = func(int) *Operator { return id }
	}
	orng := rand.New(rand.NewPCG(t.Seed, streamObs))
	obsAt = make(map[int]Batch)
	for k := 0; k <= total; k += obsEvery {
		h := observe(k)
		if h == nil {
			continue
		}
		if h.In() != n {
			return nil, nil, fmt.Errorf("%w: observation operator %s at step %d takes states of length %d, model dimension %d",
				ErrInput, h.Name(), k, h.In(), n)
		}
		b := Batch{Step: k, H: h, Y: make([]float64, h.Out()), Sigma: make([]float64, h.Out())}
		h.Apply(b.Y, truth[k])
		for j := range b.Y {
			b.Sigma[j] = sigmaO
			b.Y[j] += sigmaO * orng.NormFloat64()
		}
		obsAt[k] = b
	}

	return truth, obsAt, nil
}

package fourdvar

import (
	"fmt"
	"math"

	"github.com/adjunto/adjunto/internal/limits"
)

// Memory estimates count values per stored state. An analysis over a window keeps the
// trajectory for the adjoint sweep and, per step, the model's stage states and tape records
// (four RK4 stages with their tangents); tapeFactor values per state and step is a generous
// bound, so that a refused run would surely not have fitted.
const tapeFactor = 16

// Validate checks a window built from user data and returns an error wrapping ErrInput for
// shapes that do not fit (which NewStrong and the other constructors take as programming
// errors and panic on), or wrapping limits.ErrTooLarge for a window too long for the
// machine's memory. Assimilator.Analyse calls it first.
func (w *Window) Validate() error {
	if w.Model == nil {
		return fmt.Errorf("%w: window without a model", ErrInput)
	}
	n := w.Model.Dim()
	switch {
	case n < 1:
		return fmt.Errorf("%w: model of dimension %d", ErrInput, n)
	case w.Steps < 0:
		return fmt.Errorf("%w: window of %d steps", ErrInput, w.Steps)
	case len(w.Xb) != n:
		return fmt.Errorf("%w: background of %d values for a model of %d variables", ErrInput, len(w.Xb), n)
	case w.B == nil || w.B.Dim() != n:
		return fmt.Errorf("%w: background covariance missing or not of size %d", ErrInput, n)
	}
	if w.Pb != nil {
		np := w.Model.NumParams()
		if len(w.Pb) != np || w.BP == nil || w.BP.Dim() != np {
			return fmt.Errorf("%w: parameter background of %d values (covariance set: %v) for %d model parameters", ErrInput, len(w.Pb), w.BP != nil, np)
		}
	}
	if err := limits.Values(fmt.Sprintf("a window of %d steps", w.Steps),
		fmt.Sprintf("%d stored states of %d variables, %d values each", w.Steps, n, tapeFactor),
		(float64(w.Steps)+1)*float64(n)*tapeFactor); err != nil {
		return err
	}
	for i := range w.Obs {
		b := &w.Obs[i]
		switch {
		case b.H == nil:
			return fmt.Errorf("%w: observation batch %d has no operator", ErrInput, i)
		case b.Step < 0 || b.Step > w.Steps:
			return fmt.Errorf("%w: observation batch %d at step %d outside the window [0, %d]", ErrInput, i, b.Step, w.Steps)
		case b.H.In() != n || len(b.Y) != b.H.Out() || len(b.Sigma) != b.H.Out():
			return fmt.Errorf("%w: observation batch %d: H %s maps %d -> %d, state length %d, %d values, %d sigmas",
				ErrInput, i, b.H.Name(), b.H.In(), b.H.Out(), n, len(b.Y), len(b.Sigma))
		}
		for j, s := range b.Sigma {
			if !(s > 0) || math.IsInf(s, 0) || math.IsNaN(b.Y[j]) || math.IsInf(b.Y[j], 0) {
				return fmt.Errorf("%w: observation batch %d, value %d: y = %v, σ = %v (want finite, σ > 0)", ErrInput, i, j, b.Y[j], s)
			}
		}
	}
	return nil
}

// checkMemory refuses a twin experiment whose truth run, observations and analysis windows
// would not fit in memory, or whose number of steps overflows an int. It runs before any of
// the int arithmetic on the sizes.
func (t *Twin) checkMemory(window, shift, obsEvery, cycles int) error {
	n := t.Model.Dim()
	total := float64(cycles-1)*float64(shift) + float64(window) + float64(shift) // steps of the truth run
	values := (total+1)*float64(n) +                                             // the truth
		(total/float64(obsEvery)+1)*float64(n)*2 + // observations and their σ
		float64(window+1)*float64(n)*tapeFactor // one analysis window
	return limits.Check(
		fmt.Sprintf("window %d, shift %d, cycles %d over %d variables", window, shift, cycles, n),
		fmt.Sprintf("a truth run of %.3g steps and windows of %d steps", total, window),
		max(total, values), values*limits.Float64)
}

// checkObsMemory refuses observations at a step so late that the window reaching it would not
// fit in memory for a state of n variables, naming the file and line.
func checkObsMemory(file string, o Obs, n int) error {
	if n == math.MaxInt { // ReadObs checks the syntax only; CheckObs comes with the model
		return nil
	}
	err := limits.Values(fmt.Sprintf("step %d", o.Step),
		fmt.Sprintf("a window of %d steps over %d variables", o.Step, n),
		(float64(o.Step)+1)*float64(n)*tapeFactor)
	if err != nil {
		return &InputError{File: file, Line: o.Line, Column: "step", Msg: err.Error()}
	}
	return nil
}

package fourdvar

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Obs is one scalar observation of a state variable: y = x_Step[Index] + ε, ε ~ N(0, Sigma²).
type Obs struct {
	Step  int     // time step: 0 is the background's time, k is k model steps later
	Index int     // 0-based index of the observed state variable
	Value float64 // the observed value y
	Sigma float64 // the error standard deviation σ > 0, so that R has σ² on its diagonal
	Line  int     // the line of the file it was read from; zero when it was not read
}

// Batch holds the observations made at one time step, y = H(x_Step) + ε with
// ε ~ N(0, diag(Sigma²)). A window has any number of batches at any steps, each with its own
// operator and errors: irregular observation times, time-varying H and time-varying R are the
// general case, not special ones. Two batches may share a step.
type Batch struct {
	Step  int       // time step within the window, 0 ≤ Step ≤ Steps
	H     *Operator // observation operator at this step
	Y     []float64 // observations, len H.Out()
	Sigma []float64 // error standard deviations, len H.Out(); R = diag(Sigma²)
}

// Len returns the number of scalar observations in b.
func (b *Batch) Len() int { return len(b.Y) }

// BatchesFromObs groups observations of a state of length n into one batch per time step, in
// increasing step order, each with a Subset operator over the observed indices. The order of
// observations within a step is kept. It panics on an out-of-range index; validate user input
// first with CheckObs.
func BatchesFromObs(n int, obs []Obs) []Batch {
	sorted := append([]Obs(nil), obs...)
	slices.SortStableFunc(sorted, func(a, b Obs) int { return cmp.Compare(a.Step, b.Step) })
	var out []Batch
	for i := 0; i < len(sorted); {
		j := i
		for j < len(sorted) && sorted[j].Step == sorted[i].Step {
			j++
		}
		idx := make([]int, 0, j-i)
		b := Batch{Step: sorted[i].Step}
		for _, o := range sorted[i:j] {
			idx = append(idx, o.Index)
			b.Y = append(b.Y, o.Value)
			b.Sigma = append(b.Sigma, o.Sigma)
		}
		b.H = Subset(n, idx)
		out = append(out, b)
		i = j
	}
	return out
}

// ErrInput is wrapped by every error about user-supplied observations, states and settings.
var ErrInput = errors.New("fourdvar: invalid input")

// InputError locates a bad value of user input: the file (or flag), the line and the column.
type InputError struct {
	File   string // file name, or a flag such as "--obs-sigma"
	Line   int    // 1-based line; zero when not from a file
	Column string // column name; empty when the whole row or file is at fault
	Msg    string // what is wrong
}

// Error implements the error interface as "file:line: column c: message".
func (e *InputError) Error() string {
	s := e.File
	if e.Line > 0 {
		s += fmt.Sprintf(":%d", e.Line)
	}
	if e.Column != "" {
		s += ": column " + e.Column
	}
	return s + ": " + e.Msg
}

// Unwrap returns ErrInput.
func (e *InputError) Unwrap() error { return ErrInput }

// CheckObs checks observations of a state of length n in a window of steps steps (steps < 0
// means any step ≥ 0 is allowed): each index in [0, n), each step in [0, steps], each value
// finite, each sigma finite and > 0. The error names file and the observation's line.
func CheckObs(file string, obs []Obs, n, steps int) error {
	if len(obs) == 0 {
		return &InputError{File: file, Msg: "no observations"}
	}
	for _, o := range obs {
		bad := func(col, format string, a ...any) error {
			return &InputError{File: file, Line: o.Line, Column: col, Msg: fmt.Sprintf(format, a...)}
		}
		switch {
		case o.Step < 0:
			return bad("step", "step %d is negative", o.Step)
		case steps >= 0 && o.Step > steps:
			return bad("step", "step %d is beyond the window of %d steps", o.Step, steps)
		case o.Index < 0 || o.Index >= n:
			return bad("index", "index %d out of range [0, %d) for a state of %d variables", o.Index, n, n)
		case math.IsNaN(o.Value) || math.IsInf(o.Value, 0):
			return bad("value", "value %v is not finite", o.Value)
		case !(o.Sigma > 0) || math.IsInf(o.Sigma, 0):
			return bad("sigma", "sigma %v must be finite and > 0", o.Sigma)
		}
		if err := checkObsMemory(file, o, n); err != nil {
			return err
		}
	}
	return nil
}

// checkBatches panics on a batch that does not fit a window of steps steps over states of
// length n: a programming error, since user input is validated by CheckObs.
func checkBatches(op string, n, steps int, obs []Batch) {
	for i := range obs {
		b := &obs[i]
		if b.H == nil {
			panic(fmt.Sprintf("fourdvar: %s: batch %d has no operator", op, i))
		}
		if b.Step < 0 || b.Step > steps {
			panic(fmt.Sprintf("fourdvar: %s: batch %d at step %d outside the window [0, %d]", op, i, b.Step, steps))
		}
		if b.H.In() != n || len(b.Y) != b.H.Out() || len(b.Sigma) != b.H.Out() {
			panic(fmt.Sprintf("fourdvar: %s: batch %d: H %s maps %d -> %d, state length %d, %d values, %d sigmas",
				op, i, b.H.Name(), b.H.In(), b.H.Out(), n, len(b.Y), len(b.Sigma)))
		}
		for j, s := range b.Sigma {
			if !(s > 0) {
				panic(fmt.Sprintf("fourdvar: %s: batch %d: sigma[%d] = %v, want > 0", op, i, j, s))
			}
		}
	}
}

package fourdvar

import "fmt"

// Window is one assimilation window: the model, the background at the window's start and its
// error covariance, and the observations at steps 0 … Steps. Step 0 is the time of the
// background (3DVar is the window with Steps = 0).
type Window struct {
	Model Model      // the model, which fixes the time step
	Steps int        // K, the number of model steps in the window
	Xb    []float64  // background state x_b at step 0, len Model.Dim()
	B     Covariance // background error covariance, Dim() = Model.Dim()
	Obs   []Batch    // observations, at steps in [0, Steps]

	// Pb and BP, when Pb is not nil, add the model parameters to the control vector: Pb is
	// their background (prior) value, BP its error covariance. When Pb is nil the
	// parameters are those of Model, fixed.
	Pb []float64  // background parameters
	BP Covariance // their error covariance
}

// NumObs returns the number of scalar observations in the window.
func (w *Window) NumObs() int {
	m := 0
	for i := range w.Obs {
		m += w.Obs[i].Len()
	}
	return m
}

// check panics on inconsistent shapes, naming op.
func (w *Window) check(op string) {
	if w.Model == nil {
		panic(fmt.Sprintf("fourdvar: %s: Window.Model is nil", op))
	}
	n := w.Model.Dim()
	if w.Steps < 0 {
		panic(fmt.Sprintf("fourdvar: %s: window of %d steps", op, w.Steps))
	}
	if len(w.Xb) != n {
		panic(fmt.Sprintf("fourdvar: %s: background of length %d for model dimension %d", op, len(w.Xb), n))
	}
	if w.B == nil || w.B.Dim() != n {
		panic(fmt.Sprintf("fourdvar: %s: B missing or of the wrong size for model dimension %d", op, n))
	}
	if w.Pb != nil {
		np := w.Model.NumParams()
		if len(w.Pb) != np || w.BP == nil || w.BP.Dim() != np {
			panic(fmt.Sprintf("fourdvar: %s: parameter background of length %d (covariance set: %v) for %d model parameters",
				op, len(w.Pb), w.BP != nil, np))
		}
	}
	checkBatches(op, n, w.Steps, w.Obs)
}

// byStep returns, for each step 0 … Steps, the indices of the batches at that step.
func (w *Window) byStep() [][]int {
	s := make([][]int, w.Steps+1)
	for i := range w.Obs {
		k := w.Obs[i].Step
		s[k] = append(s[k], i)
	}
	return s
}

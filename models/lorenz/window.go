package lorenz

import "fmt"

// Window is the map (x_0, p) ↦ x_K of K steps of a model, with its tangent-linear and
// adjoint models: the composite that 4DVar differentiates, and what the dot-product and
// Taylor tests check over long windows.
//
// Linearize stores the trajectory from x_0; Tangent and Adjoint then run the steps' TL
// forwards and AD backwards along it, as often as needed. The zero value is not usable: set
// Model and Steps. A Window is not safe for concurrent use.
type Window struct {
	// Model is the step.
	Model Model
	// Steps is K ≥ 0.
	Steps int

	traj       [][]float64
	a, b, c, d []float64
}

// Linearize stores the trajectory x_0 … x_K from x0 with the model's current parameters. It
// returns a *BlowUpError when a state becomes non-finite, and an error wrapping ErrInvalid
// for Steps < 0.
func (w *Window) Linearize(x0 []float64) error {
	traj, err := Trajectory(w.Model, x0, w.Steps)
	if err != nil {
		w.traj = nil
		return err
	}
	w.traj = traj
	n := len(x0)
	w.a, w.b, w.c, w.d = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	return nil
}

// State returns x_k of the stored trajectory; it aliases the Window's storage.
func (w *Window) State(k int) []float64 {
	w.check("State")
	return w.traj[k]
}

func (w *Window) check(op string) {
	if w.traj == nil {
		panic("lorenz: Window." + op + ": call Linearize first")
	}
}

// Tangent sets dy = ∂x_K/∂x_0 · dx0 + ∂x_K/∂p · dp (dp nil: zero) along the stored trajectory.
func (w *Window) Tangent(dy, dx0, dp []float64) {
	w.check("Tangent")
	if len(dy) != len(w.a) || len(dx0) != len(w.a) {
		panic(fmt.Sprintf("lorenz: Window.Tangent: vectors of length %d and %d for dimension %d", len(dy), len(dx0), len(w.a)))
	}
	dx, next := w.a, w.b
	copy(dx, dx0)
	for k := 0; k < w.Steps; k++ {
		w.Model.StepTangent(next, w.traj[k], dx, dp)
		dx, next = next, dx
	}
	copy(dy, dx)
}

// Adjoint accumulates ax0 += (∂x_K/∂x_0)ᵀ ay and, when ap is not nil, ap += (∂x_K/∂p)ᵀ ay,
// by a reverse sweep along the stored trajectory.
func (w *Window) Adjoint(ax0, ap, ay []float64) {
	w.check("Adjoint")
	if len(ax0) != len(w.a) || len(ay) != len(w.a) {
		panic(fmt.Sprintf("lorenz: Window.Adjoint: vectors of length %d and %d for dimension %d", len(ax0), len(ay), len(w.a)))
	}
	a, prev := w.c, w.d
	copy(a, ay)
	for k := w.Steps - 1; k >= 0; k-- {
		clear(prev)
		w.Model.StepAdjoint(prev, ap, w.traj[k], a)
		a, prev = prev, a
	}
	for i, v := range a {
		ax0[i] += v
	}
}

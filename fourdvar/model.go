package fourdvar

import "fmt"

// Model is a discrete dynamical model x_{k+1} = M(x_k; p) with its tangent-linear and
// adjoint steps. fourdvar sees a model only through this interface; package models/lorenz
// implements it with hand-fused TL and AD steps, and any user type can too.
//
// Implementations fix their own time step and integrator: one call of Step is one time step.
// The three step methods must not allocate: a 4DVar cost calls them K times per evaluation.
type Model interface {
	// Dim returns the size of the state vector.
	Dim() int

	// Step sets dst = M(x), one time step. dst and x do not overlap.
	Step(dst, x []float64)

	// StepTangent sets dy = M'(x) dx + M_p(x) dp, the tangent-linear step (a JVP) about x.
	// A nil dp is read as zero.
	StepTangent(dy, x, dx, dp []float64)

	// StepAdjoint accumulates ax += M'(x)ᵀ ay and, when ap is not nil, ap += M_p(x)ᵀ ay:
	// the adjoint step (a VJP) about x. It adds, never assigns.
	StepAdjoint(ax, ap, x, ay []float64)

	// NumParams returns the number of model parameters p (for example the forcing F of
	// Lorenz-96).
	NumParams() int

	// Params returns the current parameters. The caller must not modify the slice.
	Params() []float64

	// SetParams sets the parameters used by the next steps.
	SetParams(p []float64)
}

// Forecast integrates m for steps steps from x and writes the final state into dst. dst and x
// may be the same slice. work, if it has length ≥ 2·Dim(), is used as scratch; otherwise
// Forecast allocates it.
func Forecast(m Model, dst, x []float64, steps int, work []float64) {
	n := m.Dim()
	if len(dst) != n || len(x) != n {
		panic(fmt.Sprintf("fourdvar: Forecast: state lengths %d and %d for model dimension %d", len(dst), len(x), n))
	}
	if steps < 0 {
		panic(fmt.Sprintf("fourdvar: Forecast: %d steps", steps))
	}
	if len(work) < 2*n {
		work = make([]float64, 2*n)
	}
	a, b := work[:n], work[n:2*n]
	copy(a, x)
	for range steps {
		m.Step(b, a)
		a, b = b, a
	}
	copy(dst, a)
}

// Trajectory integrates m for steps steps from x0 and returns the states x_0 … x_steps as
// rows of one (steps+1)·Dim() backing array.
func Trajectory(m Model, x0 []float64, steps int) [][]float64 {
	n := m.Dim()
	if len(x0) != n {
		panic(fmt.Sprintf("fourdvar: Trajectory: state length %d for model dimension %d", len(x0), n))
	}
	buf := make([]float64, (steps+1)*n)
	traj := make([][]float64, steps+1)
	for k := range traj {
		traj[k] = buf[k*n : (k+1)*n : (k+1)*n]
	}
	copy(traj[0], x0)
	for k := 1; k <= steps; k++ {
		m.Step(traj[k], traj[k-1])
	}
	return traj
}

package fourdvar

import (
	"fmt"

	"github.com/adjunto/adjunto/adjoint"
)

// Model is the model contract of the engine, adjoint.Model: one step x_{k+1} = M(x_k; p) with
// its tangent-linear and adjoint steps. fourdvar sees a model only through this interface;
// package models/lorenz implements it with hand-fused TL and AD steps, and any user type can
// too.
type Model = adjoint.Model

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

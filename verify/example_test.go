package verify_test

import (
	"fmt"
	"math"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/verify"
)

// A program recorded on a tape is checked on the tape's own sweeps.
func ExampleTape() {
	build := func(t *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
		// A one-layer network's output: tanh(W x + b).
		return adjoint.Tanh(adjoint.Dense(xs[0], xs[1], xs[2]))
	}
	inputs := []verify.Input{
		{Data: []float64{0.5, -1, 2}},                                       // x, a vector (1×3)
		{Data: []float64{0.1, 0.2, -0.3, 0.4, -0.5, 0.6}, Rows: 2, Cols: 3}, // W
		{Data: []float64{0.01, -0.02}},                                      // b
	}
	reports := verify.Tape("tanh-dense", build, inputs, verify.Settings{Seed: 1})
	for _, r := range reports {
		fmt.Println(r.Name, r.Test, r.Pass)
	}
	// Output:
	// tanh-dense dot-product true
	// tanh-dense taylor true
	// tanh-dense gradient true
	// tanh-dense finite-difference true
}

// Hand-written TL and AD code needs no tape: here the map M(x) = (x₀x₁, sin x₀) and an adjoint
// with an index slip, which the dot-product test catches.
func ExampleDotProduct() {
	x := []float64{0.3, 2}
	tangent := func(dy, dx []float64) {
		dy[0] = x[1]*dx[0] + x[0]*dx[1]
		dy[1] = math.Cos(x[0]) * dx[0]
	}
	adjointOK := func(ax, ay []float64) {
		ax[0] += x[1]*ay[0] + math.Cos(x[0])*ay[1]
		ax[1] += x[0] * ay[0]
	}
	adjointBad := func(ax, ay []float64) {
		ax[0] += x[1]*ay[0] + math.Cos(x[0])*ay[1]
		ax[1] += x[0] * ay[1] // should be ay[0]
	}
	fmt.Println(verify.DotProduct("M", 2, 2, tangent, adjointOK, nil, 0).Pass)
	fmt.Println(verify.DotProduct("M", 2, 2, tangent, adjointBad, nil, 0).Pass)
	// Output:
	// true
	// false
}

// The gradient test prints its convergence table: the ratio tends to 1 as α shrinks, until
// round-off takes over.
func ExampleGradientTest() {
	f := func(x []float64) float64 { return x[0]*x[0] + 3*x[1] }
	grad := []float64{2, 3} // at x = (1, 0)
	r := verify.GradientTest("f", f, grad, []float64{1, 0}, []float64{1, 1}, 0)
	for _, row := range r.Table[:4] {
		fmt.Printf("%.0e %.4f\n", row.Alpha, row.Ratio)
	}
	fmt.Println(r.Pass)
	// Output:
	// 1e-01 1.0200
	// 1e-02 1.0020
	// 1e-03 1.0002
	// 1e-04 1.0000
	// true
}

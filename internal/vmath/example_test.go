package vmath_test

import (
	"fmt"

	"github.com/adjunto/adjunto/internal/vmath"
)

func ExampleTanh() {
	x := []float64{-20, -1, 0, 0.5, 3}
	y := make([]float64, len(x))
	vmath.Tanh(y, x)
	for i := range x {
		fmt.Printf("tanh(%g) = %.12f\n", x[i], y[i])
	}
	// Output:
	// tanh(-20) = -1.000000000000
	// tanh(-1) = -0.761594155956
	// tanh(0) = 0.000000000000
	// tanh(0.5) = 0.462117157260
	// tanh(3) = 0.995054753687
}

// ExampleTanhChain backpropagates through tanh: the adjoint of x from its value y = tanh x
// and the adjoint of y, added into what x already holds.
func ExampleTanhChain() {
	y := []float64{0, 0.5, -0.9}
	ybar := []float64{1, 2, 1}
	xbar := []float64{10, 0, 0}
	vmath.TanhChain(xbar, ybar, y, true)
	fmt.Println(xbar)
	// Output:
	// [11 1.5 0.18999999999999995]
}

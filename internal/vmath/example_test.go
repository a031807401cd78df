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

package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/adjunto/adjunto/nn"
	"github.com/adjunto/adjunto/optimize"
)

// The course's network: 1-100-1 with tanh, trained with Adam on y = sin(3x) plus noise of
// standard deviation 0.1, so that a good fit has a mean squared error near 0.01.
func Example() {
	rng := rand.New(rand.NewPCG(1, 2))
	const N = 1000
	x, y := make([]float64, N), make([]float64, N)
	for i := range x {
		x[i] = 2*rng.Float64() - 1
		y[i] = math.Sin(3*x[i]) + 0.1*rng.NormFloat64()
	}
	d, _ := nn.NewDataset(x, y, N, 1, 1)
	net, _ := nn.NewMLP("1-100-1:tanh", nn.MLPOptions{}, nn.Config{Seed: 1})
	_, err := nn.Train(net, d, nil, nn.TrainConfig{
		Method: &optimize.Adam{LearningRate: 1e-2}, Epochs: 200, BatchSize: 64, DropLast: true, Seed: 1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The course's J is half the mean squared error for one output.
	fmt.Printf("%d parameters, training MSE %.3f\n", net.NumParams(), 2*net.Loss(d))
	// Output:
	// 301 parameters, training MSE 0.010
}

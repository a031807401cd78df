package nn_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/nn"
	"github.com/adjunto/adjunto/optimize"
	"github.com/adjunto/adjunto/verify"
)

// Scale is a user-defined layer: y = a·x with one learned scalar a, starting at Init. It is
// written outside package nn, against nn.Layer alone.
type Scale struct {
	Init float64 `json:"init"`
}

// Kind names the layer in model files.
func (Scale) Kind() string { return "scale" }

// Setup keeps the width and declares one parameter.
func (Scale) Setup(in int) (nn.Shape, error) {
	if in == 0 {
		return nn.Shape{}, fmt.Errorf("scale: needs an input width")
	}
	return nn.Shape{In: in, Out: in, Params: 1}, nil
}

// Record records a·x, the scalar broadcast by the engine's Mul.
func (Scale) Record(r *nn.Recorder, h *adjoint.Value) *adjoint.Value {
	return adjoint.Mul(r.Param(1, 1), h)
}

// InitLayer sets a.
func (l Scale) InitLayer(params, _ []float64, _ int, _ nn.InitScheme, _ *rand.Rand) {
	params[0] = l.Init
}

func init() { nn.RegisterLayer[Scale]("scale") }

// A network with a layer nn does not know: it passes nn's gradient checks, trains, and
// survives a save and a load.
func Example_customLayer() {
	net, err := nn.New([]nn.Layer{nn.Dense(1, 16), nn.Act(nn.Tanh), nn.Dense(16, 1), Scale{Init: 0.5}}, nn.Config{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("gradient checks pass:", verify.AllPass(nn.CheckNetwork("scale", net, true, 1)))

	rng := rand.New(rand.NewPCG(1, 2))
	const N = 200
	x, y := make([]float64, N), make([]float64, N)
	for i := range x {
		x[i] = 2*rng.Float64() - 1
		y[i] = 3 * math.Sin(2*x[i]) // an amplitude the scale helps reach
	}
	d, _ := nn.NewDataset(x, y, N, 1, 1)
	before := net.Loss(d)
	if _, err := nn.Train(net, d, nil, nn.TrainConfig{Method: &optimize.Adam{LearningRate: 1e-2}, Epochs: 200, BatchSize: 20, Seed: 1}); err != nil {
		fmt.Println(err)
		return
	}
	a := net.Params()[net.NumParams()-1]
	fmt.Printf("loss %.3f → %.4f, scale 0.5 → %.2f\n", before, net.Loss(d), a)

	var buf bytes.Buffer
	if err := (&nn.Model{Network: net}).Encode(&buf); err != nil {
		fmt.Println(err)
		return
	}
	m, err := nn.Decode(&buf)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("loaded: %T, same loss %v\n", m.Network.Layers()[3], m.Network.Loss(d) == net.Loss(d))
	// Output:
	// gradient checks pass: true
	// loss 3.370 → 0.0018, scale 0.5 → 0.95
	// loaded: nn_test.Scale, same loss true
}

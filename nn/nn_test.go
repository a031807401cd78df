package nn

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/adjunto/adjunto/internal/reference"
	"github.com/adjunto/adjunto/optimize"
)

// TestMLPReference checks the loss and every gradient of the 2-3-1 tanh network of
// mlp.json against PyTorch's float64 autograd to 1e-12 relative (the file's tolerance): the
// two differ only by rounding in a few dozen operations.
func TestMLPReference(t *testing.T) {
	raw, err := reference.Raw("mlp.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		W1, W2                 [][]float64
		B1                     []float64 `json:"b1"`
		B2                     []float64 `json:"b2"`
		X                      []float64 `json:"x"`
		Target, Out, Loss, Tol float64
		DW1                    [][]float64 `json:"dL_dW1"`
		DW2                    [][]float64 `json:"dL_dW2"`
		DB1                    []float64   `json:"dL_db1"`
		DB2                    []float64   `json:"dL_db2"`
		Hidden                 []float64
		TolRel                 float64 `json:"tolerance_rel"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	n, err := NewMLP("2-3-1:tanh", MLPOptions{}, Config{Loss: CourseMSE})
	if err != nil {
		t.Fatal(err)
	}
	flat := func(m [][]float64) (s []float64) {
		for _, r := range m {
			s = append(s, r...)
		}
		return s
	}
	w1, b1 := n.LayerParams(0)
	w2, b2 := n.LayerParams(2)
	copy(w1, flat(ref.W1))
	copy(b1, ref.B1)
	copy(w2, flat(ref.W2))
	copy(b2, ref.B2)
	d, err := NewDataset(ref.X, []float64{ref.Target}, 1, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	grad := make([]float64, n.NumParams())
	J := n.Objective(grad, d)
	tol := ref.TolRel
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > tol*math.Abs(want) {
			t.Errorf("%s = %.17g, want %.17g (relative error %.2g > %g)", what, got, want, math.Abs(got-want)/math.Abs(want), tol)
		}
	}
	near("loss", J, ref.Loss)
	out := make([]float64, 1)
	n.Predict(out, d)
	near("out", out[0], ref.Out)
	off := 0
	for _, part := range []struct {
		name string
		want []float64
	}{{"dL/dW1", flat(ref.DW1)}, {"dL/db1", ref.DB1}, {"dL/dW2", flat(ref.DW2)}, {"dL/db2", ref.DB2}} {
		for i, w := range part.want {
			near(part.name, grad[off+i], w)
		}
		off += len(part.want)
	}
	if off != len(grad) {
		t.Fatalf("%d gradient components checked of %d", off, len(grad))
	}
}

// sinData returns n points x ~ U(−1, 1), y = sin(3x) + σ·noise.
func sinData(n int, sigma float64, seed uint64) *Dataset {
	rng := rand.New(rand.NewPCG(seed, 7))
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = 2*rng.Float64() - 1
		y[i] = math.Sin(3*x[i]) + sigma*rng.NormFloat64()
	}
	d, _ := NewDataset(x, y, n, 1, 1)
	return d
}

// TestSinFit trains the course's 1-100-1 tanh network on y = sin(3x) + noise (σ = 0.1, so
// the noise variance is 0.01) with Adam and checks that the training MSE reaches the noise
// level: between 0.7σ² (it must not be memorising the noise with 1000 points and 301 weights)
// and 1.3σ² (it must have fitted the sine).
func TestSinFit(t *testing.T) {
	const sigma = 0.1
	d := sinData(1000, sigma, 1)
	n, err := NewMLP("1-100-1:tanh", MLPOptions{}, Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	h, err := Train(n, d, nil, TrainConfig{Method: &optimize.Adam{LearningRate: 1e-2}, Epochs: 300, BatchSize: 64, DropLast: true, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// CourseMSE is half the mean squared error for one output.
	mse := 2 * n.Loss(d)
	t.Logf("training MSE after %d epochs: %.5f (noise variance %.5f)", len(h.Epochs), mse, sigma*sigma)
	if mse < 0.7*sigma*sigma || mse > 1.3*sigma*sigma {
		t.Errorf("training MSE %.5f, want within 30%% of the noise variance %.5f", mse, sigma*sigma)
	}
}

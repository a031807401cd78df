package experiments

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/adjunto/adjunto/nn"
)

// curveData draws n points x ~ U(lo, hi), sorted, with y = f(x) + noise·N(0, 1).
func curveData(f func(float64) float64, n int, lo, hi, noise float64, rnd *rand.Rand) *nn.Dataset {
	x := make([]float64, n)
	for i := range x {
		x[i] = lo + (hi-lo)*rnd.Float64()
	}
	slices.Sort(x)
	y := make([]float64, n)
	for i, v := range x {
		y[i] = f(v) + noise*rnd.NormFloat64()
	}
	d, err := nn.NewDataset(x, y, n, 1, 1)
	if err != nil {
		panic("experiments: curveData: " + err.Error()) // the shapes are ours
	}
	return d
}

// gridData is the dataset of the points xs with targets f(xs) (zero if f is nil).
func gridData(xs []float64, f func(float64) float64) *nn.Dataset {
	y := make([]float64, len(xs))
	if f != nil {
		for i, v := range xs {
			y[i] = f(v)
		}
	}
	d, err := nn.NewDataset(append([]float64(nil), xs...), y, len(xs), 1, 1)
	if err != nil {
		panic("experiments: gridData: " + err.Error())
	}
	return d
}

// predict returns the network's predictions on d.
func predict(net *nn.Network, d *nn.Dataset) []float64 {
	y := make([]float64, d.N*net.Out())
	net.Predict(y, d)
	return y
}

// rmse returns the root-mean-square difference of a and b.
func rmse(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(s / float64(len(a)))
}

// curves returns the epoch numbers and the training and validation losses of h.
func curves(h *nn.History) (ep, tr, va []float64) {
	if h == nil {
		return nil, nil, nil
	}
	for _, e := range h.Epochs {
		ep = append(ep, float64(e.Epoch))
		tr = append(tr, e.TrainLoss)
		va = append(va, e.ValLoss)
	}
	return ep, tr, va
}

// epochProgress returns a Progress callback for nn.Train that reports the epoch and stops
// training when ctx is cancelled.
func epochProgress(ctx context.Context, out *Output, label string, epochs int) func(nn.Epoch) error {
	return func(e nn.Epoch) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		out.Progressf("%s: epoch %d/%d, J = %.4g", label, e.Epoch, epochs, e.TrainLoss)
		return nil
	}
}

// lastLoss returns the last finite training loss of h, or NaN.
func lastLoss(h *nn.History) float64 {
	if h == nil {
		return math.NaN()
	}
	for i := len(h.Epochs) - 1; i >= 0; i-- {
		if finite(h.Epochs[i].TrainLoss) {
			return h.Epochs[i].TrainLoss
		}
	}
	return math.NaN()
}

func checkPositive(name string, v int) error {
	if v < 1 {
		return fmt.Errorf("%s must be positive, have %d", name, v)
	}
	return nil
}

func checkRate(name string, v float64) error {
	if !(v > 0) || !finite(v) {
		return fmt.Errorf("%s must be a positive number, have %g", name, v)
	}
	return nil
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// spreadBreakpoints redraws the biases of the first dense layer of a network with one input
// so that each hidden unit's breakpoint −b/w (where a ReLU switches on, where tanh is
// steepest) falls uniformly in [lo, hi]. With nn's zero biases every breakpoint sits at
// x = 0 and a 1-D ReLU fit starts, and often stays, with all its kinks in one place.
func spreadBreakpoints(net *nn.Network, lo, hi float64, rnd *rand.Rand) {
	w, b := net.LayerParams(0)
	for j := range b {
		b[j] = -w[j] * (lo + (hi-lo)*rnd.Float64())
	}
}

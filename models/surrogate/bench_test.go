package surrogate_test

import (
	"fmt"
	"testing"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/models/surrogate"
)

// BenchmarkWindow times one integration of a 10-step window of the surrogate of a 5-64-1
// tanh network on 40 points ("forward", the cost alone) against one cost plus its gradient
// with respect to the initial states and the weights, with the step tapes saved ("gradient")
// and replayed ("gradient-replay"), for one state and for 64 states stacked in a batch, the
// layout of a multi-window training cost. Issue 8 asks gradient/forward ≤ 4.
func BenchmarkWindow(b *testing.B) {
	const steps = 10
	for _, batch := range []int{1, 64} {
		m := newModel(b, "5-64-1", surrogate.Config{N: 40, Batch: batch})
		x := attractor(m.Dim(), 1)
		gx, gp := make([]float64, m.Dim()), make([]float64, m.NumParams())
		for _, c := range []struct {
			name string
			run  func(l *adjoint.Loop) error
			tape bool
		}{
			{"forward", func(l *adjoint.Loop) error { _, err := l.Value(x, steps, sumSquares{}); return err }, false},
			{"gradient", func(l *adjoint.Loop) error { _, err := l.Gradient(gx, gp, x, steps, sumSquares{}); return err }, true},
			{"gradient-replay", func(l *adjoint.Loop) error { _, err := l.Gradient(gx, gp, x, steps, sumSquares{}); return err }, false},
		} {
			b.Run(fmt.Sprintf("batch=%d/%s", batch, c.name), func(b *testing.B) {
				l := &adjoint.Loop{Model: m, Tape: c.tape}
				for b.Loop() {
					if err := c.run(l); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

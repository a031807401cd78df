package experiments

import (
	"context"
	"testing"

	"github.com/adjunto/adjunto/verify"
)

func TestBackpropIsAdjoint(t *testing.T) {
	cfg := defaultBackpropConfig()
	cfg.Sizes = []int{3, 8, 8, 2}
	cfg.Batch = 16
	m, err := runBackprop(context.Background(), &cfg, newOutput(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	// The two gradients do the same arithmetic in different orders (gonum's gemm against
	// hand loops): they agree to a few ulps of the largest component.
	const ulps = 1e-14
	for _, c := range []struct {
		name string
		v    float64
	}{{"quadratic: hand adjoint vs tape", m.QuadHandVsTape}, {"network: backprop vs 4DVar adjoint", m.BackpropVsAdjoint},
		{"network: fused vs composed", m.FusedVsComposed}} {
		if !(c.v <= ulps) {
			t.Errorf("%s differ by %g relative, want ≤ %g", c.name, c.v, ulps)
		}
	}
	if m.Params != 3*8+8+8*8+8+8*2+2 {
		t.Errorf("%d parameters", m.Params)
	}
	for name, s := range map[string]checkSummary{"quadratic": m.QuadChecks, "network": m.NetChecks} {
		if !s.Pass || s.DotProduct > 1e-13 {
			t.Errorf("%s: verification %+v", name, s)
		}
	}
}

// TestBackpropCatchesAWrongAdjoint guards that the comparison can fail: a layer adjoint
// that forgets the activation's derivative must be caught by the dot-product test.
func TestBackpropCatchesAWrongAdjoint(t *testing.T) {
	n := newMLP([]int{2, 4, 1})
	fn := n.verifyFunc([]float64{0.3, -1, 2, 0.5}, 2)
	right := fn.Adjoint
	fn.Adjoint = func(aw, ay []float64) {
		right(aw, ay)
		aw[0] += 1e-3
	}
	w := make([]float64, n.nparams)
	for i := range w {
		w[i] = 0.1 * float64(i%5-2)
	}
	fn.Linearize(w)
	s := summarize(verifyAll(fn, w))
	if s.Pass {
		t.Errorf("a perturbed adjoint passed: %+v", s)
	}
}

func verifyAll(fn verify.Func, x []float64) []verify.Report {
	return verify.All("check", fn, x, verify.Settings{Seed: 1})
}

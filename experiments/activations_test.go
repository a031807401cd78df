package experiments

import (
	"context"
	"testing"
)

func TestActivations(t *testing.T) {
	cfg := defaultActivationsConfig()
	cfg.Points = 101
	out := newOutput(t.TempDir())
	m, err := runActivations(context.Background(), &cfg, out)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Activations) != 8 {
		t.Fatalf("got %d activations, want 8", len(m.Activations))
	}
	// Central differences with step 1e-6 have truncation error ~1e-12·h''' and round-off
	// ~1e-16/1e-6 = 1e-10 on these O(1) functions.
	if m.MaxTLvsFD > 1e-8 {
		t.Errorf("tangent-linear derivatives differ from central differences by %g", m.MaxTLvsFD)
	}
	// The forward and reverse sweeps apply the same scalar derivative: bit-identical.
	if m.MaxTLvsAD != 0 {
		t.Errorf("tangent and adjoint sweeps disagree by %g", m.MaxTLvsAD)
	}
	// Known derivatives at x = 1.
	want := map[string]float64{
		"step": 0, "linear": 1, "ReLU": 1, "tanh": 1 - 0.7615941559557649*0.7615941559557649,
		"sigmoid": 0.19661193324148185, "softplus": 0.7310585786300049,
		"swish": 0.7310585786300049 + 0.19661193324148185,
	}
	for _, a := range m.Activations {
		w, ok := want[a.Name]
		if !ok {
			continue
		}
		if d := a.DerivAtOne - w; d > 1e-15 || d < -1e-15 {
			t.Errorf("%s: h'(1) = %.17g, want %.17g", a.Name, a.DerivAtOne, w)
		}
	}
	if len(out.Figures()) != 1 {
		t.Errorf("wrote %d figures, want 1", len(out.Figures()))
	}
}

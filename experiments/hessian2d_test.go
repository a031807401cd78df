package experiments

import (
	"context"
	"math"
	"testing"
)

func TestHessian2D(t *testing.T) {
	cfg := defaultHessianConfig()
	m, err := runHessian(context.Background(), &cfg, newOutput(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind string
		// outcomes of gradient descent, modified Newton and pure Newton
		gd, mn, pn string
	}{
		{"minimum (bowl)", "reaches the minimum", "reaches the minimum", "reaches the minimum"},
		{"maximum (dome)", "runs away, J → −∞", "runs away, J → −∞", "lands on the maximum"},
		{"singular (valley)", "reaches a minimum on the floor", "reaches a minimum on the floor", "reaches a minimum on the floor"},
		{"saddle", "runs away, J → −∞", "runs away, J → −∞", "lands on the saddle point"},
	}
	if len(m.Forms) != len(want) {
		t.Fatalf("%d forms, want %d", len(m.Forms), len(want))
	}
	for i, f := range m.Forms {
		// The Hessian comes from central differences of adjoint gradients, exact on a
		// quadratic up to round-off of about ε‖H‖/h ≈ 1e-11.
		if f.HessianMaxError > 1e-8 {
			t.Errorf("%s: Hessian off by %g", f.Name, f.HessianMaxError)
		}
		for k := range 2 {
			if math.Abs(f.Eigenvalues[k]-f.WantEigenvalues[k]) > 1e-8 {
				t.Errorf("%s: eigenvalues %v, want %v", f.Name, f.Eigenvalues, f.WantEigenvalues)
			}
		}
		if f.Classification != want[i].kind {
			t.Errorf("%s: classified %q, want %q", f.Name, f.Classification, want[i].kind)
		}
		got := []string{f.Methods[0].Outcome, f.Methods[1].Outcome, f.Methods[2].Outcome}
		exp := []string{want[i].gd, want[i].mn, want[i].pn}
		for k := range got {
			if got[k] != exp[k] {
				t.Errorf("%s: %s: %q, want %q", f.Name, f.Methods[k].Method, got[k], exp[k])
			}
		}
	}
	// Pure Newton reaches the stationary point of a regular quadratic in one step.
	for _, f := range m.Forms {
		if f.Classification != "singular (valley)" && f.Methods[2].Iterations != 1 {
			t.Errorf("%s: pure Newton took %d iterations, want 1", f.Name, f.Methods[2].Iterations)
		}
	}
}

package fourdvar

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestVarying checks, densely on a ring of 64 points: S is symmetric and S S⁻¹ = I (1e-10);
// a constant σ gives σ² R (1e-12 of σ²); a σ that varies slowly (from 0.5 to 1.5 over the
// ring, L = 2 points) gives variances within 2% of σ_i².
func TestVarying(t *testing.T) {
	const n = 64
	corr := NewGaussianCircle(n, 3, 2) // its σ = 3 is divided out
	sigma := make([]float64, n)
	for i := range sigma {
		sigma[i] = 1 + 0.5*math.Sin(2*math.Pi*float64(i)/n)
	}
	c, err := NewVarying(corr, sigma)
	if err != nil {
		t.Fatal(err)
	}
	s, si := denseOf(n, c.SqrtMul), denseOf(n, c.SqrtSolve)
	var id, cc mat.Dense
	id.Mul(s, si)
	cc.Mul(s, s)
	for i := range n {
		for j := range n {
			if d := math.Abs(s.At(i, j) - s.At(j, i)); d > 1e-12 {
				t.Fatalf("S not symmetric at (%d, %d): %g", i, j, d)
			}
			if d := math.Abs(id.At(i, j) - b2f(i == j)); d > 1e-10 {
				t.Fatalf("S S⁻¹ − I = %g at (%d, %d)", d, i, j)
			}
		}
		if r := cc.At(i, i) / (sigma[i] * sigma[i]); math.Abs(r-1) > 0.02 {
			t.Errorf("variance %d: %v, σ² = %v (ratio %v)", i, cc.At(i, i), sigma[i]*sigma[i], r)
		}
	}
	flat := make([]float64, n)
	for i := range flat {
		flat[i] = 0.7
	}
	c, _ = NewVarying(corr, flat)
	s = denseOf(n, c.SqrtMul)
	cc.Mul(s, s)
	for i := range n {
		for j := range n {
			if want := 0.49 * corr.Correlation(j-i); math.Abs(cc.At(i, j)-want) > 1e-12*0.49 {
				t.Fatalf("constant σ: C(%d, %d) = %v, want %v", i, j, cc.At(i, j), want)
			}
		}
	}
	if _, err := NewVarying(corr, sigma[:3]); !errors.Is(err, ErrInput) {
		t.Errorf("wrong length: %v", err)
	}
	flat[5] = 0
	if _, err := NewVarying(corr, flat); !errors.Is(err, ErrInput) {
		t.Errorf("zero σ: %v", err)
	}
}

// TestVaryingInCosts runs the gradient checks of the strong and weak 4DVar costs, in the
// control variable and in the state, with a Varying B: its symmetric root needs nothing of
// the costs that a Circulant does not.
func TestVaryingInCosts(t *testing.T) {
	sigma := make([]float64, 12)
	for i := range sigma {
		sigma[i] = 0.8 + 0.05*float64(i)
	}
	for _, state := range []bool{false, true} {
		w := testWindow(newTestL96(12, 8, 0.05), 1, false)
		b, err := NewVarying(NewGaussianCircle(12, 1, 2), sigma)
		if err != nil {
			t.Fatal(err)
		}
		w.B = b
		c := NewStrong(w)
		c.StateControl = state
		gradientChecks(t, "strong/varying", c, 2)
		wk := NewWeak(w, ScaledIdentity{N: 12, Sigma: 0.2})
		wk.StateControl = state
		gradientChecks(t, "weak/varying", wk, 5)
	}
}

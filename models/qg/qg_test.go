package qg

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/adjunto/adjunto/models/lorenz"
)

func randomField(rnd *rand.Rand, n int) []float64 {
	v := make([]float64, n*n)
	for i := range v {
		v[i] = rnd.NormFloat64()
	}
	return v
}

// TestArakawaConserves guards the discrete conservation laws that make Arakawa's Jacobian
// the right one for long runs, and on which the adjoint rules in tendencyAdjoint rely:
// Σ a J(a, b) = Σ b J(a, b) = 0 and J(a, b) = −J(b, a). Tolerance 1e-12 of the sum of the
// magnitudes of the terms.
func TestArakawaConserves(t *testing.T) {
	const n = 16
	rnd := rand.New(rand.NewPCG(1, 2))
	a, b := randomField(rnd, n), randomField(rnd, n)
	jab, jba := make([]float64, n*n), make([]float64, n*n)
	arakawa(jab, a, b, n, 1)
	arakawa(jba, b, a, n, 1)
	var sa, sb, scale float64
	for i := range jab {
		sa += a[i] * jab[i]
		sb += b[i] * jab[i]
		scale += math.Abs(a[i]*jab[i]) + math.Abs(b[i]*jab[i])
		if d := jab[i] + jba[i]; math.Abs(d) > 1e-12*math.Abs(jab[i])+1e-13 {
			t.Fatalf("J(a,b) + J(b,a) = %g at %d", d, i)
		}
	}
	if math.Abs(sa) > 1e-12*scale || math.Abs(sb) > 1e-12*scale {
		t.Errorf("Σ a J(a,b) = %g, Σ b J(a,b) = %g (scale %g)", sa, sb, scale)
	}
}

// TestHelmholtzInverts checks that the PV inversion inverts the five-point stencil:
// (Δ_h − F) S q = q to 1e-12 relative.
func TestHelmholtzInverts(t *testing.T) {
	const n, f = 12, 30.0
	rnd := rand.New(rand.NewPCG(3, 4))
	q := randomField(rnd, n)
	psi := make([]float64, n*n)
	Helmholtz(n, f).Apply(psi, q)
	back := make([]float64, n*n)
	laplacian(back, psi, n, float64(n*n))
	var num, den float64
	for i := range back {
		back[i] -= f * psi[i]
		num += (back[i] - q[i]) * (back[i] - q[i])
		den += q[i] * q[i]
	}
	if e := math.Sqrt(num / den); e > 1e-12 {
		t.Errorf("‖(Δ_h − F) S q − q‖/‖q‖ = %g", e)
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(m *Model)
		want error
	}{
		{"default", func(*Model) {}, nil},
		{"prime grid", func(m *Model) { m.N = 67 }, ErrInvalid},
		{"tiny grid", func(m *Model) { m.N = 4 }, ErrInvalid},
		{"zero dt", func(m *Model) { m.Dt = 0 }, ErrInvalid},
		{"negative drag", func(m *Model) { m.Bottom = -1 }, ErrInvalid},
		{"NaN F", func(m *Model) { m.F = math.NaN() }, ErrInvalid},
		{"forcing wavenumber", func(m *Model) { m.K = 0 }, ErrInvalid},
		{"CFL", func(m *Model) { m.Dt = 5 }, ErrUnstable},
		{"stiff dissipation", func(m *Model) { m.Hyper = 1e-8 }, ErrUnstable},
	} {
		m, err := New(64)
		if err != nil {
			t.Fatal(err)
		}
		c.edit(m)
		err = m.Validate()
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: Validate() = %v, want %v", c.name, err, c.want)
		}
	}
}

// TestChecksSmall runs the fused and composed checks on a 16² grid, where the composed tape
// is cheap: every report must pass.
func TestChecksSmall(t *testing.T) {
	m := &Model{N: 16, Dt: DefaultDt, F: DefaultF, R: DefaultR, Beta: DefaultBeta, Bottom: DefaultBottom,
		Hyper: DefaultHyper * math.Pow(8, 4), Forcing: DefaultForcing, K: 2}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(5, 6))
	x0 := randomField(rnd, 16)
	for i := range x0 {
		x0[i] *= 10
	}
	for _, r := range lorenz.ChecksAt("qg16", m, x0, 10, 100, 1) {
		if !r.Pass {
			t.Errorf("%v", r)
		} else {
			t.Logf("%v", r)
		}
	}
}

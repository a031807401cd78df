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

// TestDefaultIsTurbulent is how the default regime was checked: after DefaultSpinUp steps
// from InitialState, the 64² flow's domain-mean ψ² over the two halves of the next 2000
// steps agree within 10% (no trend: statistically steady), and a perturbation of 10⁻⁶
// grows at least tenfold over those steps (chaotic; measured: ×366 in 2000 steps, ×633 in
// 2200, an error doubling time of about 240 steps).
func TestDefaultIsTurbulent(t *testing.T) {
	if testing.Short() {
		t.Skip("9000 steps of the 64² model")
	}
	m, err := New(DefaultN)
	if err != nil {
		t.Fatal(err)
	}
	x := m.InitialState(1)
	if err := lorenz.Integrate(m, x, DefaultSpinUp); err != nil {
		t.Fatal(err)
	}
	y := append([]float64(nil), x...)
	for i := range y {
		y[i] += 1e-6 * math.Sin(0.37*float64(i))
	}
	sep := func() float64 {
		var s float64
		for i := range x {
			s += (x[i] - y[i]) * (x[i] - y[i])
		}
		return math.Sqrt(s / float64(len(x)))
	}
	d0 := sep()
	const steps = 2000
	var half [2]float64
	for k := range steps {
		if err := lorenz.Integrate(m, x, 1); err != nil {
			t.Fatal(err)
		}
		if err := lorenz.Integrate(m, y, 1); err != nil {
			t.Fatal(err)
		}
		var e float64
		for _, v := range x {
			e += v * v
		}
		half[2*k/steps] += e / float64(len(x)) / (steps / 2)
	}
	growth := sep() / d0
	t.Logf("mean ψ² %.4g then %.4g; perturbation grew ×%.3g in %d steps", half[0], half[1], growth, steps)
	if r := half[1] / half[0]; r < 0.9 || r > 1.1 {
		t.Errorf("mean ψ² changed by a factor %.3g between the halves: not statistically steady", r)
	}
	if growth < 10 {
		t.Errorf("a perturbation grew only ×%.3g in %d steps: not chaotic", growth, steps)
	}
}

// TestStepAdjointTapeIsBitIdentical guards the TapedStepper contract: the adjoint from the
// saved stage states equals the recomputing one to the last bit.
func TestStepAdjointTapeIsBitIdentical(t *testing.T) {
	m, err := New(16)
	if err != nil {
		t.Fatal(err)
	}
	m.K = 2
	rnd := rand.New(rand.NewPCG(7, 8))
	x, ay := randomField(rnd, 16), randomField(rnd, 16)
	y, tape := make([]float64, m.Dim()), make([]float64, m.TapeLen())
	m.StepTape(y, tape, x)
	want := make([]float64, m.Dim())
	m.Step(want, x)
	a1, a2 := make([]float64, m.Dim()), make([]float64, m.Dim())
	m.StepAdjoint(a1, nil, x, ay)
	m.StepAdjointTape(a2, nil, x, tape, ay)
	for i := range a1 {
		if a1[i] != a2[i] || y[i] != want[i] {
			t.Fatalf("index %d: adjoint %v (tape) vs %v, state %v (tape) vs %v", i, a2[i], a1[i], y[i], want[i])
		}
	}
}

// TestCheckState: the default start passes the CFL check of the state; the same flow 100
// times faster fails it, naming the Courant number.
func TestCheckState(t *testing.T) {
	m, err := New(64)
	if err != nil {
		t.Fatal(err)
	}
	x := m.InitialState(1)
	if err := m.CheckState(x); err != nil {
		t.Fatalf("default start: %v", err)
	}
	for i := range x {
		x[i] *= 100
	}
	if err := m.CheckState(x); !errors.Is(err, ErrUnstable) {
		t.Errorf("fast flow: %v, want ErrUnstable", err)
	}
}

package lorenz

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestValidateNamesField(t *testing.T) {
	l63 := func(f func(*L63)) Model { m := NewL63(); f(m); return m }
	l96 := func(f func(*L96)) Model { m, _ := NewL96(40); f(m); return m }
	for _, tc := range []struct {
		m    interface{ Validate() error }
		want string
	}{
		{l63(func(m *L63) { m.Dt = 0 }).(*L63), "Dt = 0"},
		{l63(func(m *L63) { m.Dt = -0.1 }).(*L63), "Dt = -0.1"},
		{l63(func(m *L63) { m.Dt = math.Inf(1) }).(*L63), "Dt = +Inf"},
		{l63(func(m *L63) { m.Dt = math.NaN() }).(*L63), "Dt = NaN"},
		{l63(func(m *L63) { m.Rho = math.NaN() }).(*L63), "Rho = NaN"},
		{l63(func(m *L63) { m.Integrator = 7 }).(*L63), "Integrator = 7"},
		{l96(func(m *L96) { m.N = 3 }).(*L96), "N = 3"},
		{l96(func(m *L96) { m.F = math.Inf(-1) }).(*L96), "F = -Inf"},
		{&L96{}, "N = 0"},
	} {
		err := tc.m.Validate()
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate() = %v, want ErrInvalid naming %q", err, tc.want)
		}
	}
	if err := NewL63().Validate(); err != nil {
		t.Errorf("default Lorenz-63: %v", err)
	}
	if _, err := NewL96(3); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "N = 3") {
		t.Errorf("NewL96(3): %v", err)
	}
}

func TestParseIntegrator(t *testing.T) {
	for _, s := range []string{"rk4", "RK4", "euler", "Euler"} {
		if _, err := ParseIntegrator(s); err != nil {
			t.Errorf("ParseIntegrator(%q): %v", s, err)
		}
	}
	if s, err := ParseIntegrator("rk5"); err == nil {
		t.Errorf("ParseIntegrator(rk5) = %v, want an error", s)
	}
	if RK4.String() != "rk4" || Euler.String() != "euler" {
		t.Error("Integrator.String")
	}
}

// TestBlowUpNamesStep guards the rule that a diverging trajectory reports where: forward
// Euler on Lorenz-96 at dt = 0.5 overflows, and Integrate and Trajectory name the first
// non-finite state, the same step for both.
func TestBlowUpNamesStep(t *testing.T) {
	m, _ := NewL96(40)
	m.Integrator, m.Dt = Euler, 0.5
	x0 := make([]float64, 40)
	for i := range x0 {
		x0[i] = 8
	}
	x0[19] = 8.01
	x := append([]float64(nil), x0...)
	err := Integrate(m, x, 1000)
	var bu *BlowUpError
	if !errors.As(err, &bu) || !errors.Is(err, ErrNonFinite) {
		t.Fatalf("Integrate: %v, want a *BlowUpError", err)
	}
	if !strings.Contains(err.Error(), "step") || bu.Step <= 0 || !math.IsInf(x[bu.Index], 0) && !math.IsNaN(x[bu.Index]) {
		t.Errorf("Integrate: %v; x%d = %v", err, bu.Index, x[bu.Index])
	}
	rows, err := Trajectory(m, x0, 1000)
	var bu2 *BlowUpError
	if !errors.As(err, &bu2) || bu2.Step != bu.Step || len(rows) != bu.Step+1 {
		t.Errorf("Trajectory: %v with %d rows; Integrate said step %d", err, len(rows), bu.Step)
	}
	if err := Integrate(m, x0, -1); !errors.Is(err, ErrInvalid) {
		t.Errorf("Integrate with -1 steps: %v", err)
	}
}

// TestFusedStepsAllocationFree guards the fused kernels' promise: once the scratch buffers
// exist, a step, its TL and its AD allocate nothing.
func TestFusedStepsAllocationFree(t *testing.T) {
	l96, _ := NewL96(100)
	for _, m := range []Model{NewL63(), l96} {
		n, np := m.Dim(), m.NumParams()
		x := attractorState(m, 4)
		y, dx, dy, dp, ap := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, np), make([]float64, np)
		dx[0], dp[0] = 1, 1
		for _, s := range []Integrator{RK4, Euler} {
			switch m := m.(type) {
			case *L63:
				m.Integrator = s
			case *L96:
				m.Integrator = s
			}
			if a := testing.AllocsPerRun(10, func() {
				m.Step(y, x)
				m.StepTangent(dy, x, dx, dp)
				m.StepAdjoint(dx, ap, x, dy)
			}); a != 0 {
				t.Errorf("%T %v: %v allocations per step+TL+AD", m, s, a)
			}
		}
	}
}

// TestSmallRings checks the wrap-around of the fused Lorenz-96 kernels where the boundary
// rows and columns overlap the most: N = 4 (no interior column in the adjoint) and N = 5, 6.
func TestSmallRings(t *testing.T) {
	for _, n := range []int{4, 5, 6, 7} {
		m, err := NewL96(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []Integrator{RK4, Euler} {
			m.Integrator = s
			m.Dt = 0.01
			x0 := attractorState(m, uint64(n))
			dx, ay := make([]float64, n), make([]float64, n)
			for i := range dx {
				dx[i], ay[i] = float64(i+1), float64(n-i)
			}
			c := NewComposed(m)
			tf, tc := windowTL(m, x0, dx, []float64{0.5}, 50), windowTL(c, x0, dx, []float64{0.5}, 50)
			af, pf := windowAD(m, x0, ay, 50)
			ac, pc := windowAD(c, x0, ay, 50)
			for _, e := range []float64{relDiff(tf, tc), relDiff(af, ac), relDiff(pf, pc)} {
				if e > 1e-12 {
					t.Errorf("N = %d, %v: fused and composed differ by %.3g", n, s, e)
				}
			}
		}
	}
}

// TestComposedRerecords guards the composed twin against a stale tape: changing the model's
// Dt or Integrator after the first use must change its steps as it changes the fused ones.
func TestComposedRerecords(t *testing.T) {
	m := NewL63()
	c := NewComposed(m)
	x := []float64{1, 2, 3}
	yf, yc := make([]float64, 3), make([]float64, 3)
	for _, change := range []func(){
		func() {},
		func() { m.Dt = 0.02 },
		func() { m.Integrator = Euler },
		func() { m.SetParams([]float64{9, 27, 2}) },
		func() { c.SetParams([]float64{11, 29, 3}) },
	} {
		change()
		m.Step(yf, x)
		c.Step(yc, x)
		for i := range yf {
			if yf[i] != yc[i] {
				t.Fatalf("after a change: fused %v, composed %v", yf, yc)
			}
		}
	}
}

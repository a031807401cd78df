package adjoint_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/models/lorenz"
	"github.com/adjunto/adjunto/verify"
)

// euler96 is package lorenz's Lorenz-96 with forward Euler steps,
// x_i += dt·((x_{i+1} − x_{i−2}) x_{i−1} − x_i + F), F its one parameter, as a plain Stepper
// (its own tape methods hidden) that counts its calls.
type euler96 struct {
	m              lorenz.L96
	steps, adjoint int
}

func newEuler96(n int) *euler96 {
	return &euler96{m: lorenz.L96{N: n, F: 8, Dt: 0.01, Integrator: lorenz.Euler}}
}

func (m *euler96) Step(dst, x []float64) {
	m.steps++
	m.m.Step(dst, x)
}

func (m *euler96) StepAdjoint(ax, ap, x, ay []float64) {
	m.adjoint++
	m.m.StepAdjoint(ax, ap, x, ay)
}

// misfit is J = ½ Σ_k w_k ‖x_k − y‖², with w_k = 1 on every third step and at the end.
type misfit struct {
	y     []float64
	steps int
}

func (c misfit) weight(k int) float64 {
	if k%3 == 0 || k == c.steps {
		return 1
	}
	return 0
}

func (c misfit) Value(k int, x []float64) float64 {
	s := 0.0
	for i, v := range x {
		d := v - c.y[i]
		s += d * d
	}
	return 0.5 * c.weight(k) * s
}

func (c misfit) AddGradient(dst []float64, k int, x []float64) {
	w := c.weight(k)
	for i, v := range x {
		dst[i] += w * (v - c.y[i])
	}
}

func setup(n, steps int) (*euler96, []float64, misfit) {
	rnd := rand.New(rand.NewPCG(1, 2))
	x0, y := make([]float64, n), make([]float64, n)
	for i := range x0 {
		x0[i] = 8 + rnd.NormFloat64()
		y[i] = 8 + rnd.NormFloat64()
	}
	return newEuler96(n), x0, misfit{y, steps}
}

// TestLoopPoliciesBitwiseEqual guards the promise that the policy changes the memory and the
// work, never the result: J, ∂J/∂x_0 and ∂J/∂F agree to the last bit with StoreAll's.
func TestLoopPoliciesBitwiseEqual(t *testing.T) {
	const n = 12
	for _, steps := range []int{0, 1, 2, 3, 7, 64, 100, 1000} {
		m, x0, cost := setup(n, steps)
		ref := &adjoint.Loop{Model: m}
		gx, gp := make([]float64, n), make([]float64, 1)
		J, err := ref.Gradient(gx, gp, x0, steps, cost)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []adjoint.Policy{
			adjoint.StoreEvery{}, adjoint.StoreEvery{K: 1}, adjoint.StoreEvery{K: 3}, adjoint.StoreEvery{K: 10},
			adjoint.Revolve{}, adjoint.Revolve{Snapshots: 1}, adjoint.Revolve{Snapshots: 2},
			adjoint.Revolve{Snapshots: 3}, adjoint.Revolve{Snapshots: 10}, adjoint.Revolve{Snapshots: 2000},
		} {
			l := &adjoint.Loop{Model: m, Policy: p}
			hx, hp := make([]float64, n), make([]float64, 1)
			K, err := l.Gradient(hx, hp, x0, steps, cost)
			if err != nil {
				t.Fatal(err)
			}
			if K != J || !bitwiseEqual(hx, gx) || hp[0] != gp[0] {
				t.Errorf("%d steps, %#v: J %v, ∂J/∂F %v differ from StoreAll's %v, %v (or ∂J/∂x_0 does)", steps, p, K, hp[0], J, gp[0])
			}
			if l.Stats.Snapshots > l.Stats.Capacity {
				t.Errorf("%d steps, %#v: %d snapshots for a capacity of %d", steps, p, l.Stats.Snapshots, l.Stats.Capacity)
			}
			if v, err := l.Value(x0, steps, cost); err != nil || v != J {
				t.Errorf("%d steps: Value %v, %v; Gradient's J %v", steps, v, err, J)
			}
		}
	}
}

func bitwiseEqual(a, b []float64) bool {
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return len(a) == len(b)
}

// TestLoopGradientChecks checks the gradient the driver assembles (state and parameter
// together) with the gradient test and central differences of package verify, at their
// default tolerances.
func TestLoopGradientChecks(t *testing.T) {
	const n, steps = 8, 50
	m, x0, cost := setup(n, steps)
	l := &adjoint.Loop{Model: m, Policy: adjoint.Revolve{Snapshots: 4}}
	J := func(in []float64) float64 {
		mm := *m
		mm.m.F = in[n]
		v, err := (&adjoint.Loop{Model: &mm}).Value(in[:n], steps, cost)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	grad := make([]float64, n+1)
	if _, err := l.Gradient(grad[:n], grad[n:], x0, steps, cost); err != nil {
		t.Fatal(err)
	}
	in := append(append([]float64(nil), x0...), m.m.F)
	h := make([]float64, n+1)
	rnd := rand.New(rand.NewPCG(3, 4))
	for i := range h {
		h[i] = rnd.NormFloat64()
	}
	for _, r := range []verify.Report{
		verify.GradientTest("loop", J, grad, in, h, 0),
		verify.FiniteDifference("loop", J, grad, in, 0),
	} {
		if !r.Pass {
			t.Error(r)
		}
	}
}

// TestLoopStatsMatchSchedule checks the work of each policy against its formula: StoreAll
// takes K forward steps; StoreEvery{k} recomputes k−1 steps in each of the c−1 segments
// before the last (c = ⌈K/k⌉ checkpoints); Revolve{s} takes t(K, s) + 1 forward steps, the
// optimum of Griewank & Walther, and the model sees exactly as many Step calls and K
// StepAdjoint calls.
func TestLoopStatsMatchSchedule(t *testing.T) {
	const n = 5
	for _, steps := range []int{1, 2, 10, 99, 1000} {
		for _, tc := range []struct {
			p        adjoint.Policy
			forward  int
			capacity int
		}{
			{adjoint.StoreAll{}, steps, steps},
			{adjoint.StoreEvery{K: 7}, steps + ((steps+6)/7-1)*6, storeEveryPeak(steps, 7)},
			{adjoint.Revolve{Snapshots: 1}, adjoint.RevolveForward(steps, 1) + 1, 1},
			{adjoint.Revolve{Snapshots: 3}, adjoint.RevolveForward(steps, 3) + 1, min(3, steps)},
			{adjoint.Revolve{Snapshots: 12}, adjoint.RevolveForward(steps, 12) + 1, min(12, steps)},
		} {
			m, x0, cost := setup(n, steps)
			l := &adjoint.Loop{Model: m, Policy: tc.p}
			if _, err := l.Gradient(make([]float64, n), nil, x0, steps, cost); err != nil {
				t.Fatal(err)
			}
			s := l.Stats
			name := fmt.Sprintf("%d steps, %#v", steps, tc.p)
			if s.Forward != tc.forward || m.steps != tc.forward || s.Recomputed != tc.forward-steps {
				t.Errorf("%s: %d forward steps (%d Step calls, %d recomputed), want %d", name, s.Forward, m.steps, s.Recomputed, tc.forward)
			}
			if m.adjoint != steps {
				t.Errorf("%s: %d adjoint steps, want %d", name, m.adjoint, steps)
			}
			if s.Capacity != tc.capacity || s.Snapshots != tc.capacity {
				t.Errorf("%s: %d snapshots used of a capacity %d, want %d", name, s.Snapshots, s.Capacity, tc.capacity)
			}
		}
	}
}

// storeEveryPeak counts the states StoreEvery{k} holds at once by walking its schedule:
// while segment j (from the last to the first) is recomputed, the checkpoints of segments
// 0 … j and the segment's own states but its first are stored.
func storeEveryPeak(steps, k int) int {
	peak := 0
	for a := 0; a < steps; a += k {
		length := min(k, steps-a)
		peak = max(peak, a/k+1+length-1)
	}
	return peak
}

// TestRevolveForwardIsOptimal compares the closed form t(l, s) with the optimum of the
// recursion it solves, by dynamic programming over every split:
//
//	T(1, s) = 0,  T(l, 1) = l(l−1)/2,  T(l, s) = min_m m + T(m, s) + T(l−m, s−1),
//
// and checks that Revolve.Split attains it.
func TestRevolveForwardIsOptimal(t *testing.T) {
	const L, S = 120, 8
	T := make([][]int, L+1)
	for l := range T {
		T[l] = make([]int, S+1)
	}
	for l := 2; l <= L; l++ {
		T[l][1] = l * (l - 1) / 2
		for s := 2; s <= S; s++ {
			best := math.MaxInt
			for m := 1; m < l; m++ {
				best = min(best, m+T[m][s]+T[l-m][s-1])
			}
			T[l][s] = best
		}
	}
	for l := 1; l <= L; l++ {
		for s := 1; s <= S; s++ {
			if got := adjoint.RevolveForward(l, s); got != T[l][s] {
				t.Fatalf("RevolveForward(%d, %d) = %d, optimum %d", l, s, got, T[l][s])
			}
			if l >= 2 && s >= 2 {
				m := adjoint.Revolve{}.Split(l, s)
				if c := m + T[m][s] + T[l-m][s-1]; c != T[l][s] {
					t.Fatalf("Revolve.Split(%d, %d) = %d costs %d, optimum %d", l, s, m, c, T[l][s])
				}
			}
		}
	}
}

// blowup is a stepper whose state doubles each step, so it overflows to +Inf.
type blowup struct{}

func (blowup) Step(dst, x []float64) {
	for i, v := range x {
		dst[i] = v * 1e100
	}
}

func (blowup) StepAdjoint(ax, ap, x, ay []float64) {
	for i, g := range ay {
		ax[i] += 1e100 * g
	}
}

type sumCost struct{}

func (sumCost) Value(k int, x []float64) float64 { return x[0] }
func (sumCost) AddGradient(dst []float64, k int, x []float64) {
	dst[0]++
}

// TestLoopNonFiniteNamesStep guards the rule that a diverging run stops with an error that
// says where: 1e100⁴ overflows at step 4.
func TestLoopNonFiniteNamesStep(t *testing.T) {
	for _, p := range []adjoint.Policy{adjoint.StoreAll{}, adjoint.Revolve{Snapshots: 2}} {
		l := &adjoint.Loop{Model: blowup{}, Policy: p}
		_, err := l.Gradient(make([]float64, 1), nil, []float64{1}, 10, sumCost{})
		if !errors.Is(err, adjoint.ErrNonFinite) || !contains(err.Error(), "step 4") {
			t.Errorf("%#v: error %v, want ErrNonFinite at step 4", p, err)
		}
		if _, err := l.Value([]float64{1}, 10, sumCost{}); !errors.Is(err, adjoint.ErrNonFinite) || !contains(err.Error(), "step 4") {
			t.Errorf("Value: error %v, want ErrNonFinite at step 4", err)
		}
	}
	// A finite forward whose adjoint overflows: 1e100³ is finite, but the adjoint of three
	// steps, 1e300·1e100, is not.
	l := &adjoint.Loop{Model: blowup{}}
	_, err := l.Gradient(make([]float64, 1), nil, []float64{1e-200}, 4, sumCost{})
	if !errors.Is(err, adjoint.ErrNonFinite) || !contains(err.Error(), "adjoint") {
		t.Errorf("adjoint overflow: error %v, want ErrNonFinite naming the adjoint", err)
	}
	if _, err := l.Gradient(make([]float64, 1), nil, []float64{1}, -1, sumCost{}); err == nil {
		t.Error("negative step count: no error")
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// TestLoopGradientAllocationFree guards the allocation-free sweep: once the store exists, a
// Gradient call allocates nothing.
func TestLoopGradientAllocationFree(t *testing.T) {
	const n, steps = 16, 200
	m, x0, cost := setup(n, steps)
	gx, gp := make([]float64, n), make([]float64, 1)
	var c adjoint.LoopCost = cost // converted once: boxing the struct would allocate per call
	for _, p := range []adjoint.Policy{adjoint.StoreAll{}, adjoint.StoreEvery{K: 10}, adjoint.Revolve{Snapshots: 5}} {
		l := &adjoint.Loop{Model: m, Policy: p}
		allocs := testing.AllocsPerRun(5, func() {
			if _, err := l.Gradient(gx, gp, x0, steps, c); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%#v: %v allocations per Gradient", p, allocs)
		}
	}
}

// tapedEuler96 saves a copy of x as its "tape" and linearises at the tape, so a stale or
// misplaced tape gives a wrong gradient; it panics outright if the tape is not x's.
type tapedEuler96 struct {
	*euler96
	n                int
	tapeSteps, reads int
}

func (m *tapedEuler96) TapeLen() int { return m.n }

func (m *tapedEuler96) StepTape(dst, tape, x []float64) {
	m.tapeSteps++
	copy(tape, x)
	m.Step(dst, x)
}

func (m *tapedEuler96) StepAdjointTape(ax, ap, x, tape, ay []float64) {
	m.reads++
	if !bitwiseEqual(tape, x) {
		panic("StepAdjointTape: the tape was not saved at x")
	}
	m.StepAdjoint(ax, ap, tape, ay)
	m.adjoint-- // counted once, by reads
}

// TestLoopTapeBitwiseAndUsed checks Loop.Tape: every policy gives StoreAll's untaped result to
// the last bit, StoreAll reads a tape in every adjoint step, and the recursive policies read
// one wherever the step from a stored state has been taken since the state was stored.
func TestLoopTapeBitwiseAndUsed(t *testing.T) {
	const n, steps = 9, 200
	m0, x0, cost := setup(n, steps)
	gx, gp := make([]float64, n), make([]float64, 1)
	J, err := (&adjoint.Loop{Model: m0}).Gradient(gx, gp, x0, steps, cost)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []adjoint.Policy{adjoint.StoreAll{}, adjoint.StoreEvery{K: 15}, adjoint.Revolve{Snapshots: 6}, adjoint.Revolve{Snapshots: 1}} {
		m := &tapedEuler96{euler96: newEuler96(n), n: n}
		l := &adjoint.Loop{Model: m, Policy: p, Tape: true}
		hx, hp := make([]float64, n), make([]float64, 1)
		K, err := l.Gradient(hx, hp, x0, steps, cost)
		if err != nil {
			t.Fatal(err)
		}
		if K != J || hp[0] != gp[0] || !bitwiseEqual(hx, gx) {
			t.Errorf("%#v with a tape: result differs from StoreAll's", p)
		}
		if m.reads+m.adjoint != steps {
			t.Errorf("%#v: %d taped and %d plain adjoint steps for %d steps", p, m.reads, m.adjoint, steps)
		}
		switch p.(type) {
		case adjoint.StoreAll:
			if m.reads != steps {
				t.Errorf("StoreAll with a tape: %d of %d adjoint steps read a tape", m.reads, steps)
			}
		case adjoint.Revolve:
			if p.(adjoint.Revolve).Snapshots == 1 && m.reads != 1 {
				// Only x_0 is stored; only the last adjoint step, from x_0, has its tape.
				t.Errorf("Revolve{1} with a tape: %d adjoint steps read a tape, want 1", m.reads)
			}
		}
		if m.reads == 0 {
			t.Errorf("%#v: the tape was never read", p)
		}
	}
}

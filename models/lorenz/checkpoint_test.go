package lorenz

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/adjunto/adjunto/adjoint"
)

// The fused Lorenz models are adjoint.Steppers: the engine's time-loop driver runs them.
var (
	_ adjoint.Stepper = (*L96)(nil)
	_ adjoint.Stepper = (*L63)(nil)
	_ adjoint.Stepper = (*Composed)(nil)
)

// TestRevolveL96MatchesStoreAll is the CI-sized version of the N = 10⁶ target: 1000 RK4
// steps of Lorenz-96 with N = 10⁴ under Revolve with 20 snapshots take exactly the forward
// steps of the binomial schedule, hold exactly 20 states, and give the gradient of StoreAll
// (which holds 1000) to the last bit, for x_0 and F.
func TestRevolveL96MatchesStoreAll(t *testing.T) {
	const steps, snaps = 1000, 20
	n := 10_000
	if testing.Short() {
		n = 1000 // the schedule, and so the step count, does not depend on n
	}
	m, x0, cost := benchSetup(n)
	var c adjoint.LoopCost = cost
	grad := func(p adjoint.Policy, tape ...bool) ([]float64, []float64, float64, adjoint.LoopStats) {
		l := &adjoint.Loop{Model: m, Policy: p, Tape: len(tape) > 0}
		gx, gp := make([]float64, n), make([]float64, 1)
		J, err := l.Gradient(gx, gp, x0, steps, c)
		if err != nil {
			t.Fatal(err)
		}
		return gx, gp, J, l.Stats
	}
	gx, gp, J, all := grad(adjoint.StoreAll{})
	rx, rp, rJ, rev := grad(adjoint.Revolve{Snapshots: snaps})
	if all.Snapshots != steps || all.Recomputed != 0 {
		t.Errorf("StoreAll: %+v", all)
	}
	if want := adjoint.RevolveForward(steps, snaps) + 1; rev.Forward != want || rev.Snapshots != snaps {
		t.Errorf("Revolve: %d forward steps with %d snapshots, want %d with %d", rev.Forward, rev.Snapshots, want, snaps)
	}
	if rJ != J || rp[0] != gp[0] {
		t.Errorf("Revolve J = %v, ∂J/∂F = %v; StoreAll %v, %v", rJ, rp[0], J, gp[0])
	}
	for i := range gx {
		if math.Float64bits(rx[i]) != math.Float64bits(gx[i]) {
			t.Fatalf("∂J/∂x0[%d]: Revolve %v, StoreAll %v", i, rx[i], gx[i])
		}
	}
	// With the RK4 stage tape: the same bits.
	for _, p := range []adjoint.Policy{adjoint.StoreAll{}, adjoint.Revolve{Snapshots: snaps}} {
		tx, tp, tJ, _ := grad(p, true)
		if tJ != J || tp[0] != gp[0] || !bitsEqual(tx, gx) {
			t.Errorf("%#v with the stage tape: gradient differs from StoreAll's", p)
		}
	}
	t.Logf("StoreAll: %d states; Revolve: %d states, %d forward steps (%d recomputed)", all.Snapshots, rev.Snapshots, rev.Forward, rev.Recomputed)
}

// TestRevolveL96MillionUnder2GiB is the memory target: the gradient of a 1000-step
// RK4 window of Lorenz-96 with N = 10⁶ (x_0 and F) with a peak resident memory under 2 GiB,
// where storing every state would take 8 GB and every RK4 stage 32 GB. With 100 snapshots
// (800 MB) it takes 1899 forward steps and about 25 s, peaking at 0.9 GiB; too long for the
// default test run, so it runs only with ADJUNTO_LONG=1:
//
//	ADJUNTO_LONG=1 go test -run Million -v ./models/lorenz/
func TestRevolveL96MillionUnder2GiB(t *testing.T) {
	if os.Getenv("ADJUNTO_LONG") == "" {
		t.Skip("set ADJUNTO_LONG=1 to run the N = 10⁶, 1000-step revolve gradient (about 25 s, 0.9 GiB)")
	}
	const n, steps, snaps = 1_000_000, 1000, 100
	m, x0, cost := benchSetup(n)
	l := &adjoint.Loop{Model: m, Policy: adjoint.Revolve{Snapshots: snaps}}
	gx, gp := make([]float64, n), make([]float64, 1)
	start := time.Now()
	J, err := l.Gradient(gx, gp, x0, steps, cost)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	peak := peakRSS(t)
	s := l.Stats
	t.Logf("N = %d, %d steps, Revolve{%d}: J = %.6g, ∂J/∂F = %.6g, %d forward steps (%d recomputed), %d states held; %.1f s; peak RSS %.0f MiB",
		n, steps, snaps, J, gp[0], s.Forward, s.Recomputed, s.Snapshots, elapsed.Seconds(), float64(peak)/(1<<20))
	if peak >= 2<<30 {
		t.Errorf("peak resident memory %d MiB, target < 2048 MiB", peak>>20)
	}
	if want := adjoint.RevolveForward(steps, snaps) + 1; s.Forward != want || s.Snapshots != snaps {
		t.Errorf("%d forward steps with %d snapshots, want %d with %d", s.Forward, s.Snapshots, want, snaps)
	}
}

func bitsEqual(a, b []float64) bool {
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return len(a) == len(b)
}

// peakRSS returns the process's peak resident set size (VmHWM) in bytes.
func peakRSS(t *testing.T) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status to read the peak memory from: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal(fmt.Errorf("no VmHWM in /proc/self/status"))
	return 0
}

package fourdvar_test

import (
	"bufio"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/models/lorenz"
)

// longWindow is a Lorenz-96 window of n variables and steps steps (F = 8, dt = 0.05, RK4)
// with every variable observed every obsEvery steps (σ_o = 1) and B = 0.3² I (a Gaussian B
// of 10⁵ variables would dominate the run). The truth is stepped on, never stored: its
// trajectory alone would take steps·n·8 bytes.
func longWindow(tb testing.TB, n, steps, obsEvery int) *fourdvar.Window {
	m, err := lorenz.NewL96(n)
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, n)
	for i := range x {
		x[i] = 8 + rng.NormFloat64()
	}
	work := make([]float64, 2*n)
	fourdvar.Forecast(m, x, x, 200, work)
	w := &fourdvar.Window{Model: m, Steps: steps, B: fourdvar.ScaledIdentity{N: n, Sigma: 0.3}, Xb: make([]float64, n)}
	for i := range w.Xb {
		w.Xb[i] = x[i] + 0.3*rng.NormFloat64()
	}
	id := fourdvar.Identity(n)
	sigma := make([]float64, n)
	for i := range sigma {
		sigma[i] = 1
	}
	for k := 0; k <= steps; k++ {
		if k > 0 {
			fourdvar.Forecast(m, x, x, 1, work)
		}
		if k%obsEvery != 0 {
			continue
		}
		y := make([]float64, n)
		for i := range y {
			y[i] = x[i] + rng.NormFloat64()
		}
		w.Obs = append(w.Obs, fourdvar.Batch{Step: k, H: id, Y: y, Sigma: sigma})
	}
	return w
}

// peakRSS returns the process's peak resident set size in MiB (VmHWM), or 0 when
// /proc/self/status cannot be read.
func peakRSS() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkLongWindowRevolve measures one 4DVar gradient of a Lorenz-96 window of 10⁵
// variables and 1000 steps (observed every 50 steps) under Revolve with its default
// snapshots (⌈log₂ 1000⌉ + 1 = 11), and reports the checkpoints' memory and the process's
// peak RSS. Storing every state would take 1001·10⁵·8 B ≈ 764 MiB for the trajectory alone
// (3.7 GiB with the step tapes). It takes tens of seconds and about 0.3 GiB, so it runs only
// with ADJUNTO_LONG=1:
//
//	ADJUNTO_LONG=1 go test -run '^$' -bench LongWindowRevolve -benchtime 1x ./fourdvar
func BenchmarkLongWindowRevolve(b *testing.B) {
	if os.Getenv("ADJUNTO_LONG") == "" {
		b.Skip("set ADJUNTO_LONG=1 to run the 10⁵-variable, 1000-step gradient")
	}
	const n, steps = 100_000, 1000
	w := longWindow(b, n, steps, 50)
	c := fourdvar.NewStrong(w)
	c.Checkpoint = adjoint.Revolve{}
	z := make([]float64, c.Len())
	grad := make([]float64, c.Len())
	for b.Loop() {
		c.FuncGrad(grad, z)
	}
	b.ReportMetric(float64(fourdvar.CheckpointBytes(w.Model, steps, c.Checkpoint))/(1<<20), "checkpoint-MiB")
	b.ReportMetric(peakRSS(), "peak-RSS-MiB")
}

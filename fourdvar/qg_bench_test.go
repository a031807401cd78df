package fourdvar_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/models/qg"
)

// qgWindow is one window of the default QG twin experiment ("adjunto fourdvar --model qg")
// on an n×n grid: 20 steps from a truth spun up for qg.DefaultSpinUp steps, ψ observed with
// σ_o = 2 every 4 steps at 5% of the grid's number of points, positions drawn anew at each
// time and interpolated bilinearly, a background with errors drawn from the Gaussian of
// σ = 1 and L = 3 grid points at 64² (the same physical length at other sizes), and the B
// of the default, σ_b = 0.5 with the same L: the first cycle of the default twin. Windows
// are built once per size and kept, since the spin-up dominates.
func qgWindow(b testing.TB, n int) (*fourdvar.Window, []float64) {
	if w, ok := qgWindows[n]; ok {
		return w.w, w.truth
	}
	m, err := qg.New(n)
	if err != nil {
		b.Fatal(err)
	}
	x := m.InitialState(1)
	fourdvar.Forecast(m, x, x, qg.DefaultSpinUp, nil)
	const steps = 20
	traj := fourdvar.Trajectory(m, x, steps)
	length := 3 * float64(n) / 64
	rng := rand.New(rand.NewPCG(1, 2))
	w := &fourdvar.Window{Model: m, Steps: steps, B: fourdvar.NewGaussianGrid(n, n, 0.5, length), Xb: make([]float64, m.Dim())}
	fourdvar.Sample(w.Xb, fourdvar.NewGaussianGrid(n, n, 1, length), rng)
	for i := range w.Xb {
		w.Xb[i] += x[i]
	}
	nobs := int(math.Round(0.05 * float64(m.Dim())))
	for k := 0; k <= steps; k += 4 {
		pts := make([]fourdvar.Point, nobs)
		for i := range pts {
			pts[i] = fourdvar.Point{X: rng.Float64() * float64(n), Y: rng.Float64() * float64(n)}
		}
		h, err := fourdvar.Bilinear(n, n, pts)
		if err != nil {
			b.Fatal(err)
		}
		bt := fourdvar.Batch{Step: k, H: h, Y: make([]float64, nobs), Sigma: make([]float64, nobs)}
		h.Apply(bt.Y, traj[k])
		for i := range bt.Y {
			bt.Y[i] += 2 * rng.NormFloat64()
			bt.Sigma[i] = 2
		}
		w.Obs = append(w.Obs, bt)
	}
	qgWindows[n] = qgCase{w, traj[0]}
	return w, traj[0]
}

type qgCase struct {
	w     *fourdvar.Window
	truth []float64
}

var qgWindows = map[int]qgCase{}

func rmse(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return math.Sqrt(s / float64(len(a)))
}

// BenchmarkQGCycle runs one 4DVar analysis of the default QG window on 64² and 128² grids,
// L-BFGS until ‖∇J‖ has fallen by 1e-4, and reports its iterations and the RMSE of the
// background and of the analysis at the window's start. J alone and J with its gradient are
// timed beside it, for the gradient/cost ratio.
func BenchmarkQGCycle(b *testing.B) {
	for _, n := range []int{64, 128} {
		if testing.Short() && n > 64 {
			continue
		}
		w, truth := qgWindow(b, n)
		b.Run(fmt.Sprintf("%d/analysis", n), func(b *testing.B) {
			var st fourdvar.Stats
			var za []float64
			for b.Loop() {
				var err error
				za, st, err = fourdvar.Minimizer{GradReduction: 1e-4, MaxIterations: 500}.Minimize(fourdvar.NewStrong(w))
				if err != nil {
					b.Fatal(err)
				}
			}
			c := fourdvar.NewStrong(w)
			xa := make([]float64, len(truth))
			c.Initial(xa, za)
			b.ReportMetric(float64(st.Iterations), "iterations")
			b.ReportMetric(float64(st.Evaluations), "evaluations")
			b.ReportMetric(rmse(w.Xb, truth), "rmse_b")
			b.ReportMetric(rmse(xa, truth), "rmse_a0")
		})
		c := fourdvar.NewStrong(w)
		z := make([]float64, c.Len())
		grad := make([]float64, c.Len())
		// J and J+∇J alternate (A B A B), so that a loaded machine slows both alike; the
		// metric is the ratio of their total times.
		b.Run(fmt.Sprintf("%d/gradient-over-cost", n), func(b *testing.B) {
			var tj, tg time.Duration
			for b.Loop() {
				t0 := time.Now()
				c.Func(z)
				t1 := time.Now()
				c.FuncGrad(grad, z)
				tj, tg = tj+t1.Sub(t0), tg+time.Since(t1)
			}
			b.ReportMetric(float64(tg)/float64(tj), "grad/cost")
		})
		b.Run(fmt.Sprintf("%d/J", n), func(b *testing.B) {
			for b.Loop() {
				c.Func(z)
			}
		})
		b.Run(fmt.Sprintf("%d/J+gradient", n), func(b *testing.B) {
			for b.Loop() {
				c.FuncGrad(grad, z)
			}
		})
	}
}

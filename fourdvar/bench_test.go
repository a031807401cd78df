package fourdvar_test

import (
	"math/rand/v2"
	"testing"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/models/lorenz"
)

// benchWindow is a Lorenz-96 window (N=40, F=8, dt=0.05, RK4) of the given steps with every
// variable observed at every step (σ_o = 1) from a truth on the attractor, and a background
// with errors drawn from B.
func benchWindow(b testing.TB, steps int, bcov fourdvar.Covariance) *fourdvar.Window {
	m, err := lorenz.NewL96(40)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 40)
	for i := range x {
		x[i] = 8 + rng.NormFloat64()
	}
	fourdvar.Forecast(m, x, x, 1000, nil)
	traj := fourdvar.Trajectory(m, x, steps)
	w := &fourdvar.Window{Model: m, Steps: steps, B: bcov, Xb: make([]float64, 40)}
	fourdvar.Sample(w.Xb, bcov, rng)
	for i := range w.Xb {
		w.Xb[i] += x[i]
	}
	id := fourdvar.Identity(40)
	for k := 1; k <= steps; k++ {
		bt := fourdvar.Batch{Step: k, H: id, Y: make([]float64, 40), Sigma: make([]float64, 40)}
		for i := range bt.Y {
			bt.Y[i] = traj[k][i] + rng.NormFloat64()
			bt.Sigma[i] = 1
		}
		w.Obs = append(w.Obs, bt)
	}
	return w
}

// BenchmarkCost measures one evaluation of the default window's cost (8 steps, B Gaussian
// with σ_b = 0.3 and L = 1, as "adjunto fourdvar" runs it), alone and with its gradient by
// the adjoint integration. The issue asks for the gradient to cost at most 3× the cost.
func BenchmarkCost(b *testing.B) {
	w := benchWindow(b, 8, fourdvar.NewGaussianCircle(40, 0.3, 1))
	c := fourdvar.NewStrong(w)
	z := make([]float64, c.Len())
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range z {
		z[i] = rng.NormFloat64()
	}
	grad := make([]float64, c.Len())
	b.Run("J", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.Func(z)
		}
	})
	b.Run("J+gradient", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.FuncGrad(grad, z)
		}
	})
	b.Run("GaussNewtonVec", func(b *testing.B) {
		b.ReportAllocs()
		scratch := make([]float64, c.NumObs())
		c.Linearize(z)
		for b.Loop() {
			c.GaussNewtonVec(grad, z, scratch)
		}
	})
}

// BenchmarkWindow20 minimises a 20-step Lorenz-96 (N=40) window, every variable observed at
// every step with σ_o = 1 and B = I, from the background with L-BFGS, for comparison with
// PyTorch autograd and scipy's L-BFGS-B (0.53 s on this machine: 136 iterations, 155
// evaluations). The run stops when ‖∇J‖ has fallen by 1e-6.
func BenchmarkWindow20(b *testing.B) {
	w := benchWindow(b, 20, fourdvar.ScaledIdentity{N: 40, Sigma: 1})
	var st fourdvar.Stats
	for b.Loop() {
		var err error
		_, st, err = fourdvar.Minimizer{}.Minimize(fourdvar.NewStrong(w))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.Iterations), "iterations")
	b.ReportMetric(float64(st.Evaluations), "evaluations")
	b.ReportMetric(st.GradReduction(), "grad-reduction")
}

// BenchmarkDefaultTwin runs the experiment of "adjunto fourdvar" with no flags (100 cycles of
// 8-step windows) without writing files.
func BenchmarkDefaultTwin(b *testing.B) {
	for b.Loop() {
		m, _ := lorenz.NewL96(40)
		tw := &fourdvar.Twin{Model: m, Cycles: 100, BurnIn: 10, Seed: 1, Window: 8,
			B: fourdvar.NewGaussianCircle(40, 0.3, 1)}
		if _, err := tw.Run(); err != nil {
			b.Fatal(err)
		}
	}
}

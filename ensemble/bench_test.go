package ensemble

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/models/lorenz"
)

// benchCase returns a 20-member Lorenz-96 (N = 40) ensemble about a state on the attractor,
// with spread 0.3, and observations of every variable (σ_o = 1) at each of the first steps
// steps after it, from a truth of the same attractor.
func benchCase(b *testing.B, steps int) (*Propagator, *mat.Dense, []fourdvar.Batch) {
	const n, members = 40, 20
	newModel := func() Model { m, _ := lorenz.NewL96(n); return m }
	p := NewPropagator(newModel, 0)
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, n)
	for i := range x {
		x[i] = 8 + rng.NormFloat64()
	}
	fourdvar.Forecast(p.Model(), x, x, 1000, nil)
	e := mat.NewDense(members, n, nil)
	for i := range members {
		for j := range n {
			e.Set(i, j, x[j]+0.3*rng.NormFloat64())
		}
	}
	h := fourdvar.Identity(n)
	var obs []fourdvar.Batch
	for k := 1; k <= max(steps, 1); k++ {
		fourdvar.Forecast(p.Model(), x, x, 1, nil)
		bt := fourdvar.Batch{Step: k, H: h, Y: make([]float64, n), Sigma: make([]float64, n)}
		for j := range n {
			bt.Y[j], bt.Sigma[j] = x[j]+rng.NormFloat64(), 1
		}
		obs = append(obs, bt)
	}
	return p, e, obs
}

// BenchmarkETKF measures one ETKF analysis of 20 members of Lorenz-96 (N = 40), every
// variable observed, beside the forecast of the same ensemble over one observation interval
// of sakov2008 (one step) that each analysis alternates with.
func BenchmarkETKF(b *testing.B) {
	p, e0, obs := benchCase(b, 1)
	e := mat.DenseCopyOf(e0)
	b.Run("analysis", func(b *testing.B) {
		var f ETKF
		for b.Loop() {
			e.Copy(e0)
			f.Analyse(e, obs[:1])
		}
	})
	b.Run("forecast-1-step", func(b *testing.B) {
		for b.Loop() {
			e.Copy(e0)
			p.Forecast(e, 1)
		}
	})
}

// BenchmarkIEnKSCycle measures one iEnKS cycle (Gauss–Newton over a window of 12
// observation intervals of sakov2008, 12 steps, the newest observed, then the forecast of the
// analysis through the window) with 20 members of Lorenz-96 (N = 40), beside the
// strong-constraint 4DVar analysis of the same window with all 12 observation times and
// B = 0.05² I (the sakov2008 preset's MDA window is 48 steps), minimised by L-BFGS with the
// exact adjoint.
func BenchmarkIEnKSCycle(b *testing.B) {
	const steps = 12
	p, e, obs := benchCase(b, steps)
	b.Run("ienks", func(b *testing.B) {
		s := &IEnKS{Lag: 12}
		var it int
		for b.Loop() {
			wa := s.Analyse(p, e, steps, obs[steps-1:], 1)
			it = wa.Stats.Iterations
		}
		b.ReportMetric(float64(it), "iterations")
	})
	b.Run("4dvar-same-window", func(b *testing.B) {
		xb := make([]float64, 40)
		Mean(xb, e)
		w := &fourdvar.Window{Model: p.Model(), Steps: steps, Xb: xb, B: fourdvar.ScaledIdentity{N: 40, Sigma: 0.05}, Obs: obs}
		var it int
		for b.Loop() {
			_, st, err := fourdvar.Minimizer{}.Minimize(fourdvar.NewStrong(w))
			if err != nil {
				b.Fatal(err)
			}
			it = st.Iterations
		}
		b.ReportMetric(float64(it), "iterations")
	})
}

// BenchmarkLETKFGrid measures one LETKF analysis on the QG twin's scale (a 64² periodic grid,
// 25 members, 5% of the points observed, Gaspari–Cohn half-width 8 points) with the local
// analyses on one goroutine and on two: the ratio is the parallel gain of the local
// analyses alone, which the bits do not depend on.
func BenchmarkLETKFGrid(b *testing.B) {
	const nx, members = 64, 25
	n := nx * nx
	rng := rand.New(rand.NewPCG(3, 4))
	e0 := mat.NewDense(members, n, nil)
	for i := range members {
		for j := range n {
			e0.Set(i, j, 0.3*rng.NormFloat64())
		}
	}
	idx := rng.Perm(n)[:n/20]
	bt := fourdvar.Batch{H: fourdvar.Subset(n, idx), Y: make([]float64, len(idx)), Sigma: make([]float64, len(idx))}
	for j := range idx {
		bt.Y[j], bt.Sigma[j] = rng.NormFloat64(), 0.5
	}
	e := mat.DenseCopyOf(e0)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers-%d", workers), func(b *testing.B) {
			f := &LETKF{Radius: 8, Distance: GridDistance(nx, nx), Workers: workers}
			for b.Loop() {
				e.Copy(e0)
				f.Analyse(e, []fourdvar.Batch{bt})
			}
		})
	}
}

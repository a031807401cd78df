package main

import (
	"math/rand/v2"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/models/lorenz"
	"github.com/adjunto/adjunto/verify"
)

// verifyFourDVar checks whole 4DVar cost functions on the default Lorenz-96 window (N=40,
// 8 steps of 0.05, every variable observed every step, σ_o = 1, Gaussian B): the
// tangent-linear and adjoint of the window's observation misfits (dot-product and Taylor
// tests, gradient and finite-difference checks of a weighted sum), and the gradient of J
// itself from the adjoint integration (Taylor, gradient and finite-difference checks), for
// strong-constraint 4DVar, for 4DVar that also estimates F with a nonlinear H, and for
// weak-constraint 4DVar.
func verifyFourDVar(seed uint64) []verify.Report {
	s := verify.Settings{Seed: seed}
	// The window is a composite of 8 RK4 steps and 9 operators: the contract's 1e-10 for
	// long composites.
	s.Tolerances.DotProduct = 1e-10
	var reports []verify.Report

	strong, z := verifyWindow(seed, false)
	reports = append(reports, verify.All("fourdvar/strong/misfit", misfitFunc(strong), z, s)...)
	reports = append(reports, verify.All("fourdvar/strong/J", costFunc(strong), z, s)...)

	params, zp := verifyWindow(seed, true)
	reports = append(reports, verify.All("fourdvar/params+x²/misfit", misfitFunc(params), zp, s)...)
	reports = append(reports, verify.All("fourdvar/params+x²/J", costFunc(params), zp, s)...)

	weak := fourdvar.NewWeak(strong.W, fourdvar.ScaledIdentity{N: strong.W.Model.Dim(), Sigma: 0.1})
	rng := rand.New(rand.NewPCG(seed, 7))
	zw := make([]float64, weak.Len())
	for i := range zw {
		zw[i] = 0.3 * rng.NormFloat64()
	}
	reports = append(reports, verify.All("fourdvar/weak/J", costFunc(weak), zw, s)...)
	return reports
}

// verifyWindow builds the default window from a truth run of seed, with observations of
// every variable every step; with params it also estimates F and observes x² at step 4.
// It returns the cost and a control vector near the background.
func verifyWindow(seed uint64, params bool) (*fourdvar.Strong, []float64) {
	m, _ := lorenz.NewL96(40)
	n := m.Dim()
	rng := rand.New(rand.NewPCG(seed, 3))
	x := make([]float64, n)
	for i := range x {
		x[i] = 8 + rng.NormFloat64()
	}
	fourdvar.Forecast(m, x, x, 500, nil)
	const steps = 8
	traj := fourdvar.Trajectory(m, x, steps)
	w := &fourdvar.Window{Model: m, Steps: steps, B: fourdvar.NewGaussianCircle(n, 0.3, 1)}
	w.Xb = make([]float64, n)
	fourdvar.Sample(w.Xb, w.B, rng)
	for i := range w.Xb {
		w.Xb[i] += traj[0][i]
	}
	id := fourdvar.Identity(n)
	for k := 1; k <= steps; k++ {
		b := fourdvar.Batch{Step: k, H: id, Y: make([]float64, n), Sigma: make([]float64, n)}
		for i := range b.Y {
			b.Y[i] = traj[k][i] + rng.NormFloat64()
			b.Sigma[i] = 1
		}
		w.Obs = append(w.Obs, b)
	}
	if params {
		sq := fourdvar.Squared(n, []int{0, 5, 10, 15, 20})
		b := fourdvar.Batch{Step: 4, H: sq, Y: make([]float64, sq.Out()), Sigma: make([]float64, sq.Out())}
		sq.Apply(b.Y, traj[4])
		for i := range b.Sigma {
			b.Sigma[i] = 5
		}
		w.Obs = append(w.Obs, b)
		w.Pb = []float64{8.5}
		w.BP = fourdvar.ScaledIdentity{N: 1, Sigma: 0.5}
	}
	c := fourdvar.NewStrong(w)
	z := make([]float64, c.Len())
	for i := range z {
		z[i] = 0.3 * rng.NormFloat64()
	}
	return c, z
}

// misfitFunc is the map from the control vector to the whitened misfits, with the window's
// tangent-linear (JacVec) and adjoint (JacTVec) integrations.
func misfitFunc(c *fourdvar.Strong) verify.Func {
	return verify.Func{
		N: c.Len(), M: c.NumObs(),
		F:         func(y, z []float64) { c.Misfit(y, z) },
		Linearize: func(z []float64) { c.Linearize(z) },
		Tangent:   c.JacVec,
		Adjoint:   c.JacTVec,
	}
}

// costFunc is J itself, whose linearisation is the gradient from one adjoint integration.
func costFunc(c fourdvar.Cost) verify.Func {
	grad := make([]float64, c.Len())
	return verify.Func{
		N: c.Len(), M: 1,
		F:         func(y, z []float64) { y[0] = c.Func(z) },
		Linearize: func(z []float64) { c.FuncGrad(grad, z) },
		Tangent: func(dy, dz []float64) {
			var s float64
			for i, g := range grad {
				s += g * dz[i]
			}
			dy[0] = s
		},
		Adjoint: func(az, ay []float64) {
			for i, g := range grad {
				az[i] += g * ay[0]
			}
		},
	}
}

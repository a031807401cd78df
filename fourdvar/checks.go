package fourdvar

import (
	"math/rand/v2"

	"github.com/adjunto/adjunto/verify"
)

// Checks proves whole 4DVar cost functions right with package verify, as
// "adjunto verify --model fourdvar" prints, on an 8-step window of m (the default Lorenz-96
// there) with every variable observed every step (σ_o = 1) and a Gaussian B on the circle: the
// tangent-linear and adjoint of the window's observation misfits (dot-product and Taylor
// tests, gradient and finite-difference checks of a weighted sum), and the gradient of J
// itself from the adjoint integration (Taylor, gradient and finite-difference checks), for
// strong-constraint 4DVar, for 4DVar that also estimates F with a nonlinear H, and for
// weak-constraint 4DVar.
func Checks(m Model, seed uint64) []verify.Report {
	s := verify.Settings{Seed: seed}
	// The window is a composite of 8 RK4 steps and 9 operators: the contract's 1e-10 for
	// long composites.
	s.Tolerances.DotProduct = 1e-10
	var reports []verify.Report

	strong, z := checkWindow(m, seed, false)
	reports = append(reports, verify.All("fourdvar/strong/misfit", misfitFunc(strong), z, s)...)
	reports = append(reports, verify.All("fourdvar/strong/J", costFunc(strong), z, s)...)

	if m.NumParams() > 0 {
		params, zp := checkWindow(m, seed, true)
		reports = append(reports, verify.All("fourdvar/params+x²/misfit", misfitFunc(params), zp, s)...)
		reports = append(reports, verify.All("fourdvar/params+x²/J", costFunc(params), zp, s)...)
	}

	weak := NewWeak(strong.W, ScaledIdentity{N: strong.W.Model.Dim(), Sigma: 0.1})
	rng := rand.New(rand.NewPCG(seed, 7))
	zw := make([]float64, weak.Len())
	for i := range zw {
		zw[i] = 0.3 * rng.NormFloat64()
	}
	reports = append(reports, verify.All("fourdvar/weak/J", costFunc(weak), zw, s)...)
	return reports
}

// checkWindow builds an 8-step window of m from a truth run of seed (spun up for 500 steps
// from 8 + N(0, 1) in every variable, a start that reaches the Lorenz attractors), with
// observations of every variable every step; with params it also estimates the model's
// parameters and observes x² of five variables at step 4. It returns the cost and a control
// vector near the background.
func checkWindow(m Model, seed uint64, params bool) (*Strong, []float64) {
	n := m.Dim()
	rng := rand.New(rand.NewPCG(seed, 3))
	x := make([]float64, n)
	for i := range x {
		x[i] = 8 + rng.NormFloat64()
	}
	Forecast(m, x, x, 500, nil)
	const steps = 8
	traj := Trajectory(m, x, steps)
	w := &Window{Model: m, Steps: steps, B: NewGaussianCircle(n, 0.3, 1)}
	w.Xb = make([]float64, n)
	Sample(w.Xb, w.B, rng)
	for i := range w.Xb {
		w.Xb[i] += traj[0][i]
	}
	id := Identity(n)
	for k := 1; k <= steps; k++ {
		b := Batch{Step: k, H: id, Y: make([]float64, n), Sigma: make([]float64, n)}
		for i := range b.Y {
			b.Y[i] = traj[k][i] + rng.NormFloat64()
			b.Sigma[i] = 1
		}
		w.Obs = append(w.Obs, b)
	}
	if params {
		var idx []int
		for i := 0; i < n && len(idx) < 5; i += max(1, n/5) {
			idx = append(idx, i)
		}
		sq := Squared(n, idx)
		b := Batch{Step: 4, H: sq, Y: make([]float64, sq.Out()), Sigma: make([]float64, sq.Out())}
		sq.Apply(b.Y, traj[4])
		for i := range b.Sigma {
			b.Sigma[i] = 5
		}
		w.Obs = append(w.Obs, b)
		w.Pb = m.Params()
		for i := range w.Pb {
			w.Pb[i] += 0.5
		}
		w.BP = ScaledIdentity{N: len(w.Pb), Sigma: 0.5}
	}
	c := NewStrong(w)
	z := make([]float64, c.Len())
	for i := range z {
		z[i] = 0.3 * rng.NormFloat64()
	}
	return c, z
}

// misfitFunc is the map from the control vector to the whitened misfits, with the window's
// tangent-linear (JacVec) and adjoint (JacTVec) integrations.
func misfitFunc(c *Strong) verify.Func {
	return verify.Func{
		N: c.Len(), M: c.NumObs(),
		F:         func(y, z []float64) { c.Misfit(y, z) },
		Linearize: func(z []float64) { c.Linearize(z) },
		Tangent:   c.JacVec,
		Adjoint:   c.JacTVec,
	}
}

// costFunc is J itself, whose linearisation is the gradient from one adjoint integration.
func costFunc(c Cost) verify.Func {
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

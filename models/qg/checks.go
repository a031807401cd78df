package qg

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/adjunto/adjunto/models/lorenz"
	"github.com/adjunto/adjunto/verify"
)

// DefaultSpinUp is the number of steps after which a run of the default model from
// InitialState has reached its statistically steady state (see the package documentation
// for how this was checked).
const DefaultSpinUp = 5000

// InitialState returns the start of the default runs: the forced zonal jet
// −5 sin(2πKy) plus two large-scale waves of seeded amplitudes and phases, which seed the
// jet's instability.
func (m *Model) InitialState(seed uint64) []float64 {
	rnd := rand.New(rand.NewPCG(seed, 0x7167))
	a1, p1, a2, p2 := rnd.NormFloat64(), rnd.Float64(), rnd.NormFloat64(), rnd.Float64()
	x := make([]float64, m.Dim())
	for i := range x {
		gx, gy := m.Grid(i)
		x[i] = -5*math.Sin(2*math.Pi*float64(m.K)*gy) + a1*math.Cos(2*math.Pi*(gx+p1)) + a2*math.Cos(2*math.Pi*(2*gx+gy+p2))
	}
	return x
}

// Checks proves the model's derivatives with package verify, as "adjunto verify --model qg"
// prints. On a 16² grid (forcing wavenumber 2, the dissipation scaled as at 64²), where the
// finite-difference check over all 256 inputs is cheap, it runs lorenz.ChecksAt: all four
// checks of the fused and the composed model over 1 and 10 steps, fused = composed over 10
// steps, and the dot-product test over 100 steps. On the default 64² model, at a state of
// its turbulent regime (spinUp steps from InitialState), it runs the dot-product test over
// 1 and 20 steps, the Taylor test over 10 steps and fused = composed over 10 steps.
func Checks(seed uint64, spinUp int) []verify.Report {
	small := &Model{N: 16, Dt: DefaultDt, F: DefaultF, R: DefaultR, Beta: DefaultBeta, Bottom: DefaultBottom,
		Hyper: DefaultHyper * math.Pow(8, 4), Forcing: DefaultForcing, K: 2}
	rnd := rand.New(rand.NewPCG(seed, 16))
	x0 := make([]float64, small.Dim())
	for i := range x0 {
		x0[i] = 5 * rnd.NormFloat64()
	}
	reports := lorenz.ChecksAt("qg16", small, x0, 10, 100, seed)

	m, err := New(DefaultN)
	if err != nil {
		panic(err) // the defaults are valid
	}
	x := m.InitialState(seed)
	if err := lorenz.Integrate(m, x, spinUp); err != nil {
		panic(fmt.Sprintf("qg: Checks: the default model blew up in its spin-up: %v", err))
	}
	name := fmt.Sprintf("qg%d", m.N)
	for _, k := range []int{1, 20} {
		fn, in := lorenz.WindowFunc(m, x, k)
		fn.Linearize(in)
		tol := 1e-12
		if k > 1 {
			tol = 1e-10
		}
		reports = append(reports, verify.DotProduct(fmt.Sprintf("%s/fused/%d-step", name, k), fn.N, fn.M, fn.Tangent, fn.Adjoint,
			rand.New(rand.NewPCG(seed, uint64(k))), tol))
	}
	fn, in := lorenz.WindowFunc(m, x, 10)
	fn.Linearize(in)
	dx := make([]float64, fn.N)
	for i := range dx {
		dx[i] = rnd.NormFloat64()
	}
	reports = append(reports, verify.Taylor(name+"/fused/10-step", fn.M, fn.F, fn.Tangent, in, dx, verify.DefaultTaylorTol))
	reports = append(reports, lorenz.FusedVsComposed(name+"/fused=composed/10-step", m, lorenz.NewComposed(m), x, 10, seed))
	return reports
}

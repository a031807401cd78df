package surrogate

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/adjunto/adjunto/models/lorenz"
	"github.com/adjunto/adjunto/nn"
	"github.com/adjunto/adjunto/verify"
)

// Checks proves the surrogate's engine-derived TL and AD with package verify, as
// "adjunto verify --model surrogate" prints: for a pure and a hybrid (Lorenz-96 with F = 6
// plus the network) model of a randomly initialised 5-16-16-1 tanh network on 40 points, all
// four checks of the map (x_0, w) ↦ x_K over 1 and 10 steps, and the dot-product test over
// 200 steps. It adds one report comparing the hybrid with its network silenced against the
// fused Lorenz-96 step of package lorenz.
func Checks(seed uint64) []verify.Report {
	var reports []verify.Report
	for _, hybrid := range []bool{false, true} {
		name := "surrogate"
		var phys Physics
		if hybrid {
			name, phys = "hybrid", L96(6)
		}
		m := checkModel(seed, phys, 1)
		x0 := lorenzPoint(seed)
		for _, k := range []int{1, 10} {
			s := verify.Settings{Seed: seed}
			if k > 1 {
				s.Tolerances.DotProduct = 1e-10
			}
			fn, in := lorenz.WindowFunc(m, x0, k)
			reports = append(reports, verify.All(fmt.Sprintf("%s/%d-step", name, k), fn, in, s)...)
		}
		fn, in := lorenz.WindowFunc(m, x0, 200)
		fn.Linearize(in)
		rnd := rand.New(rand.NewPCG(seed, 200))
		reports = append(reports, verify.DotProduct(name+"/200-step", fn.N, fn.M, fn.Tangent, fn.Adjoint, rnd, 1e-10))
	}
	return append(reports, silencedHybrid(seed))
}

// checkModel returns a model of a seeded 5-16-16-1 tanh network over batch states of 40
// points, with scalers of Lorenz-96's climatology so that the network sees values of order
// one.
func checkModel(seed uint64, phys Physics, batch int) *Model {
	net, err := nn.NewMLP("5-16-16-1:tanh", nn.MLPOptions{}, nn.Config{Seed: seed})
	if err != nil {
		panic(err) // a fixed valid spec
	}
	in := &nn.Scaler{Mean: make([]float64, 5), Std: make([]float64, 5)}
	for j := range 5 {
		in.Mean[j], in.Std[j] = 2.3, 3.6
	}
	m, err := New(&nn.Model{Network: net, InputScaler: in, TargetScaler: &nn.Scaler{Mean: []float64{0}, Std: []float64{3}}},
		Config{N: 40, Batch: batch, Physics: phys})
	if err != nil {
		panic(err)
	}
	return m
}

// lorenzPoint returns a state on the Lorenz-96 attractor (N = 40, F = 8) drawn from seed.
func lorenzPoint(seed uint64) []float64 {
	l96, err := lorenz.NewL96(40)
	if err != nil {
		panic(err)
	}
	rnd := rand.New(rand.NewPCG(seed, 0x73757272))
	x := make([]float64, 40)
	for i := range x {
		x[i] = 8 + rnd.NormFloat64()
	}
	if err := lorenz.Integrate(l96, x, 500); err != nil {
		panic(err)
	}
	return x
}

// silencedHybrid reports the largest relative difference over 100 steps between the hybrid
// model with all weights zero (the network then outputs its target mean, zero) and package
// lorenz's fused Lorenz-96 with the same F. The hybrid integrates lorenz.L96TendencyOn with
// lorenz's RK4 on the tape, the operations of the fused step in their order, so the two
// agree to the last bit over the whole run, chaos notwithstanding: tolerance 0.
func silencedHybrid(seed uint64) verify.Report {
	m := checkModel(seed, L96(6), 1)
	m.SetParams(make([]float64, m.NumParams()))
	l96, err := lorenz.NewL96(40)
	if err != nil {
		panic(err)
	}
	l96.F = 6
	x := lorenzPoint(seed)
	y := append([]float64(nil), x...)
	worst := 0.0
	for range 100 {
		m.Step(x, append([]float64(nil), x...))
		l96.Step(y, append([]float64(nil), y...))
		var num, den float64
		for i := range x {
			num += (x[i] - y[i]) * (x[i] - y[i])
			den += y[i] * y[i]
		}
		worst = max(worst, math.Sqrt(num/den))
	}
	const tol = 0
	return verify.Report{Name: "hybrid/zero-network=lorenz96/100-step", Test: "composed-vs-fused", Value: worst, Tolerance: tol, Pass: worst <= tol}
}

package lorenz

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/adjunto/adjunto/verify"
)

// ChecksL63 runs Checks on the default Lorenz-63 (σ, ρ, β = 10, 28, 8/3, dt = 0.01, RK4)
// over windows of 1 and 100 steps, under the name "lorenz63". It is what
// "adjunto verify --model lorenz63" prints.
func ChecksL63(seed uint64) []verify.Report {
	return Checks("lorenz63", NewL63(), 100, seed)
}

// ChecksL96 runs Checks on the default Lorenz-96 (N = 40, F = 8, dt = 0.05, RK4) over windows
// of 1 and 20 steps, under the name "lorenz96". It is what "adjunto verify --model lorenz96"
// prints.
func ChecksL96(seed uint64) []verify.Report {
	m, err := NewL96(DefaultL96N)
	if err != nil {
		panic(err) // the default N is valid: a failure is a programming error
	}
	return Checks("lorenz96", m, 20, seed)
}

// Checks proves a model's derivatives with package verify, reporting under name. It checks
// the fused and the composed (engine-derived) TL and AD with respect to the initial state and
// the parameters together, at a point of the attractor drawn from the seed: all four checks on one step and on a window of steps steps (one model time unit,
// within the horizon where the Taylor test can reach its tolerance in float64), the agreement
// of fused and composed over that window (1e-12 relative), and the dot-product test over
// 1000 steps, which holds however far past the predictability horizon the window reaches.
// Windows use the 1e-10 dot-product tolerance the contract allows long composites.
func Checks(name string, m Composable, steps int, seed uint64) []verify.Report {
	return ChecksAt(name, m, attractorPoint(m, seed), steps, 1000, seed)
}

// ChecksAt runs the checks of Checks at the state x0, with the long dot-product test over
// long steps: for models, such as package qg's, whose attractor a short run from a random
// start does not reach, or whose steps are too costly for 1000 of them.
func ChecksAt(name string, m Composable, x0 []float64, steps, long int, seed uint64) []verify.Report {
	c := NewComposed(m)
	var reports []verify.Report
	for _, k := range []int{1, steps} {
		s := verify.Settings{Seed: seed}
		if k > 1 {
			s.Tolerances.DotProduct = 1e-10
		}
		for _, v := range []struct {
			kind string
			m    Model
		}{{"fused", m}, {"composed", c}} {
			fn, in := WindowFunc(v.m, x0, k)
			reports = append(reports, verify.All(fmt.Sprintf("%s/%s/%d-step", name, v.kind, k), fn, in, s)...)
		}
	}
	reports = append(reports, FusedVsComposed(fmt.Sprintf("%s/fused=composed/%d-step", name, steps), m, c, x0, steps, seed))
	fn, in := WindowFunc(m, x0, long)
	fn.Linearize(in)
	rnd := rand.New(rand.NewPCG(seed, uint64(long)))
	reports = append(reports, verify.DotProduct(fmt.Sprintf("%s/fused/%d-step", name, long), fn.N, fn.M, fn.Tangent, fn.Adjoint, rnd, 1e-10))
	return reports
}

// attractorPoint returns a state on m's attractor: a seeded random start run for 500 steps.
func attractorPoint(m Model, seed uint64) []float64 {
	rnd := rand.New(rand.NewPCG(seed, 0x6c6f72))
	x := make([]float64, m.Dim())
	for i := range x {
		x[i] = 1 + rnd.NormFloat64()
	}
	if err := Integrate(m, x, 500); err != nil {
		panic(err) // the default models do not blow up from such a start
	}
	return x
}

// WindowFunc returns the map (x_0, p) ↦ x_K of steps steps of any model m as a verify.Func,
// for verify.All and verify.DotProduct, with the point (x0, m's current parameters). Each
// evaluation restores m's parameters afterwards.
func WindowFunc(m Model, x0 []float64, steps int) (verify.Func, []float64) {
	n, np := m.Dim(), m.NumParams()
	p0 := m.Params()
	w := &Window{Model: m, Steps: steps}
	in := append(append([]float64(nil), x0...), p0...)
	lin := append([]float64(nil), p0...) // the parameters of the last Linearize
	return verify.Func{
		N: n + np,
		M: n,
		F: func(y, in []float64) {
			m.SetParams(in[n:])
			defer m.SetParams(p0)
			copy(y, in[:n])
			if err := Integrate(m, y, steps); err != nil {
				// A perturbed point that blows up makes the checks' values non-finite,
				// which fails them; it needs no separate report.
				for i := range y {
					y[i] = math.NaN()
				}
			}
		},
		Linearize: func(at []float64) {
			copy(lin, at[n:])
			m.SetParams(lin)
			defer m.SetParams(p0)
			if err := w.Linearize(at[:n]); err != nil {
				panic(err)
			}
		},
		Tangent: func(dy, din []float64) {
			m.SetParams(lin)
			defer m.SetParams(p0)
			w.Tangent(dy, din[:n], din[n:])
		},
		Adjoint: func(ain, ay []float64) {
			m.SetParams(lin)
			defer m.SetParams(p0)
			w.Adjoint(ain[:n], ain[n:], ay)
		},
	}, in
}

// FusedVsComposed reports the largest relative difference, in the 2-norm, between the fused
// and the composed window TL (for a random (δx_0, δp)) and AD (for a random ỹ). Tolerance
// 1e-12: their forward trajectories agree bit for bit, so only the order of the chain
// rule's sums differs.
func FusedVsComposed(name string, fused, composed Model, x0 []float64, steps int, seed uint64) verify.Report {
	rnd := rand.New(rand.NewPCG(seed, 0x66757365))
	n, np := fused.Dim(), fused.NumParams()
	dx, dp, ay := normals(rnd, n), normals(rnd, np), normals(rnd, n)
	worst := 0.0
	var tl, ax, ap [2][]float64
	for i, m := range []Model{fused, composed} {
		w := &Window{Model: m, Steps: steps}
		if err := w.Linearize(x0); err != nil {
			panic(err)
		}
		tl[i], ax[i], ap[i] = make([]float64, n), make([]float64, n), make([]float64, np)
		w.Tangent(tl[i], dx, dp)
		w.Adjoint(ax[i], ap[i], ay)
	}
	for _, pair := range [][2][]float64{tl, ax, ap} {
		worst = max(worst, relDiff(pair[0], pair[1]))
	}
	const tol = 1e-12
	return verify.Report{Name: name, Test: "fused-vs-composed", Value: worst, Tolerance: tol, Pass: worst <= tol}
}

func normals(rnd *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rnd.NormFloat64()
	}
	return v
}

// relDiff returns ‖a − b‖/‖b‖, or 0 when both are zero; NaN propagates.
func relDiff(a, b []float64) float64 {
	var num, den float64
	for i := range a {
		num += (a[i] - b[i]) * (a[i] - b[i])
		den += b[i] * b[i]
	}
	if num == 0 {
		return 0
	}
	return math.Sqrt(num / den)
}

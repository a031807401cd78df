package verify

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
)

// Func is a differentiable map M: ℝⁿ → ℝᵐ given by its evaluation and its tangent-linear and
// adjoint models, the form in which All checks it. Nothing ties it to a tape: a hand-fused
// model step or a whole 4DVar cost fits as well as a recorded program (see NewTapeFunc).
type Func struct {
	// N and M are the input and output dimensions.
	N, M int

	// F writes y = M(x). It may be called at many points.
	F func(y, x []float64)

	// Linearize, if not nil, sets the point x at which Tangent and Adjoint apply, for example
	// by replaying a tape there. All calls it before each use of Tangent or Adjoint. When nil,
	// Tangent and Adjoint must not depend on the last call of F.
	Linearize func(x []float64)

	// Tangent writes dy = L δx (the TL model, a JVP) into a zeroed dy.
	Tangent func(dy, dx []float64)

	// Adjoint writes or accumulates ax = Lᵀ ỹ (the AD model, a VJP) into a zeroed ax.
	Adjoint func(ax, ay []float64)
}

// Settings configures All and the helpers built on it. The zero value works.
type Settings struct {
	// Tolerances of the four checks; the zero value gives the defaults.
	Tolerances Tolerances

	// Seed seeds the random directions and weights; zero is a valid seed, and the same seed
	// gives bit-identical reports.
	Seed uint64
}

// rand returns the generator for stream of s.Seed.
func (s Settings) rand(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(s.Seed, stream^0x9e3779b97f4a7c15))
}

// All runs the four checks on fn at x and returns their reports, named name, in the order
// dot-product, Taylor, gradient, finite-difference. The gradient and finite-difference checks
// apply to the scalar J(x) = w·M(x) with fixed random weights w (w = 1 when M is scalar),
// whose gradient Lᵀ w comes from the adjoint model; for a vector-valued M, this is how a
// reverse sweep is checked against differences of values. The random vectors are drawn from
// s.Seed.
//
// The directions avoid the one way a correct model can fail these tests: a direction nearly
// orthogonal to the gradient (or in the near-null space of L) makes the first-order term of the
// Taylor expansion small against the second-order term and the round-off, so no α in the table
// reaches the tolerance. The Taylor direction is therefore the draw with the largest
// ‖L δx‖/‖δx‖ of four uniform ones (which uses the tangent model only), and the gradient
// direction is a uniform draw u tilted towards the computed gradient g,
// h = u + sign(u·g)‖u‖ g/‖g‖, so that h·g ≥ ‖h‖‖g‖/2. A wrong gradient g′ still fails: ρ then
// tends to h·∇J / h·g′, which is 1 only on a set of u of measure zero (and exactly −1 for a
// sign error).
func All(name string, fn Func, x []float64, s Settings) []Report {
	if len(x) != fn.N {
		panic(fmt.Sprintf("verify: All: point of length %d for a map of %d inputs", len(x), fn.N))
	}
	rnd := s.rand(0)
	tol := s.Tolerances
	at := func() {
		if fn.Linearize != nil {
			fn.Linearize(x)
		}
	}
	tangent := func(dy, dx []float64) { at(); fn.Tangent(dy, dx) }
	adjoint := func(ax, ay []float64) { at(); fn.Adjoint(ax, ay) }

	dot := DotProduct(name, fn.N, fn.M, tangent, adjoint, rnd, tol.dotProduct())
	taylor := Taylor(name, fn.M, fn.F, tangent, x, taylorDirection(fn.N, fn.M, tangent, rnd), tol.taylor())

	w := []float64{1}
	if fn.M != 1 {
		w = normal(rnd, fn.M)
	}
	grad := make([]float64, fn.N)
	adjoint(grad, w)
	y := make([]float64, fn.M)
	J := func(x []float64) float64 {
		fn.F(y, x)
		return floats.Dot(w, y)
	}
	h := tilt(uniform(rnd, fn.N), grad)
	gradTest := GradientTest(name, J, grad, x, h, tol.gradient())
	fdCheck := FiniteDifference(name, J, grad, x, tol.finiteDifference())
	return []Report{dot, taylor, gradTest, fdCheck}
}

// taylorDirection returns the best-conditioned of four uniform draws in ℝⁿ for the Taylor
// test: the one with the largest ‖L δx‖/‖δx‖, so that the first-order term of the expansion
// is not small by chance.
func taylorDirection(n, m int, tangent func(dy, dx []float64), rnd *rand.Rand) []float64 {
	const draws = 4
	var best []float64
	bestGain := math.Inf(-1)
	dy := make([]float64, m)
	for range draws {
		dx := uniform(rnd, n)
		clear(dy)
		tangent(dy, dx)
		// A NaN gain never wins, so a NaN tangent keeps the first draw and the Taylor test
		// itself reports the NaN.
		if gain := floats.Norm(dy, 2) / floats.Norm(dx, 2); best == nil || gain > bestGain {
			best, bestGain = dx, gain
		}
	}
	return best
}

// tilt returns u + sign(u·g)‖u‖ g/‖g‖, a direction with h·g ≥ ‖h‖‖g‖/2; u itself when g is
// zero or not finite.
func tilt(u, g []float64) []float64 {
	ng := floats.Norm(g, 2)
	if ng == 0 || math.IsNaN(ng) || math.IsInf(ng, 0) {
		return u
	}
	c := floats.Norm(u, 2) / ng
	if floats.Dot(u, g) < 0 {
		c = -c
	}
	h := append([]float64(nil), u...)
	floats.AddScaled(h, c, g)
	return h
}

// Cost runs the gradient test and the finite-difference check on a scalar cost J with an
// adjoint-computed gradient: grad(g, x) writes ∇J(x) into g (zeroed first, so it may
// accumulate). It is All for a cost that has no useful tangent model of its own, such as a
// whole 4DVar cost or a network's loss: the direction of the gradient test is drawn from
// s.Seed and tilted towards the gradient as in All.
func Cost(name string, f func(x []float64) float64, grad func(g, x []float64), x []float64, s Settings) []Report {
	rnd := s.rand(1)
	g := make([]float64, len(x))
	grad(g, append([]float64(nil), x...))
	h := tilt(uniform(rnd, len(x)), g)
	return []Report{
		GradientTest(name, f, g, x, h, s.Tolerances.gradient()),
		FiniteDifference(name, f, g, x, s.Tolerances.finiteDifference()),
	}
}

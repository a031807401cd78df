package verify

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
)

// Default tolerances, from the verification contract in DESIGN.md.
const (
	// DefaultDotProductTol is the relative error allowed in ⟨L δx, ỹ⟩ = ⟨δx, Lᵀ ỹ⟩ for one
	// primitive: a few hundred ulps. Long composites accumulate more round-off; they pass
	// 1e-10 explicitly.
	DefaultDotProductTol = 1e-12

	// DefaultTaylorTol bounds the best relative residual e(α) of the Taylor test. With
	// α ≈ √ε ≈ 1e-8 a smooth map reaches e ≈ 1e-8; 1e-6 leaves room for curvature.
	DefaultTaylorTol = 1e-6

	// DefaultGradientTol bounds the best |ρ(α) − 1| of the gradient test, for the same reason.
	DefaultGradientTol = 1e-6

	// DefaultFiniteDifferenceTol bounds the relative error against central differences, whose
	// own error is about h² + ε/h ≈ 1e-10 at gonum's default step h ≈ 6e-6.
	DefaultFiniteDifferenceTol = 1e-7
)

// Tolerances holds the tolerance of each check. The zero value uses the defaults; a field that
// is zero (or negative) takes its default.
type Tolerances struct {
	// DotProduct is the dot-product test's tolerance; default DefaultDotProductTol (1e-12).
	DotProduct float64
	// Taylor is the Taylor test's tolerance; default DefaultTaylorTol (1e-6).
	Taylor float64
	// Gradient is the gradient test's tolerance; default DefaultGradientTol (1e-6).
	Gradient float64
	// FiniteDifference is the finite-difference check's tolerance; default
	// DefaultFiniteDifferenceTol (1e-7).
	FiniteDifference float64
}

func orDefault(tol, def float64) float64 {
	if tol > 0 {
		return tol
	}
	return def
}

func (t Tolerances) dotProduct() float64 { return orDefault(t.DotProduct, DefaultDotProductTol) }
func (t Tolerances) taylor() float64     { return orDefault(t.Taylor, DefaultTaylorTol) }
func (t Tolerances) gradient() float64   { return orDefault(t.Gradient, DefaultGradientTol) }
func (t Tolerances) finiteDifference() float64 {
	return orDefault(t.FiniteDifference, DefaultFiniteDifferenceTol)
}

// Alphas returns the steps of the Taylor and gradient tests, 10⁻¹ down to 10⁻⁸, in a new slice.
func Alphas() []float64 {
	return []float64{1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8}
}

// DotProduct runs the dot-product test of a linear map L: ℝⁿ → ℝᵐ given by its tangent
// (δy = L δx) and its adjoint (x̃ = Lᵀ ỹ), with δx and ỹ drawn from rnd (a fixed seed when
// rnd is nil). Its Value is |⟨L δx, ỹ⟩ − ⟨δx, Lᵀ ỹ⟩| relative to the Cauchy–Schwarz scale
// max(‖L δx‖‖ỹ‖, ‖δx‖‖Lᵀ ỹ‖), the size of the terms summed (see the package documentation). The destination passed to tangent and adjoint is zeroed before the call, so
// both conventions work: a callee may overwrite it (the TL rule) or accumulate into it (the AD
// rule). A tol ≤ 0 means DefaultDotProductTol.
func DotProduct(name string, n, m int, tangent func(dy, dx []float64), adjoint func(ax, ay []float64), rnd *rand.Rand, tol float64) Report {
	if rnd == nil {
		rnd = rand.New(rand.NewPCG(1, 2))
	}
	dx, ay := normal(rnd, n), normal(rnd, m)
	dy, ax := make([]float64, m), make([]float64, n)
	tangent(dy, dx)
	adjoint(ax, ay)
	lhs, rhs := floats.Dot(dy, ay), floats.Dot(dx, ax)
	scale := max(math.Abs(lhs), math.Abs(rhs), floats.Norm(dy, 2)*floats.Norm(ay, 2), floats.Norm(dx, 2)*floats.Norm(ax, 2))
	var value float64
	switch d := math.Abs(lhs - rhs); {
	case math.IsNaN(d):
		value = math.NaN()
	case d == 0:
		value = 0
	default:
		value = d / scale
	}
	return newReport(name, CheckDotProduct, value, orDefault(tol, DefaultDotProductTol), nil)
}

// Taylor runs the Taylor test of the map f: ℝⁿ → ℝᵐ (f(y, x) writes y = M(x), len(y) = m)
// against its tangent-linear model jvp (jvp(dy, dx) writes dy = L δx at x) in the direction
// dx, over the steps of Alphas. Its Value is the best relative residual e(α) (see the package
// documentation), and its Table the rows (α, r(α), e(α)). Taylor calls jvp once, into a
// zeroed destination, before its first call of f: a jvp that reads the trajectory of the last
// evaluation therefore sees the one the caller left, which should be the one at x. It does not
// modify x or dx. A tol ≤ 0 means DefaultTaylorTol.
func Taylor(name string, m int, f func(y, x []float64), jvp func(dy, dx []float64), x, dx []float64, tol float64) Report {
	if len(dx) != len(x) {
		panic(fmt.Sprintf("verify: Taylor: direction of length %d for point of length %d", len(dx), len(x)))
	}
	ldx := make([]float64, m)
	jvp(ldx, dx)
	y0, y := make([]float64, m), make([]float64, m)
	f(y0, append([]float64(nil), x...))
	den0 := floats.Norm(ldx, 2)

	xp, diff := make([]float64, len(x)), make([]float64, m)
	alphas := Alphas()
	table := make([]Row, len(alphas))
	best := math.NaN()
	for i, a := range alphas {
		floats.AddScaledTo(xp, x, a, dx)
		f(y, xp)
		floats.SubTo(diff, y, y0)
		num := floats.Norm(diff, 2)
		floats.AddScaled(diff, -a, ldx)
		ratio, e := quotient(num, a*den0), quotient(floats.Norm(diff, 2), a*den0)
		if num == 0 && den0 == 0 {
			e = 0
		}
		table[i] = Row{Alpha: a, Ratio: ratio, Error: e}
		best = nanMin(best, e)
	}
	return newReport(name, CheckTaylor, best, orDefault(tol, DefaultTaylorTol), table)
}

// quotient returns num/den, with 0/0 = 1 (no change predicted and none occurred).
func quotient(num, den float64) float64 {
	if num == 0 && den == 0 {
		return 1
	}
	return num / den
}

// nanMin returns the smaller of a and b, ignoring a NaN unless both are NaN.
func nanMin(a, b float64) float64 {
	switch {
	case math.IsNaN(a):
		return b
	case math.IsNaN(b):
		return a
	}
	return min(a, b)
}

// GradientTest runs the gradient test of the scalar function f with gradient grad at x in the
// direction h over the steps of Alphas: ρ(α) = (f(x + α h) − f(x)) / (α h·grad). Its Value is
// the best |ρ(α) − 1| and its Table the rows (α, ρ(α), |ρ(α) − 1|). It does not modify x, h or
// grad. A tol ≤ 0 means DefaultGradientTol.
func GradientTest(name string, f func(x []float64) float64, grad, x, h []float64, tol float64) Report {
	if len(grad) != len(x) || len(h) != len(x) {
		panic(fmt.Sprintf("verify: GradientTest: gradient of length %d and direction of length %d for point of length %d", len(grad), len(h), len(x)))
	}
	f0 := f(append([]float64(nil), x...))
	gh := floats.Dot(h, grad)
	xp := make([]float64, len(x))
	alphas := Alphas()
	table := make([]Row, len(alphas))
	best := math.NaN()
	for i, a := range alphas {
		floats.AddScaledTo(xp, x, a, h)
		rho := quotient(f(xp)-f0, a*gh)
		e := math.Abs(rho - 1)
		table[i] = Row{Alpha: a, Ratio: rho, Error: e}
		best = nanMin(best, e)
	}
	return newReport(name, CheckGradient, best, orDefault(tol, DefaultGradientTol), table)
}

// FiniteDifference compares grad, the gradient of f at x, with gonum's central-difference
// estimate (diff/fd, formula fd.Central, its default step), and reports the relative error
// ‖grad − g_fd‖ / max(‖grad‖, ‖g_fd‖) in the Euclidean norm. It does not modify x or grad.
// A tol ≤ 0 means DefaultFiniteDifferenceTol.
func FiniteDifference(name string, f func(x []float64) float64, grad, x []float64, tol float64) Report {
	if len(grad) != len(x) {
		panic(fmt.Sprintf("verify: FiniteDifference: gradient of length %d for point of length %d", len(grad), len(x)))
	}
	g := fd.Gradient(nil, f, append([]float64(nil), x...), &fd.Settings{Formula: fd.Central})
	ng, nfd := floats.Norm(grad, 2), floats.Norm(g, 2)
	floats.Sub(g, grad)
	var value float64
	switch nd := floats.Norm(g, 2); {
	case math.IsNaN(nd):
		value = math.NaN()
	case nd == 0:
		value = 0
	default:
		value = nd / max(ng, nfd)
	}
	return newReport(name, CheckFiniteDifference, value, orDefault(tol, DefaultFiniteDifferenceTol), nil)
}

// normal returns n standard normal draws from rnd.
func normal(rnd *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rnd.NormFloat64()
	}
	return v
}

// uniform returns n draws from the uniform distribution on [−1, 1).
func uniform(rnd *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 2*rnd.Float64() - 1
	}
	return v
}

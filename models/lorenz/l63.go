package lorenz

import (
	"fmt"

	"github.com/adjunto/adjunto/adjoint"
)

// Defaults of NewL63: Lorenz's (1963) parameters and a step of 0.01.
const (
	DefaultL63Sigma = 10.0
	DefaultL63Rho   = 28.0
	DefaultL63Beta  = 8.0 / 3
	DefaultL63Dt    = 0.01
)

// L63 is the Lorenz-63 model
//
//	dx/dt = σ (y − x),   dy/dt = x (ρ − z) − y,   dz/dt = x y − β z,
//
// integrated with a fixed step, with parameters p = (σ, ρ, β). Its Step, StepTangent and
// StepAdjoint are fused (hand-written) and allocate nothing once the scratch buffers exist.
//
// Fields are used as they are: the zero value has Dt = 0 and is not a valid model; NewL63
// sets the defaults. An L63 owns scratch buffers and is not safe for concurrent use.
type L63 struct {
	// Sigma, Rho and Beta are σ, ρ and β; NewL63 sets 10, 28 and 8/3, the chaotic regime
	// of the butterfly.
	Sigma, Rho, Beta float64
	// Dt is the time step, positive and finite; NewL63 sets 0.01.
	Dt float64
	// Integrator is the time scheme; the zero value is RK4.
	Integrator Integrator

	work integrator
}

var (
	_ Model                = (*L63)(nil)
	_ Composable           = (*L63)(nil)
	_ adjoint.TapedStepper = (*L63)(nil)
)

// NewL63 returns a Lorenz-63 model with σ = 10, ρ = 28, β = 8/3, Dt = 0.01 and RK4.
func NewL63() *L63 {
	return &L63{Sigma: DefaultL63Sigma, Rho: DefaultL63Rho, Beta: DefaultL63Beta, Dt: DefaultL63Dt}
}

// Validate returns an error wrapping ErrInvalid that names the first invalid field.
func (m *L63) Validate() error {
	return checkCommon(m.Dt, m.Integrator, []float64{m.Sigma, m.Rho, m.Beta}, []string{"Sigma", "Rho", "Beta"})
}

// Dim returns 3.
func (m *L63) Dim() int { return 3 }

// NumParams returns 3: σ, ρ and β, in that order.
func (m *L63) NumParams() int { return 3 }

// Params returns []float64{σ, ρ, β}.
func (m *L63) Params() []float64 { return []float64{m.Sigma, m.Rho, m.Beta} }

// SetParams sets σ, ρ, β from p. It panics if len(p) != 3.
func (m *L63) SetParams(p []float64) {
	if len(p) != 3 {
		panic(fmt.Sprintf("lorenz: L63.SetParams: %d parameters, want 3", len(p)))
	}
	m.Sigma, m.Rho, m.Beta = p[0], p[1], p[2]
}

func (m *L63) paramsInto(dst []float64) { dst[0], dst[1], dst[2] = m.Sigma, m.Rho, m.Beta }

func (m *L63) check(op string, xs ...[]float64) {
	for _, x := range xs {
		if x != nil && len(x) != 3 {
			panic(fmt.Sprintf("lorenz: L63.%s: vector of length %d, want 3", op, len(x)))
		}
	}
}

// Step sets dst = M(x), one step of the integrator. dst and x must not overlap.
func (m *L63) Step(dst, x []float64) {
	m.check("Step", dst, x)
	m.work.step(m, m.Integrator, m.Dt, dst, x)
}

// StepTangent sets dy = M'(x) dx + M_p(x) dp, with dp = (δσ, δρ, δβ) or nil for zero. dy
// must not overlap the other arguments.
func (m *L63) StepTangent(dy, x, dx, dp []float64) {
	m.check("StepTangent", dy, x, dx)
	checkParams("L63.StepTangent", dp, 3)
	m.work.stepTangent(m, m.Integrator, m.Dt, dy, x, dx, dp)
}

// StepAdjoint accumulates ax += M'(x)ᵀ ay and, when ap is not nil, ap += M_p(x)ᵀ ay. ax must
// not overlap the other arguments.
func (m *L63) StepAdjoint(ax, ap, x, ay []float64) {
	m.check("StepAdjoint", ax, x, ay)
	checkParams("L63.StepAdjoint", ap, 3)
	m.work.stepAdjoint(m, m.Integrator, m.Dt, ax, ap, x, ay)
}

// TapeLen returns the length of the tape StepTape saves: the three RK4 stage states (3·Dim),
// or 0 for Euler, whose adjoint recomputes nothing.
func (m *L63) TapeLen() int { return tapeLen(m.Integrator, m.Dim()) }

// StepTape sets dst = M(x) exactly as Step does and saves the RK4 stage states in tape, of
// length TapeLen, for StepAdjointTape.
func (m *L63) StepTape(dst, tape, x []float64) {
	m.check("StepTape", dst, x)
	checkTape("L63.StepTape", tape, m.TapeLen())
	m.work.stepTape(m, m.Integrator, m.Dt, dst, tape, x)
}

// StepAdjointTape accumulates exactly what StepAdjoint does, bit for bit, reading the stage
// states from the tape StepTape saved at x instead of recomputing them.
func (m *L63) StepAdjointTape(ax, ap, x, tape, ay []float64) {
	m.check("StepAdjointTape", ax, x, ay)
	checkParams("L63.StepAdjointTape", ap, m.NumParams())
	checkTape("L63.StepAdjointTape", tape, m.TapeLen())
	m.work.stepAdjointTape(m, m.Integrator, m.Dt, ax, ap, x, tape, ay)
}

// eval rounds every product on its own (explicit float64 conversions forbid fused
// multiply-add) to agree bit for bit with the composed step.
func (m *L63) eval(k, next, x, base []float64, h float64) {
	x0, x1, x2 := x[0], x[1], x[2]
	k0 := m.Sigma * (x1 - x0)
	k1 := float64(x0*(m.Rho-x2)) - x1
	k2 := float64(x0*x1) - float64(m.Beta*x2)
	if k != nil {
		k[0], k[1], k[2] = k0, k1, k2
	}
	if next != nil {
		next[0] = base[0] + float64(h*k0)
		next[1] = base[1] + float64(h*k1)
		next[2] = base[2] + float64(h*k2)
	}
}

// last sets y = x + dt6·(((k1 + 2 k2) + 2 k3) + f(x4)).
func (m *L63) last(y, x4, x, k1, k2, k3 []float64, dt6 float64) {
	var k4 [3]float64
	m.eval(k4[:], nil, x4, nil, 0)
	for i := range 3 {
		y[i] = x[i] + float64(dt6*(k1[i]+2*k2[i]+2*k3[i]+k4[i]))
	}
}

// tangent differentiates eval:
//
//	δk = (δσ (y−x) + σ (δy−δx),  δx (ρ−z) + x (δρ−δz) − δy,  δx y + x δy − δβ z − β δz).
func (m *L63) tangent(k, next, dk, dnext, x, base, dx, dbase, dp []float64, h float64) {
	if k != nil {
		m.eval(k, next, x, base, h)
	}
	x0, x1, x2 := x[0], x[1], x[2]
	d0, d1, d2 := dx[0], dx[1], dx[2]
	s, r, b := m.Sigma, m.Rho, m.Beta
	dk[0] = s * (d1 - d0)
	dk[1] = d0*(r-x2) - x0*d2 - d1
	dk[2] = d0*x1 + x0*d1 - b*d2
	if dp != nil {
		dk[0] += dp[0] * (x1 - x0)
		dk[1] += dp[1] * x0
		dk[2] -= dp[2] * x2
	}
	if dnext != nil {
		for i := range 3 {
			dnext[i] = dbase[i] + h*dk[i]
		}
	}
}

// adjoint applies the transposed Jacobian
//
//	f_xᵀ = [[−σ, ρ−z, y], [σ, −1, x], [0, −x, −β]],   f_pᵀ = diag(y−x, x, −z).
func (m *L63) adjoint(ax, gnext, ap, x, g, ay []float64, s, c, h, e float64) {
	x0, x1, x2 := x[0], x[1], x[2]
	g0, g1, g2 := s*g[0], s*g[1], s*g[2]
	sg, r, b := m.Sigma, m.Rho, m.Beta
	w := [3]float64{
		-sg*g0 + (r-x2)*g1 + x1*g2,
		sg*g0 - g1 + x0*g2,
		-x0*g1 - b*g2,
	}
	if ap != nil {
		ap[0] += (x1 - x0) * g0
		ap[1] += x0 * g1
		ap[2] -= x2 * g2
	}
	for i := range 3 {
		ax[i] += w[i] + e*ay[i]
		if gnext != nil {
			gnext[i] = c*ay[i] + h*w[i]
		}
	}
}

// StepOn records one step of the integrator on the tape of x, composed from the engine's
// primitives (Slice, Concat and the elementwise ones): the composed model, whose TL and AD
// the engine derives. x is 1×3 and p = (σ, ρ, β) is 1×3; either may be a variable or a
// constant of the tape. It returns M(x; p).
func (m *L63) StepOn(x, p *adjoint.Value) *adjoint.Value {
	if x.Len() != 3 || p.Len() != 3 {
		panic(fmt.Sprintf("lorenz: L63.StepOn: state %dx%d and parameters %dx%d, want 1x3 each",
			x.Rows(), x.Cols(), p.Rows(), p.Cols()))
	}
	sigma, rho, beta := adjoint.Slice(p, 0, 1), adjoint.Slice(p, 1, 2), adjoint.Slice(p, 2, 3)
	f := func(v *adjoint.Value) *adjoint.Value {
		x, y, z := adjoint.Slice(v, 0, 1), adjoint.Slice(v, 1, 2), adjoint.Slice(v, 2, 3)
		return adjoint.Concat(
			adjoint.Mul(sigma, adjoint.Sub(y, x)),
			adjoint.Sub(adjoint.Mul(x, adjoint.Sub(rho, z)), y),
			adjoint.Sub(adjoint.Mul(x, y), adjoint.Mul(beta, z)),
		)
	}
	return m.Integrator.StepOn(f, m.Dt, x)
}

package qg

import (
	"fmt"

	"github.com/adjunto/adjunto/adjoint"
)

// StepOn records one RK4 step of the model on the tape of x from the engine's primitives:
// Shift for the periodic stencils (along a row of the N×N reshaped field for x, by N along
// the flat field for y), Mul, Add and Scale for Arakawa's Jacobian and the dissipation, and
// Filter for the PV inversion; the engine derives its TL and AD. x is 1×N². p is the
// model's (empty) parameter vector and is ignored. It returns M(x). With
// lorenz.NewComposed it is the composed model the fused kernels are checked against; that
// records the step once, with the fields as they are then, so build a new one after
// changing them.
func (m *Model) StepOn(x, _ *adjoint.Value) *adjoint.Value {
	if err := m.Validate(); err != nil {
		panic(fmt.Sprintf("qg: Model.StepOn: %v", err))
	}
	n := m.N
	if x.Len() != n*n {
		panic(fmt.Sprintf("qg: Model.StepOn: state %dx%d for a %dx%d grid", x.Rows(), x.Cols(), n, n))
	}
	m.prepare()
	t := x.Tape()
	curl := t.Constant(append([]float64(nil), m.curl...), 1, n*n)
	inv := Helmholtz(n, m.F) // its own scratch: the fused model's must not be shared
	h2inv := float64(n * n)
	// at returns the field v shifted so that element (j, i) holds v at (j+dy, i+dx).
	at := func(v *adjoint.Value, dx, dy int) *adjoint.Value {
		if dx != 0 {
			v = adjoint.Reshape(adjoint.Shift(adjoint.Reshape(v, n, n), dx), 1, n*n)
		}
		if dy != 0 {
			v = adjoint.Shift(v, dy*n)
		}
		return v
	}
	lap := func(v *adjoint.Value) *adjoint.Value {
		sides := adjoint.Add(adjoint.Add(at(v, 1, 0), at(v, -1, 0)), adjoint.Add(at(v, 0, 1), at(v, 0, -1)))
		return adjoint.Scale(h2inv, adjoint.Sub(sides, adjoint.Scale(4, v)))
	}
	jac := func(a, b *adjoint.Value) *adjoint.Value {
		sub, mul, add := adjoint.Sub, adjoint.Mul, adjoint.Add
		aE, aW, aN, aS := at(a, 1, 0), at(a, -1, 0), at(a, 0, 1), at(a, 0, -1)
		bE, bW, bN, bS := at(b, 1, 0), at(b, -1, 0), at(b, 0, 1), at(b, 0, -1)
		aNE, aNW, aSE, aSW := at(a, 1, 1), at(a, -1, 1), at(a, 1, -1), at(a, -1, -1)
		bNE, bNW, bSE, bSW := at(b, 1, 1), at(b, -1, 1), at(b, 1, -1), at(b, -1, -1)
		jpp := sub(mul(sub(aE, aW), sub(bN, bS)), mul(sub(aN, aS), sub(bE, bW)))
		jpx := add(sub(sub(mul(aE, sub(bNE, bSE)), mul(aW, sub(bNW, bSW))), mul(aN, sub(bNE, bNW))), mul(aS, sub(bSE, bSW)))
		jxp := add(sub(sub(mul(bN, sub(aNE, aNW)), mul(bS, sub(aSE, aSW))), mul(bE, sub(aNE, aSE))), mul(bW, sub(aNW, aSW)))
		return adjoint.Scale(h2inv/12, add(add(jpp, jpx), jxp))
	}
	f := func(psi *adjoint.Value) *adjoint.Value {
		zeta := lap(psi)
		q := adjoint.Sub(zeta, adjoint.Scale(m.F, psi))
		dx := adjoint.Scale(float64(n)/2, adjoint.Sub(at(psi, 1, 0), at(psi, -1, 0)))
		k := adjoint.Sub(adjoint.Scale(-m.R, jac(psi, q)), adjoint.Scale(m.Beta, dx))
		k = adjoint.Sub(k, adjoint.Scale(m.Bottom, zeta))
		k = adjoint.Sub(k, adjoint.Scale(m.Hyper, lap(lap(zeta))))
		return adjoint.Filter(adjoint.Add(k, curl), inv)
	}
	h, dt6 := m.Dt/2, m.Dt/6
	k1 := f(x)
	k2 := f(adjoint.Add(x, adjoint.Scale(h, k1)))
	k3 := f(adjoint.Add(x, adjoint.Scale(h, k2)))
	k4 := f(adjoint.Add(x, adjoint.Scale(m.Dt, k3)))
	sum := adjoint.Add(adjoint.Add(adjoint.Add(k1, adjoint.Scale(2, k2)), adjoint.Scale(2, k3)), k4)
	return adjoint.Add(x, adjoint.Scale(dt6, sum))
}

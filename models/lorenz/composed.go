package lorenz

import (
	"fmt"

	"github.com/adjunto/adjunto/adjoint"
)

// Composable is a Model whose step can also be recorded on an adjoint.Tape from the engine's
// primitives, so that the engine derives its TL and AD. *L63 and *L96 implement it.
type Composable interface {
	Model

	// StepOn records one step M(x; p) on the tape of x and returns it; x is 1×Dim and p is
	// 1×NumParams.
	StepOn(x, p *adjoint.Value) *adjoint.Value
}

// Composed is a Model whose step, TL and AD are all derived by the engine: it records one
// step of the underlying model on a tape (StepOn) and replays it (Tape.Forward) at every new
// state, running a tangent or a reverse sweep for StepTangent and StepAdjoint. It is the
// reference the fused kernels are proved against, and a template for models without
// hand-written adjoints.
//
// The tape is recorded on first use and again whenever the model's Dim, Dt or Integrator
// change; parameters are read from the model at every call, so SetParams on either the
// Composed or the model takes effect at once. A Composed is not safe for concurrent use.
type Composed struct {
	m Composable

	tape  *adjoint.Tape
	x, p  *adjoint.Value // the recorded step's inputs (variables)
	y     *adjoint.Value // and output
	xbuf  []float64
	pbuf  []float64
	key   recordKey
	ready bool
}

var _ Model = (*Composed)(nil)

// recordKey is what the recorded tape depends on besides the values of x and p.
type recordKey struct {
	n  int
	dt float64
	s  Integrator
}

// NewComposed returns the composed twin of m.
func NewComposed(m Composable) *Composed { return &Composed{m: m} }

// Model returns the underlying model.
func (c *Composed) Model() Composable { return c.m }

// Dim returns the underlying model's Dim.
func (c *Composed) Dim() int { return c.m.Dim() }

// NumParams returns the underlying model's NumParams.
func (c *Composed) NumParams() int { return c.m.NumParams() }

// Params returns the underlying model's parameters.
func (c *Composed) Params() []float64 { return c.m.Params() }

// SetParams sets the underlying model's parameters.
func (c *Composed) SetParams(p []float64) { c.m.SetParams(p) }

func (c *Composed) currentKey() recordKey {
	k := recordKey{n: c.m.Dim()}
	switch m := c.m.(type) {
	case *L63:
		k.dt, k.s = m.Dt, m.Integrator
	case *L96:
		k.dt, k.s = m.Dt, m.Integrator
	}
	return k
}

// prepare records the tape if needed and loads x and the current parameters into it.
func (c *Composed) prepare(op string, x []float64) {
	n := c.m.Dim()
	if len(x) != n {
		panic(fmt.Sprintf("lorenz: Composed.%s: state of length %d for dimension %d", op, len(x), n))
	}
	if key := c.currentKey(); !c.ready || key != c.key {
		c.key = key
		c.tape = adjoint.NewTape()
		c.xbuf = make([]float64, n)
		c.pbuf = make([]float64, c.m.NumParams())
		c.x = c.tape.Vector(c.xbuf)
		c.p = c.tape.Vector(c.pbuf)
		c.loadParams()
		c.y = c.m.StepOn(c.x, c.p)
		c.tape.ZeroTangents()
		c.tape.ZeroAdjoints()
		c.ready = true
	} else {
		c.loadParams()
	}
	copy(c.xbuf, x)
}

func (c *Composed) loadParams() {
	switch m := c.m.(type) {
	case *L63:
		m.paramsInto(c.pbuf)
	case *L96:
		m.paramsInto(c.pbuf)
	default:
		copy(c.pbuf, m.Params())
	}
}

// Step sets dst = M(x) by replaying the recorded step.
func (c *Composed) Step(dst, x []float64) {
	c.prepare("Step", x)
	c.tape.Forward()
	copy(dst, c.y.Data)
}

// StepTangent sets dy = M'(x) dx + M_p(x) dp by a forward replay and a tangent sweep.
func (c *Composed) StepTangent(dy, x, dx, dp []float64) {
	c.prepare("StepTangent", x)
	checkParams("Composed.StepTangent", dp, len(c.pbuf))
	c.tape.Forward()
	copy(c.x.Tan, dx)
	if dp != nil {
		copy(c.p.Tan, dp)
	} else {
		clear(c.p.Tan)
	}
	c.tape.TangentSweep()
	copy(dy, c.y.Tan)
}

// StepAdjoint accumulates ax += M'(x)ᵀ ay and ap += M_p(x)ᵀ ay (ap nil: skipped) by a
// forward replay and a reverse sweep.
func (c *Composed) StepAdjoint(ax, ap, x, ay []float64) {
	c.prepare("StepAdjoint", x)
	checkParams("Composed.StepAdjoint", ap, len(c.pbuf))
	c.tape.Forward()
	c.tape.VJP(c.y, ay)
	for i, v := range c.x.Adj {
		ax[i] += v
	}
	for i, v := range c.p.Adj {
		if ap != nil {
			ap[i] += v
		}
	}
}

// StepOn records one step of the scheme s for dx/dt = f(x) on the tape of x and returns it,
// with the same operations, in the same order, as the fused kernels of L63 and L96 (RK4's
// stages combined as x + dt/6·(((k1 + 2 k2) + 2 k3) + k4)), so that a model composed with it
// agrees with them to the last bit. It is the one RK4 on the tape: the Lorenz models'
// StepOn and the surrogate package's networks integrate their tendencies with it.
func (s Integrator) StepOn(f func(*adjoint.Value) *adjoint.Value, dt float64, x *adjoint.Value) *adjoint.Value {
	if s == Euler {
		return adjoint.Add(x, adjoint.Scale(dt, f(x)))
	}
	h, dt6 := dt/2, dt/6
	k1 := f(x)
	k2 := f(adjoint.Add(x, adjoint.Scale(h, k1)))
	k3 := f(adjoint.Add(x, adjoint.Scale(h, k2)))
	k4 := f(adjoint.Add(x, adjoint.Scale(dt, k3)))
	sum := adjoint.Add(adjoint.Add(adjoint.Add(k1, adjoint.Scale(2, k2)), adjoint.Scale(2, k3)), k4)
	return adjoint.Add(x, adjoint.Scale(dt6, sum))
}

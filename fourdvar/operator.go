package fourdvar

import (
	"fmt"

	"github.com/adjunto/adjunto/adjoint"
)

// Operator is an observation operator H: a map from a model state of length In() to the
// observed quantities, of length Out(), with its tangent-linear and adjoint.
//
// An Operator is a program recorded once on an adjoint.Tape: Apply replays it at a new state,
// Tangent runs the tape's forward tangent sweep and Adjoint its reverse sweep. Nothing is
// hand-differentiated, so any H written with the engine's primitives (NewOperator) has exact
// TL and AD models. An Operator is not safe for concurrent use (Clone gives each goroutine
// its own); one operator may serve many observation times of one window.
type Operator struct {
	name   string
	linear bool
	f      func(x *adjoint.Value) *adjoint.Value
	tape   *adjoint.Tape
	x, y   *adjoint.Value
	xbuf   []float64
}

// NewOperator records y = f(x) for a state x of length n and returns it as an Operator.
// f must build its output from x with the engine's primitives; the output may have any
// shape, its elements in row-major order being the observations. linear declares that f is
// linear in x, which lets Tangent and Adjoint skip replaying the forward program.
func NewOperator(name string, n int, linear bool, f func(x *adjoint.Value) *adjoint.Value) *Operator {
	if n <= 0 {
		panic(fmt.Sprintf("fourdvar: NewOperator %s: state length %d", name, n))
	}
	t := adjoint.NewTape()
	xbuf := make([]float64, n)
	x := t.Vector(xbuf)
	y := f(x)
	if y.Tape() != t {
		panic(fmt.Sprintf("fourdvar: NewOperator %s: output not recorded on the operator's tape", name))
	}
	if !y.Active() {
		panic(fmt.Sprintf("fourdvar: NewOperator %s: output does not depend on the state", name))
	}
	t.ZeroTangents()
	return &Operator{name: name, linear: linear, f: f, tape: t, x: x, y: y, xbuf: xbuf}
}

// Clone returns the same H recorded on a tape of its own, for another goroutine to use
// while h is in use.
func (h *Operator) Clone() *Operator { return NewOperator(h.name, h.In(), h.linear, h.f) }

// Identity returns H = I on states of length n: every variable observed.
func Identity(n int) *Operator {
	return NewOperator("identity", n, true, adjoint.Identity)
}

// Subset returns the operator that observes the variables idx of a state of length n, in
// that order. It panics if an index is out of range.
func Subset(n int, idx []int) *Operator {
	checkIndices("Subset", n, idx)
	idx = append([]int(nil), idx...)
	return NewOperator(fmt.Sprintf("subset%v", idx), n, true, func(x *adjoint.Value) *adjoint.Value {
		return adjoint.Gather(x, idx)
	})
}

// EveryKth returns the operator that observes variables offset, offset+k, offset+2k, … of a
// state of length n. It panics if k < 1 or offset is not in [0, k).
func EveryKth(n, k, offset int) *Operator {
	if k < 1 || offset < 0 || offset >= k || offset >= n {
		panic(fmt.Sprintf("fourdvar: EveryKth: k = %d, offset = %d for state length %d", k, offset, n))
	}
	var idx []int
	for i := offset; i < n; i += k {
		idx = append(idx, i)
	}
	return NewOperator(fmt.Sprintf("every%d", k), n, true, func(x *adjoint.Value) *adjoint.Value {
		return adjoint.Gather(x, idx)
	})
}

// Squared returns the nonlinear operator H(x) = (x_i²) for i in idx (all variables when idx is
// nil), whose tangent 2x_i δx_i depends on the state: the simplest H that makes a 4DVar cost
// non-quadratic even for a linear model.
func Squared(n int, idx []int) *Operator {
	if idx == nil {
		return NewOperator("squared", n, false, adjoint.Square)
	}
	checkIndices("Squared", n, idx)
	idx = append([]int(nil), idx...)
	return NewOperator(fmt.Sprintf("squared%v", idx), n, false, func(x *adjoint.Value) *adjoint.Value {
		return adjoint.Square(adjoint.Gather(x, idx))
	})
}

func checkIndices(op string, n int, idx []int) {
	if len(idx) == 0 {
		panic(fmt.Sprintf("fourdvar: %s: no indices", op))
	}
	for _, i := range idx {
		if i < 0 || i >= n {
			panic(fmt.Sprintf("fourdvar: %s: index %d out of range for state length %d", op, i, n))
		}
	}
}

// Name returns a short description of H, for reports.
func (h *Operator) Name() string { return h.name }

// In returns the length of the states H accepts.
func (h *Operator) In() int { return len(h.xbuf) }

// Out returns the number of observations H produces.
func (h *Operator) Out() int { return h.y.Len() }

// Linear reports whether H was declared linear.
func (h *Operator) Linear() bool { return h.linear }

func (h *Operator) at(op string, x []float64) {
	if len(x) != len(h.xbuf) {
		panic(fmt.Sprintf("fourdvar: Operator %s: %s: state of length %d, want %d", h.name, op, len(x), len(h.xbuf)))
	}
	copy(h.xbuf, x)
	h.tape.Forward()
}

// Apply sets y = H(x).
func (h *Operator) Apply(y, x []float64) {
	if len(y) != h.Out() {
		panic(fmt.Sprintf("fourdvar: Operator %s: Apply: output of length %d, want %d", h.name, len(y), h.Out()))
	}
	h.at("Apply", x)
	copy(y, h.y.Data)
}

// Tangent sets dy = H'(x) dx, the tangent-linear operator about x (a JVP).
func (h *Operator) Tangent(dy, x, dx []float64) {
	if len(dy) != h.Out() || len(dx) != h.In() {
		panic(fmt.Sprintf("fourdvar: Operator %s: Tangent: dy of length %d and dx of length %d for H: %d -> %d",
			h.name, len(dy), len(dx), h.In(), h.Out()))
	}
	if !h.linear {
		h.at("Tangent", x)
	}
	copy(h.x.Tan, dx)
	h.tape.TangentSweep()
	copy(dy, h.y.Tan)
}

// Adjoint accumulates ax += H'(x)ᵀ ay, the adjoint operator about x (a VJP). It adds, never
// assigns, like every adjoint rule.
func (h *Operator) Adjoint(ax, x, ay []float64) {
	if len(ay) != h.Out() || len(ax) != h.In() {
		panic(fmt.Sprintf("fourdvar: Operator %s: Adjoint: ax of length %d and ay of length %d for H: %d -> %d",
			h.name, len(ax), len(ay), h.In(), h.Out()))
	}
	if !h.linear {
		h.at("Adjoint", x)
	}
	h.tape.VJP(h.y, ay)
	for i, a := range h.x.Adj {
		ax[i] += a
	}
}

package adjoint

import (
	"fmt"
)

// Primitive is an operation y = f(x_1, ..., x_n) with its three rules. Built-in primitives and
// user-defined (fused) ones are treated alike: a Primitive recorded with Tape.Apply takes part
// in every sweep.
//
// Inputs that are passive have nil Tan and nil Adj: Tangent must read a nil Tan as zero and
// Adjoint must skip an input with a nil Adj.
type Primitive interface {
	// Name names the primitive in panics and verification reports.
	Name() string

	// Forward computes out.Data from the inputs' Data. It may keep what the linearisation
	// needs in the primitive itself, but built-in primitives read it back from the inputs'
	// and the output's Data instead, so that a replayed tape needs no extra storage.
	Forward(out *Value, in []*Value)

	// Tangent overwrites out.Tan with δy = Σ_i ∂f/∂x_i · δx_i (the TL model, a JVP).
	Tangent(out *Value, in []*Value)

	// Adjoint accumulates x̃_i += (∂f/∂x_i)^T ỹ into in[i].Adj for every active input, with
	// ỹ = out.Adj (the AD model, a VJP). It must add, never assign: an input used twice
	// receives both contributions.
	Adjoint(out *Value, in []*Value)
}

// Tape records the primitives applied during a forward evaluation, in order, so that the
// recorded program can be differentiated: a reverse sweep gives adjoints (gradients, VJPs),
// a forward tangent sweep gives tangents (JVPs). Sweeps can be repeated any number of times
// on the same recorded trajectory, and Forward replays the program at new input values
// without recording it again. Once the buffers of a tape exist, none of these allocate.
//
// The zero value is an empty tape ready to use. A Tape is not safe for concurrent use.
type Tape struct {
	nodes []*Value

	// sweep numbers the reverse sweeps. A value whose adjoint was last zeroed in another sweep
	// holds a stale adjoint: the sweep zeroes it just before the first contribution to it
	// arrives, while it is still in cache, instead of in a separate pass over the whole tape.
	sweep uint64

	// scratch is reused by GaussNewton and HessVec so that they do not allocate.
	scratch []float64

	// edits counts the values recorded and the Resets; savedAt is edits+1 when markSaved
	// last ran.
	edits, savedAt uint64
}

// NewTape returns an empty tape.
func NewTape() *Tape { return &Tape{} }

// Len returns the number of values recorded on t, variables and constants included.
func (t *Tape) Len() int { return len(t.nodes) }

// Reset forgets every recorded value, so the tape can record a new program.
func (t *Tape) Reset() {
	clear(t.nodes)
	t.nodes = t.nodes[:0]
	t.edits++
}

// Variable records an active input of shape rows×cols: derivatives are taken with respect to
// it. Data aliases data (it is not copied). It panics if len(data) != rows·cols.
func (t *Tape) Variable(data []float64, rows, cols int) *Value {
	return t.leaf("Variable", data, rows, cols, true)
}

// Vector records an active input of shape 1×len(data).
func (t *Tape) Vector(data []float64) *Value { return t.Variable(data, 1, len(data)) }

// Constant records a passive input of shape rows×cols: its Data may be changed between
// replays (a new mini-batch), but no derivative is taken with respect to it. Data aliases data.
func (t *Tape) Constant(data []float64, rows, cols int) *Value {
	return t.leaf("Constant", data, rows, cols, false)
}

// Scalar records a passive 1×1 constant holding a.
func (t *Tape) Scalar(a float64) *Value { return t.Constant([]float64{a}, 1, 1) }

func (t *Tape) leaf(op string, data []float64, rows, cols int, active bool) *Value {
	if rows < 0 || cols < 0 || len(data) != rows*cols {
		panic(fmt.Sprintf("adjoint: %s: %d values for shape %dx%d", op, len(data), rows, cols))
	}
	v := &Value{Data: data, rows: rows, cols: cols, tape: t, active: active, leaf: true}
	t.nodes = append(t.nodes, v)
	t.edits++
	return v
}

// Apply records y = p(in...) with y of shape rows×cols, runs p's Forward and returns y.
// This is how a fused primitive with hand-written rules joins a tape. All inputs must belong
// to t; y is active when any input is.
func (t *Tape) Apply(p Primitive, rows, cols int, in ...*Value) *Value {
	active := false
	for _, x := range in {
		if x.tape != t {
			panic(fmt.Sprintf("adjoint: %s: input of shape %s belongs to another tape", p.Name(), x.shape()))
		}
		active = active || x.active
	}
	y := &Value{Data: make([]float64, rows*cols), rows: rows, cols: cols, tape: t, prim: p, in: in, active: active}
	p.Forward(y, in)
	t.nodes = append(t.nodes, y)
	t.edits++
	return y
}

// apply records a built-in primitive on the tape of its first input.
func apply(p Primitive, rows, cols int, in ...*Value) *Value {
	return in[0].tape.Apply(p, rows, cols, in...)
}

// SnapshotLen returns the number of values Snapshot saves: the Data of every value computed
// by a primitive that the rules of the sweeps read back, or that no primitive consumes (an
// output of the program). Variables and constants are the caller's and are not saved.
func (t *Tape) SnapshotLen() int {
	t.markSaved()
	n := 0
	for _, v := range t.nodes {
		if v.saved {
			n += len(v.Data)
		}
	}
	return n
}

// Snapshot copies into dst, of length SnapshotLen, the Data of the values SnapshotLen counts:
// the part of the forward evaluation that the sweeps linearise about. The other computed
// values (a network's pre-activations, the copies of Reshape and Gather) are read by no rule.
// With Restore, one recorded program replayed at many inputs (the steps of a time loop through
// one tape) can keep its evaluations and sweep any of them later without replaying it, the
// trade of memory for recomputation that checkpointing makes one level up. It captures what built-in
// primitives need; a primitive that keeps linearisation state of its own (see
// Primitive.Forward) must not be used with it. It panics if len(dst) != SnapshotLen().
func (t *Tape) Snapshot(dst []float64) {
	t.snapshot(dst, false)
}

// Restore copies src, saved by Snapshot on t, back into the computed values, so that the
// sweeps linearise about that evaluation again. Set the variables and constants to the
// inputs of that evaluation too: they are not part of the snapshot. The values it does not
// save keep what they hold, so read only the saved ones after it. It panics if len(src) !=
// SnapshotLen().
func (t *Tape) Restore(src []float64) {
	t.snapshot(src, true)
}

func (t *Tape) snapshot(buf []float64, restore bool) {
	t.markSaved()
	off := 0
	for _, v := range t.nodes {
		if !v.saved {
			continue
		}
		if off+len(v.Data) > len(buf) {
			panic(fmt.Sprintf("adjoint: Snapshot: buffer of length %d, tape needs %d", len(buf), t.SnapshotLen()))
		}
		if restore {
			copy(v.Data, buf[off:])
		} else {
			copy(buf[off:], v.Data)
		}
		off += len(v.Data)
	}
	if off != len(buf) {
		panic(fmt.Sprintf("adjoint: Snapshot: buffer of length %d, tape needs %d", len(buf), off))
	}
}

// Bind makes the Data of every value that Snapshot saves a window of buf, of length
// SnapshotLen, laid out as Snapshot saves them, without copying anything: the values then hold
// what buf holds, and Forward writes its evaluation into buf. A time loop that replays one
// recorded program at every step can so bind each step's program to that step's own storage
// before Forward and again before the step's sweeps: the evaluation is kept where Forward
// wrote it, as with Snapshot and Restore but with neither copy, which for a large step costs
// as much as the step's forward evaluation. Bind the tape to a buffer of its own again before
// replaying it for anything else, or the replay overwrites the kept evaluation. The values
// Snapshot does not save keep their own storage, which every Forward reuses. Variables and
// constants are the caller's and are not rebound; a primitive that kept a reference to a
// Data slice (see Primitive.Forward) must not be used with it. It panics if len(buf) !=
// SnapshotLen().
func (t *Tape) Bind(buf []float64) {
	if n := t.SnapshotLen(); len(buf) != n {
		panic(fmt.Sprintf("adjoint: Bind: buffer of length %d, tape needs %d", len(buf), n))
	}
	off := 0
	for _, v := range t.nodes {
		if v.saved {
			n := len(v.Data)
			v.Data = buf[off : off+n : off+n]
			off += n
		}
	}
}

// Forward replays the recorded program: every primitive recomputes its output from its
// inputs' current Data, in recording order. Update variables and constants in place first.
func (t *Tape) Forward() {
	for _, v := range t.nodes {
		if v.prim != nil {
			v.prim.Forward(v, v.in)
		}
	}
}

// ZeroAdjoints sets the adjoint of every active value to zero, allocating those that do not
// exist yet. A hand-seeded reverse sweep starts here: seed the outputs' Adj, then call
// ReverseSweep.
func (t *Tape) ZeroAdjoints() {
	t.allocAdjoints()
	t.sweep++
	for _, v := range t.nodes {
		if v.active {
			clear(v.Adj)
			v.sweep = t.sweep
		}
	}
}

func (t *Tape) allocAdjoints() {
	for _, v := range t.nodes {
		if !v.active || len(v.Adj) == len(v.Data) {
			continue
		}
		if v.Adj != nil {
			panic(fmt.Sprintf("adjoint: adjoint buffer of length %d for shape %s", len(v.Adj), v.shape()))
		}
		v.Adj = make([]float64, len(v.Data))
	}
}

// ReverseSweep runs the adjoint rules of the recorded primitives from the last one back to the
// first, propagating the adjoints seeded since ZeroAdjoints into every active value.
func (t *Tape) ReverseSweep() {
	for i := len(t.nodes) - 1; i >= 0; i-- {
		v := t.nodes[i]
		if v.prim != nil && v.active {
			v.prim.Adjoint(v, v.in)
		}
	}
}

// Gradient computes the derivative of the scalar J with respect to every active value of the
// tape by one reverse sweep; read it from each variable's Adj. It panics if J is not 1×1.
func (t *Tape) Gradient(J *Value) {
	if J.Len() != 1 {
		panic(fmt.Sprintf("adjoint: Gradient: cost has shape %s, not 1x1", J.shape()))
	}
	t.VJP(J, one[:])
}

var one = [1]float64{1}

// VJP seeds the adjoint of out with ybar and sweeps back: afterwards every active value's Adj
// holds (∂out/∂x)ᵀ ybar, zero for values out does not depend on.
func (t *Tape) VJP(out *Value, ybar []float64) {
	if len(ybar) != out.Len() {
		panic(fmt.Sprintf("adjoint: VJP: seed of length %d for output of shape %s", len(ybar), out.shape()))
	}
	if out.tape != t {
		panic(fmt.Sprintf("adjoint: VJP: output of shape %s belongs to another tape", out.shape()))
	}
	t.allocAdjoints()
	t.sweep++
	if out.active {
		copy(out.Adj, ybar)
		out.sweep = t.sweep
	}
	for i := len(t.nodes) - 1; i >= 0; i-- {
		v := t.nodes[i]
		// A value that received no adjoint in this sweep (recorded after out, or off every
		// path to it) contributes nothing: skip it.
		if v.prim == nil || v.sweep != t.sweep {
			continue
		}
		for _, x := range v.in {
			if x.active && x.sweep != t.sweep {
				clear(x.Adj)
				x.sweep = t.sweep
			}
		}
		v.prim.Adjoint(v, v.in)
	}
	for _, v := range t.nodes {
		if v.active && v.sweep != t.sweep {
			clear(v.Adj)
			v.sweep = t.sweep
		}
	}
}

// ZeroTangents sets the tangent of every active variable to zero, allocating the tangents of
// all active values that do not exist yet. Set the variables' Tan, then call TangentSweep.
func (t *Tape) ZeroTangents() {
	for _, v := range t.nodes {
		if !v.active {
			continue
		}
		if len(v.Tan) != len(v.Data) {
			if v.Tan != nil {
				panic(fmt.Sprintf("adjoint: ZeroTangents: tangent buffer of length %d for shape %s", len(v.Tan), v.shape()))
			}
			v.Tan = make([]float64, len(v.Data))
			continue
		}
		if v.leaf {
			clear(v.Tan)
		}
	}
}

// TangentSweep runs the tangent rules of the recorded primitives in recording order, from the
// tangents currently held by the variables. Call ZeroTangents once before the first sweep so
// that every active value has a tangent buffer.
func (t *Tape) TangentSweep() {
	for _, v := range t.nodes {
		if v.prim != nil && v.active {
			v.prim.Tangent(v, v.in)
		}
	}
}

// JVP sets the tangent of each variable vars[i] to dirs[i], every other variable's to zero,
// and sweeps forward: afterwards each active value's Tan holds its directional derivative.
func (t *Tape) JVP(vars []*Value, dirs [][]float64) {
	if len(vars) != len(dirs) {
		panic(fmt.Sprintf("adjoint: JVP: %d variables and %d directions", len(vars), len(dirs)))
	}
	t.ZeroTangents()
	for i, x := range vars {
		if !x.leaf || !x.active {
			panic(fmt.Sprintf("adjoint: JVP: value %d of shape %s is not a variable", i, x.shape()))
		}
		if len(dirs[i]) != x.Len() {
			panic(fmt.Sprintf("adjoint: JVP: direction of length %d for variable of shape %s", len(dirs[i]), x.shape()))
		}
		copy(x.Tan, dirs[i])
	}
	t.TangentSweep()
}

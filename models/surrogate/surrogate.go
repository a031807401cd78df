package surrogate

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/models/lorenz"
	"github.com/adjunto/adjunto/nn"
)

// ErrSpec is wrapped by the errors New returns for a network or a setting that does not fit
// the model.
var ErrSpec = errors.New("surrogate: invalid model")

// Physics is the known part of a hybrid model's tendency, recorded on the tape: given the
// states x, of shape 1×(B·n) (B states of n variables, one after the other), it returns their
// tendencies in the same layout, built from the engine's primitives so that its TL and AD
// come from the engine too.
type Physics func(x *adjoint.Value, n int) *adjoint.Value

// L96 returns the Lorenz-96 tendency (x_{i+1} − x_{i−2}) x_{i−1} − x_i + F as Physics, the
// composed lorenz.L96TendencyOn of each of the stacked states: with a wrong F it is the
// deliberately wrong physical model a hybrid network corrects.
func L96(F float64) Physics {
	return func(x *adjoint.Value, n int) *adjoint.Value {
		rows := adjoint.Reshape(x, x.Len()/n, n)
		return adjoint.Reshape(lorenz.L96TendencyOn(rows, x.Tape().Scalar(F)), 1, x.Len())
	}
}

// ring returns, for B states of n variables stored one after the other, the index of
// variable i+d (mod n) of the same state for every variable i of every state.
func ring(b, n, d int) []int {
	idx := make([]int, b*n)
	for s := range b {
		for i := range n {
			idx[s*n+i] = s*n + ((i+d)%n+n)%n
		}
	}
	return idx
}

// Config sets a surrogate model up. The zero value of each field but N has a default.
type Config struct {
	// N is the number of grid points of one state: the model's dimension when Batch is 1.
	N int
	// Batch is the number of independent states that the model steps at once, stacked in
	// one state vector of length Batch·N: a 4DVar cost over many windows then integrates
	// them all with one network evaluation per stage. Zero means 1.
	Batch int
	// Dt is the time step; zero means 0.05, Lorenz-96's.
	Dt float64
	// Physics, if not nil, makes the model hybrid: its tendency is Physics plus the
	// network's correction.
	Physics Physics
}

// Model is a dynamical model whose tendency at grid point i of a periodic 1-D grid is a
// network of the stencil x_{i−r} … x_{i+r} around it, the same network at every point,
// plus a known Physics for a hybrid model, integrated with RK4:
//
//	dx_i/dt = φ(i) + s_y · NN_w((x_{i−r…i+r} − μ_x) / s_x) + μ_y.
//
// It implements adjoint.Model with the network's weights w as its parameters, so 4DVar can
// assimilate with it and estimate its weights like any model parameter. Its step is recorded
// once on an adjoint.Tape and replayed: Step replays it, StepTangent and StepAdjoint sweep
// it, so its TL and AD come from the engine and no derivative code is written for it. As an
// adjoint.TapedStepper it keeps each step's evaluation in the step tape, where Forward writes
// it (Tape.Bind), so that the adjoint sweep needs no replay and nothing is copied.
//
// A batch of states is split into parts of at least 8 states (at most 8 parts), each with
// tapes of its own, and the parts are stepped in parallel. The split depends on the batch
// size only, never on the number of processors, and the parts' weight adjoints are summed in
// a fixed order, so the results are the same to the last bit on every machine.
//
// The model owns the network it was made from: SetParams writes its weights. A Model is not
// safe for concurrent use.
type Model struct {
	net    *nn.Model
	n      int
	batch  int
	radius int
	dt     float64
	phys   Physics

	parts []part
}

// part steps the states [from, to) of the batch; its step tape is tape[snap : snap+snapLen]
// of StepTape's.
type part struct {
	from, to    int
	snap        int
	full, state *program // the step with the weights active, and with them constant
}

// program is the step recorded on a tape: x ↦ M(x) at the network's current weights.
type program struct {
	tape    *adjoint.Tape
	x, w    *adjoint.Value
	y       *adjoint.Value
	snapLen int
	own     []float64 // the evaluation's own storage (Tape.Bind), for the steps that keep none
	gx, gw  []float64 // the sweep's own adjoint buffers of x and w
}

var (
	_ adjoint.Model        = (*Model)(nil)
	_ adjoint.TapedStepper = (*Model)(nil)
)

// New returns the surrogate model of the network m with the settings c. The network must have
// an odd number of inputs 2r+1 ≤ N, the stencil x_{i−r} … x_{i+r}, and one output, the
// tendency; its input and target scalers, when set, must have as many columns. Errors wrap
// ErrSpec and say what does not fit.
func New(m *nn.Model, c Config) (*Model, error) {
	if m == nil || m.Network == nil {
		return nil, fmt.Errorf("%w: no network", ErrSpec)
	}
	if c.Batch == 0 {
		c.Batch = 1
	}
	if c.Dt == 0 {
		c.Dt = 0.05
	}
	in, out := m.Network.In(), m.Network.Out()
	switch {
	case c.N < 1:
		return nil, fmt.Errorf("%w: grid of %d points", ErrSpec, c.N)
	case c.Batch < 1:
		return nil, fmt.Errorf("%w: batch of %d states, want ≥ 1", ErrSpec, c.Batch)
	case !(c.Dt > 0) || math.IsInf(c.Dt, 0):
		return nil, fmt.Errorf("%w: time step %v, want > 0", ErrSpec, c.Dt)
	case in%2 == 0:
		return nil, fmt.Errorf("%w: a network with %d inputs: the stencil x_{i−r} … x_{i+r} has an odd number of points", ErrSpec, in)
	case in > c.N:
		return nil, fmt.Errorf("%w: a stencil of %d points (the network's inputs) on a grid of %d", ErrSpec, in, c.N)
	case out != 1:
		return nil, fmt.Errorf("%w: a network with %d outputs: it gives the tendency of one variable", ErrSpec, out)
	case m.InputScaler != nil && (len(m.InputScaler.Mean) != in || len(m.InputScaler.Std) != in):
		return nil, fmt.Errorf("%w: input scaler of %d columns for %d inputs", ErrSpec, len(m.InputScaler.Mean), in)
	case m.TargetScaler != nil && (len(m.TargetScaler.Mean) != 1 || len(m.TargetScaler.Std) != 1):
		return nil, fmt.Errorf("%w: target scaler of %d columns for 1 output", ErrSpec, len(m.TargetScaler.Mean))
	}
	s := &Model{net: m, n: c.N, batch: c.Batch, radius: in / 2, dt: c.Dt, phys: c.Physics}
	np := min(maxParts, max(1, c.Batch/minPartStates))
	snap := 0
	for i := range np {
		from, to := i*c.Batch/np, (i+1)*c.Batch/np
		p := part{from: from, to: to, snap: snap, full: s.record(true, to-from), state: s.record(false, to-from)}
		snap += p.state.snapLen
		s.parts = append(s.parts, p)
	}
	return s, nil
}

// The split of a batch into parts: enough states per part that the network's products stay
// efficient, and few enough parts for the processors of a workstation.
const (
	minPartStates = 8
	maxParts      = 8
)

// record records one RK4 step of batch states on a new tape, with the weights a variable
// when active is set and a constant otherwise.
func (s *Model) record(active bool, batch int) *program {
	tp := adjoint.NewTape()
	dim := batch * s.n
	p := &program{tape: tp, gx: make([]float64, dim)}
	p.x = tp.Vector(make([]float64, dim))
	w := s.net.Network.Params()
	if active {
		p.w = tp.Variable(w, 1, len(w))
		p.gw = make([]float64, len(w))
	} else {
		p.w = tp.Constant(w, 1, len(w))
	}
	p.y = lorenz.RK4.StepOn(s.tendency(p.w, batch), s.dt, p.x)
	p.snapLen = tp.SnapshotLen()
	p.own = make([]float64, p.snapLen)
	tp.Snapshot(p.own)
	tp.Bind(p.own)
	return p
}

// tendency returns the function that records the tendency of batch states x (1×(batch·N))
// on the tape of the weights w: the scaled network of every stencil plus the physics.
func (s *Model) tendency(w *adjoint.Value, batch int) func(x *adjoint.Value) *adjoint.Value {
	tp := w.Tape()
	dim := batch * s.n
	width := 2*s.radius + 1
	// Row p of the stencil matrix holds x_{i−r} … x_{i+r} around point p = (state, i).
	idx := make([]int, dim*width)
	for j := range width {
		for p, k := range ring(batch, s.n, j-s.radius) {
			idx[p*width+j] = k
		}
	}
	var inW, inB, outW, outB *adjoint.Value
	if sc := s.net.InputScaler; sc != nil {
		diag := make([]float64, width*width)
		shift := make([]float64, width)
		for j := range width {
			diag[j*width+j] = 1 / sc.Std[j]
			shift[j] = -sc.Mean[j] / sc.Std[j]
		}
		inW, inB = tp.Constant(diag, width, width), tp.Constant(shift, 1, width)
	}
	if sc := s.net.TargetScaler; sc != nil {
		outW, outB = tp.Constant([]float64{sc.Std[0]}, 1, 1), tp.Constant([]float64{sc.Mean[0]}, 1, 1)
	}
	return func(x *adjoint.Value) *adjoint.Value {
		st := adjoint.Reshape(adjoint.Gather(x, idx), dim, width)
		if inW != nil {
			st = adjoint.Dense(st, inW, inB)
		}
		z, _ := s.net.Network.Build(w, st, nil, false)
		if outW != nil {
			z = adjoint.Dense(z, outW, outB)
		}
		z = adjoint.Reshape(z, 1, dim)
		if s.phys != nil {
			z = adjoint.Add(s.phys(x, s.n), z)
		}
		return z
	}
}

// Tendency sets dst = dx/dt at the stacked states x, the network plus the physics: what the
// model integrates. It records a tape for the call, so it is for inspection (comparing the
// learned tendency with the true one), not for loops.
func (s *Model) Tendency(dst, x []float64) {
	s.check("Tendency", len(dst), len(x))
	tp := adjoint.NewTape()
	w := s.net.Network.Params()
	f := s.tendency(tp.Constant(w, 1, len(w)), s.batch)
	copy(dst, f(tp.Constant(append([]float64(nil), x...), 1, len(x))).Data)
}

// Network returns the model's network with its scalers: the model's own, whose weights
// SetParams writes.
func (s *Model) Network() *nn.Model { return s.net }

// Dim returns Batch·N, the length of the stacked states.
func (s *Model) Dim() int { return s.batch * s.n }

// N returns the number of grid points of one state.
func (s *Model) N() int { return s.n }

// Batch returns the number of states the model steps at once.
func (s *Model) Batch() int { return s.batch }

// Radius returns r, the stencil's half-width: the network sees x_{i−r} … x_{i+r}.
func (s *Model) Radius() int { return s.radius }

// Dt returns the time step.
func (s *Model) Dt() float64 { return s.dt }

// NumParams returns the number of the network's weights and biases.
func (s *Model) NumParams() int { return s.net.Network.NumParams() }

// Params returns a copy of the network's weights and biases, in nn.Network's order.
func (s *Model) Params() []float64 { return append([]float64(nil), s.net.Network.Params()...) }

// SetParams sets the network's weights and biases.
func (s *Model) SetParams(p []float64) { s.net.Network.SetParams(p) }

func (s *Model) check(op string, lens ...int) {
	for _, l := range lens {
		if l != s.Dim() {
			panic(fmt.Sprintf("surrogate: %s: vector of length %d for a model of dimension %d", op, l, s.Dim()))
		}
	}
}

// each runs f on every part, in parallel when there are several, with the part's window
// [lo, hi) of the stacked state vector.
func (s *Model) each(f func(p *part, lo, hi int)) {
	if len(s.parts) == 1 {
		f(&s.parts[0], 0, s.Dim())
		return
	}
	var wg sync.WaitGroup
	for i := range s.parts {
		p := &s.parts[i]
		wg.Go(func() { f(p, p.from*s.n, p.to*s.n) })
	}
	wg.Wait()
}

// Step sets dst = M(x), one RK4 step.
func (s *Model) Step(dst, x []float64) {
	s.check("Step", len(dst), len(x))
	s.each(func(p *part, lo, hi int) {
		copy(p.state.x.Data, x[lo:hi])
		p.state.tape.Bind(p.state.own)
		p.state.tape.Forward()
		copy(dst[lo:hi], p.state.y.Data)
	})
}

// StepTangent sets dy = M'(x) dx + M_w(x) dw, a JVP of the recorded step. A nil dp is zero.
func (s *Model) StepTangent(dy, x, dx, dp []float64) {
	s.check("StepTangent", len(dy), len(x), len(dx))
	if dp != nil && len(dp) != s.NumParams() {
		panic(fmt.Sprintf("surrogate: StepTangent: %d parameter perturbations for %d weights", len(dp), s.NumParams()))
	}
	s.each(func(pt *part, lo, hi int) {
		p := pt.state
		vars, dirs := []*adjoint.Value{p.x}, [][]float64{dx[lo:hi]}
		if dp != nil {
			p = pt.full
			vars, dirs = []*adjoint.Value{p.x, p.w}, [][]float64{dx[lo:hi], dp}
		}
		copy(p.x.Data, x[lo:hi])
		p.tape.Bind(p.own)
		p.tape.Forward()
		p.tape.JVP(vars, dirs)
		copy(dy[lo:hi], p.y.Tan)
	})
}

// StepAdjoint accumulates ax += M'(x)ᵀ ay and, when ap is not nil, ap += M_w(x)ᵀ ay, a VJP of
// the recorded step.
func (s *Model) StepAdjoint(ax, ap, x, ay []float64) {
	s.check("StepAdjoint", len(ax), len(x), len(ay))
	s.adjoint(ax, ap, x, ay, nil)
}

// TapeLen returns the number of values StepTape saves: every value of the recorded step.
func (s *Model) TapeLen() int {
	n := 0
	for _, p := range s.parts {
		n += p.state.snapLen
	}
	return n
}

// StepTape sets dst = M(x) as Step does and saves the step's evaluation in tape.
func (s *Model) StepTape(dst, tape, x []float64) {
	s.check("StepTape", len(dst), len(x))
	s.each(func(p *part, lo, hi int) {
		// Forward writes the evaluation straight into the step tape (Tape.Bind): no copy.
		copy(p.state.x.Data, x[lo:hi])
		p.state.tape.Bind(s.snapshot(tape, p))
		p.state.tape.Forward()
		copy(dst[lo:hi], p.state.y.Data)
	})
}

// StepAdjointTape accumulates what StepAdjoint(ax, ap, x, ay) does, from the evaluation that
// StepTape saved at x instead of a replay. Both recorded programs of a part have the same
// primitives in the same order, so the evaluation of one binds the other.
func (s *Model) StepAdjointTape(ax, ap, x, tape, ay []float64) {
	s.check("StepAdjointTape", len(ax), len(x), len(ay))
	if len(tape) != s.TapeLen() {
		panic(fmt.Sprintf("surrogate: StepAdjointTape: tape of length %d, want %d", len(tape), s.TapeLen()))
	}
	s.adjoint(ax, ap, x, ay, tape)
}

// snapshot returns part p's window of a step tape.
func (s *Model) snapshot(tape []float64, p *part) []float64 {
	return tape[p.snap : p.snap+p.state.snapLen]
}

// adjoint sweeps every part back, from its replayed evaluation at x or, when tape is not
// nil, from the saved one, and adds the parts' adjoints into ax and (in part order) ap.
func (s *Model) adjoint(ax, ap, x, ay, tape []float64) {
	if ap != nil && len(ap) != s.NumParams() {
		panic(fmt.Sprintf("surrogate: StepAdjoint: %d parameter adjoints for %d weights", len(ap), s.NumParams()))
	}
	s.each(func(pt *part, lo, hi int) {
		// The weights' adjoint costs one more product per layer: take it only when asked.
		p := pt.state
		if ap != nil {
			p = pt.full
			p.w.Adj = p.gw
		}
		copy(p.x.Data, x[lo:hi])
		if tape != nil {
			p.tape.Bind(s.snapshot(tape, pt))
		} else {
			p.tape.Bind(p.own)
			p.tape.Forward()
		}
		p.x.Adj = p.gx
		p.tape.VJP(p.y, ay[lo:hi])
		for i, g := range p.gx {
			ax[lo+i] += g
		}
	})
	if ap != nil {
		for _, pt := range s.parts {
			for i, g := range pt.full.gw {
				ap[i] += g
			}
		}
	}
}

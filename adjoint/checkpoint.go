package adjoint

import (
	"errors"
	"fmt"
	"math"
)

// Checkpointing: the time-loop adjoint driver.
//
// The adjoint of a K-step loop x_{k+1} = M(x_k) runs backwards,
//
//	x̃_K = ∂J_K/∂x_K,   x̃_k = M'(x_k)ᵀ x̃_{k+1} + ∂J_k/∂x_k,   p̃ = Σ_k M_p(x_k)ᵀ x̃_{k+1},
//
// and needs the states in reverse order: x_{K−1} first, x_0 last. Storing them all costs K
// states; storing some (checkpoints) and recomputing the others from the nearest stored one
// trades memory for forward steps. Loop runs every policy as one recursion: to reverse the
// steps a … b−1 from a stored x_a, advance to a checkpoint x_{a+m}, store it, reverse
// a+m … b−1, free it, and reverse a … a+m−1. The policy only chooses m (Policy.Split):
//
//   - StoreAll: m = 1, K states, no recomputation.
//   - StoreEvery{k}: m = k until the range fits a segment, then m = 1: about K/k + k states
//     and K − K/k recomputed steps, so 2√K states for k = √K.
//   - Revolve{s}: the binomial split of Griewank (1992), which minimises the forward steps
//     for s snapshots: t(K, s) = r·K − C(s+r, r−1) with r the least integer for which
//     C(s+r, s) ≥ K. Each state is recomputed at most r times, and for a fixed budget r grows
//     like the s-th root of K (like log K when s grows with log K).
//
// Since a recomputed state equals the stored one bit for bit (Step is deterministic), every
// policy feeds StepAdjoint the same states in the same order: the gradient is the same to the
// last bit.
//
// References:
//
// A. Griewank, Achieving logarithmic growth of temporal and spatial complexity in reverse
// automatic differentiation, Optim. Methods Softw. 1, 35–54, 1992.
//
// A. Griewank and A. Walther, Algorithm 799: revolve: an implementation of checkpointing for
// the reverse or adjoint mode of computational differentiation, ACM Trans. Math. Softw.
// 26(1), 19–45, 2000.

// Stepper is one step x_{k+1} = M(x_k; p) of a time loop with its adjoint model, the
// interface a model needs for Loop. Step must be deterministic: a recomputed state has to
// equal the first one bit for bit, which is what makes every checkpointing policy give the
// same gradient to the last bit.
type Stepper interface {
	// Step sets dst = M(x); dst and x do not overlap.
	Step(dst, x []float64)

	// StepAdjoint accumulates ax += M'(x)ᵀ ay and, when ap is not nil, ap += M_p(x)ᵀ ay: the
	// adjoint of the step taken from x.
	StepAdjoint(ax, ap, x, ay []float64)
}

// TapedStepper is a Stepper that can save, while it steps, what its adjoint would otherwise
// recompute from x (the stage states of a Runge–Kutta step), so that the adjoint step skips
// the recomputation: the same trade of memory for recomputation as checkpointing, one level
// down. Loop uses it when Loop.Tape is set.
type TapedStepper interface {
	Stepper

	// TapeLen returns the number of values StepTape saves.
	TapeLen() int

	// StepTape sets dst = M(x) exactly as Step does and saves in tape, of length TapeLen,
	// what StepAdjointTape needs.
	StepTape(dst, tape, x []float64)

	// StepAdjointTape accumulates exactly what StepAdjoint(ax, ap, x, ay) accumulates, bit
	// for bit, reading the tape that StepTape saved at x.
	StepAdjointTape(ax, ap, x, tape, ay []float64)
}

// LoopCost is a cost that sums one term per state of a time loop,
//
//	J = Σ_{k=0}^{K} J_k(x_k),
//
// such as a 4DVar observation term (J_k = 0 where there is no observation) or a misfit of the
// final state only (J_k = 0 for k < K). The terms depend on the states only, not on the
// model parameters.
type LoopCost interface {
	// Value returns J_k(x). Loop calls it once per state, in increasing k, when the state is
	// first computed.
	Value(k int, x []float64) float64

	// AddGradient accumulates dst += ∂J_k/∂x at x. Loop calls it once per state, in
	// decreasing k, during the reverse sweep.
	AddGradient(dst []float64, k int, x []float64)
}

// Forcing is an additive term in the steps of a Loop, x_{k+1} = M(x_k) + η_{k+1}, such as
// the model error of weak-constraint 4DVar. Since ∂x_k/∂η_k = I, the gradient of J with
// respect to η_k is the adjoint x̃_k itself, which Loop hands to Adjoint as the reverse
// sweep passes step k.
type Forcing interface {
	// Add adds η_k to x, the state at step k ≥ 1 that Step has just computed. Loop calls
	// it each time the state is computed, recomputations included, so it must add the
	// same values every time.
	Add(k int, x []float64)

	// Adjoint receives x̃_k = ∂J/∂x_k for k = K … 0, in decreasing k. ax belongs to the
	// Loop and may be read only during the call.
	Adjoint(k int, ax []float64)
}

// Policy decides which states of a time loop are stored for the reverse sweep and which are
// recomputed. The driver reverses a range of l steps whose first state is stored by placing
// one more stored state (a checkpoint) m steps in, reversing the later part first and the
// earlier part next; Split chooses m. StoreAll, StoreEvery and Revolve implement it.
type Policy interface {
	// Capacity returns the largest number of states, x_0 included, that the policy stores
	// at once for a loop of steps steps: the size of the checkpoint store.
	Capacity(steps int) int

	// Split returns the offset m, 1 ≤ m < l, of the next checkpoint when l ≥ 2 steps are
	// reversed from a stored state with free ≥ 2 snapshots, the one holding that first
	// state included.
	Split(l, free int) int
}

var (
	_ Policy = StoreAll{}
	_ Policy = StoreEvery{}
	_ Policy = Revolve{}
)

// StoreAll stores every state of the forward sweep: K snapshots, no recomputation; the
// fastest policy when memory allows.
type StoreAll struct{}

// Capacity returns steps (x_0 … x_{K−1}; x_K is only needed to seed the reverse sweep).
func (StoreAll) Capacity(steps int) int { return max(steps, 1) }

// Split returns 1: every state is a checkpoint.
func (StoreAll) Split(l, free int) int { return 1 }

// StoreEvery stores every K-th state in the forward sweep and recomputes the states between
// two of them, storing those, when the reverse sweep reaches them: about steps/K + K
// snapshots and one extra forward sweep. K = √steps minimises the memory, 2√steps states.
type StoreEvery struct {
	// K is the interval between stored states; zero or negative means ⌈√steps⌉.
	K int
}

func (p StoreEvery) interval(steps int) int {
	if p.K > 0 {
		return p.K
	}
	return max(1, int(math.Ceil(math.Sqrt(float64(steps)))))
}

// Capacity returns the c = ⌈steps/K⌉ checkpoints plus the states recomputed inside one
// segment: L−1 for the last segment of length L, or K−1 for the ones before it, whichever
// peaks higher (the last segment's checkpoint is free by then).
func (p StoreEvery) Capacity(steps int) int {
	if steps <= 0 {
		return 1
	}
	k := min(p.interval(steps), steps)
	c := (steps + k - 1) / k
	last := steps - (c-1)*k
	capacity := c + last - 1
	if c >= 2 {
		capacity = max(capacity, c+k-2)
	}
	return capacity
}

// Split returns K while the range is longer than K, and 1 inside a segment.
//
// Split sees only the length of the range, not the total number of steps, so the zero K
// cannot be resolved here; Loop resolves it before the sweep.
func (p StoreEvery) Split(l, free int) int {
	if k := p.K; k > 0 && l > k {
		return k
	}
	return 1
}

// Revolve is the binomial checkpointing schedule of Griewank (1992) and Griewank & Walther
// (2000), "Algorithm 799: revolve": with s snapshots it reverses K steps with the least
// possible number of forward steps,
//
//	t(K, s) = r·K − C(s+r, r−1),   r the least integer with C(s+r, s) ≥ K,
//
// r being the number of times the deepest state is recomputed: logarithmic in K for a fixed
// memory, against K stored states for StoreAll. Split picks the checkpoint that attains
// t(K, s) at every level of the recursion.
type Revolve struct {
	// Snapshots is s, the number of states stored at once, x_0 included; zero or negative
	// means ⌈log₂ K⌉ + 1.
	Snapshots int
}

// Capacity returns min(s, steps).
func (p Revolve) Capacity(steps int) int {
	s := p.Snapshots
	if s <= 0 {
		s = int(math.Ceil(math.Log2(float64(max(steps, 2))))) + 1
	}
	return max(1, min(s, steps))
}

// Split returns the m that minimises m + t(m, free) + t(l−m, free−1): advance m steps, store
// the state, reverse the l−m later steps with one snapshot fewer, then the m earlier ones
// with all of them. The cost is convex in m (a sum of convex piecewise-linear functions), so
// a binary search on its slope finds the least minimiser.
func (Revolve) Split(l, free int) int {
	g := func(m int) int { return m + RevolveForward(m, free) + RevolveForward(l-m, free-1) }
	lo, hi := 1, l-1
	for lo < hi {
		mid := (lo + hi) / 2
		if g(mid+1) < g(mid) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// RevolveForward returns t(l, s), the least number of forward steps that reverse l steps
// from a stored first state with s ≥ 1 snapshots (that one included), not counting the step
// that computes the final state x_l, which Loop takes once per sweep:
//
//	t(l, s) = r·l − C(s+r, r−1),   r the least integer with C(s+r, s) ≥ l,
//
// which is l(l−1)/2 for s = 1 and l − 1 for s ≥ l (Griewank & Walther 2000, Proposition 1).
// It panics for l > 2³⁰ or s < 1.
func RevolveForward(l, s int) int {
	if s < 1 || l > 1<<30 {
		panic(fmt.Sprintf("adjoint: RevolveForward: %d steps with %d snapshots", l, s))
	}
	if l <= 1 {
		return 0
	}
	s = min(s, l)
	// beta = C(s+r, s), grown in r until it reaches l. beta < l·(s+r)/r ≤ 2³¹·2³¹ fits an int.
	r, beta := 0, 1
	for beta < l {
		r++
		beta = beta * (s + r) / r
	}
	// C(s+r, r−1) = C(s+r, s)·r/(s+1).
	return r*l - beta*r/(s+1)
}

// LoopStats counts the work of the last sweep of a Loop.
type LoopStats struct {
	// Steps is K, the number of steps of the loop; also the number of adjoint steps.
	Steps int
	// Forward is the number of forward steps taken, the first sweep included: K for
	// StoreAll, more for the policies that recompute.
	Forward int
	// Recomputed is Forward − K.
	Recomputed int
	// Snapshots is the largest number of states held at once in the checkpoint store.
	Snapshots int
	// Capacity is the number of states the store was sized for, Policy.Capacity(K).
	Capacity int
}

// ErrNonFinite is wrapped by the errors Loop returns when a state, a cost term or an adjoint
// becomes NaN or ±Inf; the message names the step.
var ErrNonFinite = errors.New("adjoint: non-finite value")

// Loop computes a cost over a time loop x_{k+1} = M(x_k), k = 0 … K−1, and its gradient with
// respect to x_0 and the model parameters, storing and recomputing states as its Policy says.
// It keeps its buffers between calls. A Loop is not safe for concurrent use.
type Loop struct {
	// Model is the step. Required.
	Model Stepper

	// Policy is the checkpointing policy; nil means StoreAll.
	Policy Policy

	// Tape, when set and Model is a TapedStepper, saves the step tape of every stored state
	// beside it, so that the adjoint steps from stored states need no recomputation inside
	// the step. Each snapshot then holds TapeLen more values (three states for RK4): for
	// StoreAll that is four times the memory, for a gradient about a fifth faster. The
	// results are the same to the last bit either way.
	Tape bool

	// Forcing, when not nil, adds η_k to every state x_k, k ≥ 1, and receives the adjoints
	// x̃_k, which are the gradients with respect to η_k.
	Forcing Forcing

	// Stats describes the last Gradient call.
	Stats LoopStats

	n        int
	tm       TapedStepper // Model when Tape is in use, else nil
	tl       int          // tm.TapeLen(), 0 without a tape
	store    []float64    // snapshots, n + tl each: the state, then its step's tape
	taped    []bool       // whether a slot's tape holds the step from its state
	free     []int        // free snapshot slots
	inUse    int
	work     [3][]float64 // two to step through, one to recompute into
	adj, tmp []float64
	gp       []float64
	cost     LoopCost
	seen     int // largest k whose state has been computed, −1 before the sweep
	total    float64
	steps    int
	policy   Policy
	err      error
}

// Value returns J over a loop of steps steps from x0 without storing anything: two state
// buffers whatever the policy. It returns an error wrapping ErrNonFinite, naming the step,
// when a state or a cost term becomes non-finite.
func (l *Loop) Value(x0 []float64, steps int, cost LoopCost) (float64, error) {
	if err := l.start("Value", x0, steps, cost); err != nil {
		return 0, err
	}
	x, y := l.work[0], l.work[1]
	copy(x, x0)
	if !l.visit(0, x) {
		return 0, l.err
	}
	for k := 1; k <= steps; k++ {
		l.Model.Step(y, x)
		l.force(k, y)
		x, y = y, x
		if !l.visit(k, x) {
			return 0, l.err
		}
	}
	return l.total, nil
}

// Gradient returns J over a loop of steps steps from x0 and sets gx = ∂J/∂x_0 and, when gp
// is not nil, gp = ∂J/∂p, the parameter adjoint accumulated by StepAdjoint (gp is zeroed
// first). x0 is not modified. Every policy returns the same J, gx and gp to the last bit.
// The error wraps ErrNonFinite and names the step when a state, a cost term or an adjoint
// becomes non-finite; gx and gp are then unspecified.
func (l *Loop) Gradient(gx, gp, x0 []float64, steps int, cost LoopCost) (float64, error) {
	if err := l.start("Gradient", x0, steps, cost); err != nil {
		return 0, err
	}
	if len(gx) != l.n {
		panic(fmt.Sprintf("adjoint: Loop.Gradient: gradient of length %d for state of length %d", len(gx), l.n))
	}
	l.gp = gp
	if gp != nil {
		clear(gp)
	}
	l.Stats = LoopStats{Steps: steps, Capacity: l.policy.Capacity(steps)}
	l.reserve(l.Stats.Capacity)
	slot := l.take()
	copy(l.slot(slot), x0)
	if !l.visit(0, l.slot(slot)) {
		return 0, l.err
	}
	clear(l.adj)
	if steps == 0 {
		cost.AddGradient(l.adj, 0, l.slot(slot))
		l.forceAdjoint(0)
	} else if !l.reverse(0, steps, slot, l.Stats.Capacity) {
		return 0, l.err
	}
	l.release(slot)
	copy(gx, l.adj)
	l.Stats.Recomputed = l.Stats.Forward - steps
	if gp != nil {
		if i, ok := firstNonFinite(gp); !ok {
			return 0, fmt.Errorf("%w: parameter adjoint %d is %v after the reverse sweep", ErrNonFinite, i, gp[i])
		}
	}
	return l.total, nil
}

func (l *Loop) start(op string, x0 []float64, steps int, cost LoopCost) error {
	if l.Model == nil {
		panic("adjoint: Loop." + op + ": nil Model")
	}
	if cost == nil {
		panic("adjoint: Loop." + op + ": nil cost")
	}
	if steps < 0 {
		return fmt.Errorf("adjoint: Loop.%s: %d steps (must be ≥ 0)", op, steps)
	}
	if n := len(x0); n != l.n || l.adj == nil {
		l.n = n
		l.work = [3][]float64{make([]float64, n), make([]float64, n), make([]float64, n)}
		l.adj, l.tmp = make([]float64, n), make([]float64, n)
		l.store = nil
	}
	l.cost, l.steps, l.seen, l.total, l.err = cost, steps, -1, 0, nil
	l.tm, l.tl = nil, 0
	if tm, ok := l.Model.(TapedStepper); ok && l.Tape {
		l.tm, l.tl = tm, tm.TapeLen()
	}
	l.policy = l.Policy
	switch p := l.policy.(type) {
	case nil:
		l.policy = StoreAll{}
	case StoreEvery:
		p.K = p.interval(steps)
		l.policy = p
	case Revolve:
		p.Snapshots = p.Capacity(steps)
		l.policy = p
	}
	return nil
}

// reserve sizes the snapshot store for s states and marks every slot free.
func (l *Loop) reserve(s int) {
	if len(l.store) < s*(l.n+l.tl) {
		l.store = make([]float64, s*(l.n+l.tl))
	}
	if len(l.taped) < s {
		l.taped = make([]bool, s)
	}
	l.free = l.free[:0]
	for i := s - 1; i >= 0; i-- {
		l.free = append(l.free, i)
	}
	l.inUse = 0
}

func (l *Loop) slot(i int) []float64 {
	w := l.n + l.tl
	return l.store[i*w : i*w+l.n : i*w+l.n]
}

func (l *Loop) tape(i int) []float64 {
	w := l.n + l.tl
	return l.store[i*w+l.n : (i+1)*w : (i+1)*w]
}

func (l *Loop) take() int {
	if len(l.free) == 0 {
		panic("adjoint: Loop: policy asked for more snapshots than its Snapshots")
	}
	i := l.free[len(l.free)-1]
	l.free = l.free[:len(l.free)-1]
	l.taped[i] = false
	l.inUse++
	l.Stats.Snapshots = max(l.Stats.Snapshots, l.inUse)
	return i
}

func (l *Loop) release(i int) {
	l.free = append(l.free, i)
	l.inUse--
}

// visit records the state x_k: the first time k is reached it adds J_k and checks that both
// are finite.
func (l *Loop) visit(k int, x []float64) bool {
	if k <= l.seen {
		return true
	}
	l.seen = k
	if i, ok := firstNonFinite(x); !ok {
		l.err = fmt.Errorf("%w: state became non-finite at step %d (x%d = %v)", ErrNonFinite, k, i, x[i])
		return false
	}
	j := l.cost.Value(k, x)
	if math.IsNaN(j) || math.IsInf(j, 0) {
		l.err = fmt.Errorf("%w: cost term at step %d is %v", ErrNonFinite, k, j)
		return false
	}
	l.total += j
	return true
}

// advance steps from x_a (in slot sa) to x_b and writes x_b to dst, stepping through work[0]
// and work[1]; dst is a snapshot or work[2]. With a tape, the first step saves its tape in
// slot sa.
func (l *Loop) advance(sa, a, b int, dst []float64) bool {
	x := l.slot(sa)
	for k := a + 1; k <= b; k++ {
		y := l.work[k%2]
		if k == b {
			y = dst
		}
		if k == a+1 && l.tm != nil {
			l.tm.StepTape(y, l.tape(sa), x)
			l.taped[sa] = true
		} else {
			l.Model.Step(y, x)
		}
		l.force(k, y)
		l.Stats.Forward++
		if !l.visit(k, y) {
			return false
		}
		x = y
	}
	return true
}

// reverse runs the adjoint over the steps a … b−1, x_a being in slot sa, with free snapshots
// (sa included) available. On entry l.adj holds x̃_b, except when b = K, where the final
// state is computed here to seed it; on return it holds x̃_a.
func (l *Loop) reverse(a, b, sa, free int) bool {
	if b-a == 1 {
		return l.adjointStep(a, sa)
	}
	if free < 2 {
		// Only x_a is stored: recompute from it for every step, the last one first.
		for k := b - 1; k > a; k-- {
			if !l.advance(sa, a, k, l.work[2]) {
				return false
			}
			if !l.adjointStep(k, -1) {
				return false
			}
		}
		return l.adjointStep(a, sa)
	}
	m := l.policy.Split(b-a, free)
	if m < 1 || m >= b-a {
		panic(fmt.Sprintf("adjoint: Loop: policy %T split %d steps at %d", l.policy, b-a, m))
	}
	sm := l.take()
	if !l.advance(sa, a, a+m, l.slot(sm)) {
		return false
	}
	if !l.reverse(a+m, b, sm, free-1) {
		return false
	}
	l.release(sm)
	return l.reverse(a, a+m, sa, free)
}

// adjointStep sets l.adj from x̃_{k+1} to x̃_k = M'(x_k)ᵀ x̃_{k+1} + ∂J_k/∂x_k, with x_k in
// slot sk, or in work[2] when sk < 0. At k = K−1 it first computes x_K from x_k and seeds
// x̃_K = ∂J_K/∂x_K.
func (l *Loop) adjointStep(k, sk int) bool {
	x := l.work[2]
	if sk >= 0 {
		x = l.slot(sk)
	}
	if k == l.steps-1 {
		y := l.work[0] // x is a snapshot or work[2]
		if sk >= 0 && l.tm != nil {
			l.tm.StepTape(y, l.tape(sk), x)
			l.taped[sk] = true
		} else {
			l.Model.Step(y, x)
		}
		l.force(k+1, y)
		l.Stats.Forward++
		if !l.visit(k+1, y) {
			return false
		}
		clear(l.adj)
		l.cost.AddGradient(l.adj, k+1, y)
		l.forceAdjoint(k + 1)
	}
	clear(l.tmp)
	if sk >= 0 && l.tm != nil && l.taped[sk] {
		l.tm.StepAdjointTape(l.tmp, l.gp, x, l.tape(sk), l.adj)
	} else {
		l.Model.StepAdjoint(l.tmp, l.gp, x, l.adj)
	}
	l.cost.AddGradient(l.tmp, k, x)
	l.adj, l.tmp = l.tmp, l.adj
	if i, ok := firstNonFinite(l.adj); !ok {
		l.err = fmt.Errorf("%w: adjoint became non-finite at step %d (component %d = %v)", ErrNonFinite, k, i, l.adj[i])
		return false
	}
	l.forceAdjoint(k)
	return true
}

func (l *Loop) force(k int, x []float64) {
	if l.Forcing != nil {
		l.Forcing.Add(k, x)
	}
}

func (l *Loop) forceAdjoint(k int) {
	if l.Forcing != nil {
		l.Forcing.Adjoint(k, l.adj)
	}
}

// firstNonFinite returns the index of the first NaN or ±Inf of x and false, or −1 and true.
func firstNonFinite(x []float64) (int, bool) {
	// x − x is 0 for every finite x and NaN otherwise; summing keeps the fast path to one
	// branch-free pass, with four partial sums so that the additions do not wait on each
	// other.
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		w := x[i : i+4 : i+4]
		s0 += w[0] - w[0]
		s1 += w[1] - w[1]
		s2 += w[2] - w[2]
		s3 += w[3] - w[3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] - x[i]
	}
	if s0+s1+s2+s3 == 0 {
		return -1, true
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return i, false
		}
	}
	return -1, true
}

// TapeLen returns the number of values Loop saves beside each snapshot: the model's
// TapeLen when Tape is set and Model is a TapedStepper, else 0. It is what LoopBytes
// needs.
func (l *Loop) TapeLen() int {
	if tm, ok := l.Model.(TapedStepper); ok && l.Tape {
		return tm.TapeLen()
	}
	return 0
}

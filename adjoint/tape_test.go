package adjoint_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adjunto/adjunto/adjoint"
)

// TestFanOutAccumulates guards the += of the adjoint rules: x feeds J twice, so x̃ must be
// the sum of both contributions, J = x·x + 3x → dJ/dx = 2x + 3.
func TestFanOutAccumulates(t *testing.T) {
	tp := adjoint.NewTape()
	x := tp.Vector([]float64{2})
	J := adjoint.Add(adjoint.Mul(x, x), adjoint.Scale(3, x))
	tp.Gradient(J)
	assert.Equal(t, 7.0, x.Adj[0])
}

// TestSweepsRepeatOnOneRecording checks that reverse and tangent sweeps can run many times on
// one recorded trajectory, give the same bits every time, and do not leak adjoints of one
// sweep into the next (each VJP starts from zero).
func TestSweepsRepeatOnOneRecording(t *testing.T) {
	tp := adjoint.NewTape()
	x := tp.Vector([]float64{0.3, -0.7, 1.1})
	y := adjoint.Tanh(adjoint.Mul(x, adjoint.Shift(x, 1)))
	J := adjoint.SumSquares(y)

	tp.Gradient(J)
	first := append([]float64(nil), x.Adj...)
	for range 3 {
		tp.Gradient(J)
		require.Equal(t, first, x.Adj)
	}

	// A VJP with another seed on the intermediate y, then the gradient again.
	tp.VJP(y, []float64{1, 0, 0})
	vjp := append([]float64(nil), x.Adj...)
	tp.Gradient(J)
	require.Equal(t, first, x.Adj)

	// <J'(x) e_0 ... > consistency: the JVP of y along e_j gives column j of ∂y/∂x, whose
	// first row must match the VJP with seed e_0.
	for j := range 3 {
		dir := make([]float64, 3)
		dir[j] = 1
		tp.JVP([]*adjoint.Value{x}, [][]float64{dir})
		assert.InDelta(t, vjp[j], y.Tan[0], 1e-15, "∂y0/∂x%d", j)
	}
}

// TestManualSeedMatchesVJP checks the low-level protocol (ZeroAdjoints, seed, ReverseSweep)
// against VJP, including a seed on two outputs at once.
func TestManualSeedMatchesVJP(t *testing.T) {
	tp := adjoint.NewTape()
	x := tp.Vector([]float64{0.5, 2})
	a := adjoint.Exp(x)
	b := adjoint.Log(x)
	tp.ZeroAdjoints()
	a.Adj[0], b.Adj[1] = 1, 1
	tp.ReverseSweep()
	got := append([]float64(nil), x.Adj...)
	assert.InDelta(t, 1.6487212707001282, got[0], 1e-15) // e^0.5
	assert.InDelta(t, 0.5, got[1], 1e-15)                // 1/2
}

// TestReplayEvaluatesAtNewPoint checks that Forward re-runs the recorded program at the
// inputs' current values, constants included, and that gradients follow.
func TestReplayEvaluatesAtNewPoint(t *testing.T) {
	xd := []float64{1, 2}
	cd := []float64{10, 20}
	tp := adjoint.NewTape()
	x := tp.Vector(xd)
	c := tp.Constant(cd, 1, 2)
	J := adjoint.Dot(adjoint.Square(x), c) // Σ c_i x_i²
	assert.Equal(t, 90.0, J.Scalar())

	xd[0], xd[1] = 3, 1
	cd[0] = 1
	tp.Forward()
	assert.Equal(t, 29.0, J.Scalar())
	tp.Gradient(J)
	assert.Equal(t, []float64{6, 40}, x.Adj)
}

// TestUnreachedValuesHaveZeroAdjoint: a value the swept output does not depend on, recorded
// before or after it, must read zero after the sweep, not a stale adjoint from an earlier one.
func TestUnreachedValuesHaveZeroAdjoint(t *testing.T) {
	tp := adjoint.NewTape()
	x := tp.Vector([]float64{1})
	z := tp.Vector([]float64{2})
	Jx := adjoint.Square(x)
	Jz := adjoint.Square(z)
	tp.Gradient(Jz)
	assert.Equal(t, 4.0, z.Adj[0])
	tp.Gradient(Jx)
	assert.Equal(t, 2.0, x.Adj[0])
	assert.Equal(t, 0.0, z.Adj[0], "stale adjoint of z survived a sweep that did not reach it")
	assert.Equal(t, 0.0, Jz.Adj[0])
}

// TestCallerOwnedAdjointBuffer checks that a variable's Adj may alias the caller's flat
// gradient vector, as network training does, and that the sweep writes straight into it.
func TestCallerOwnedAdjointBuffer(t *testing.T) {
	flat := make([]float64, 3)
	tp := adjoint.NewTape()
	w := tp.Vector([]float64{1, 2})
	b := tp.Vector([]float64{3})
	w.Adj, b.Adj = flat[:2], flat[2:]
	J := adjoint.Add(adjoint.Dot(w, w), b)
	tp.Gradient(J)
	assert.Equal(t, []float64{2, 4, 1}, flat)
}

func TestPassiveProgramHasNoAdjoint(t *testing.T) {
	tp := adjoint.NewTape()
	c := tp.Constant([]float64{1, 2}, 1, 2)
	J := adjoint.Sum(c)
	assert.False(t, J.Active())
	tp.Gradient(J) // nothing to do, and no panic
	assert.Nil(t, c.Adj)
}

// TestShapePanicsNameOperation guards the panic messages: the primitive's name and both shapes.
func TestShapePanicsNameOperation(t *testing.T) {
	tp := adjoint.NewTape()
	a := tp.Variable(make([]float64, 6), 2, 3)
	b := tp.Variable(make([]float64, 6), 3, 2)
	v := tp.Vector(make([]float64, 4))
	for _, tc := range []struct {
		want string
		f    func()
	}{
		{"adjoint: Add: shape mismatch 2x3 vs 3x2", func() { adjoint.Add(a, b) }},
		{"adjoint: Mul: shape mismatch 2x3 vs 1x4", func() { adjoint.Mul(a, v) }},
		{"adjoint: MatMul: shape mismatch 2x3 vs 2x3", func() { adjoint.MatMul(a, a) }},
		{"adjoint: Dense: shape mismatch X 2x3, W 3x2, b none", func() { adjoint.Dense(a, b, nil) }},
		{"adjoint: MatVec: shape mismatch W 2x3, x 1x4", func() { adjoint.MatVec(a, v) }},
		{"adjoint: Dot: shape mismatch 2x3 vs 1x4", func() { adjoint.Dot(a, v) }},
		{"adjoint: Gather: index 4 out of range for shape 1x4", func() { adjoint.Gather(v, []int{0, 4}) }},
		{"adjoint: Slice: bounds [2:5] out of range for shape 1x4", func() { adjoint.Slice(v, 2, 5) }},
		{"adjoint: Concat: shape mismatch 2x3 vs 1x4", func() { adjoint.Concat(a, v) }},
		{"adjoint: Reshape: shape mismatch 1x4 to 3x1", func() { adjoint.Reshape(v, 3, 1) }},
		{"adjoint: Gradient: cost has shape 1x4, not 1x1", func() { tp.Gradient(v) }},
		{"adjoint: Variable: 3 values for shape 2x2", func() { tp.Variable(make([]float64, 3), 2, 2) }},
	} {
		assert.PanicsWithValue(t, tc.want, tc.f)
	}
}

func TestScalarBroadcast(t *testing.T) {
	tp := adjoint.NewTape()
	s := tp.Vector([]float64{2})
	x := tp.Vector([]float64{1, 2, 3})
	J := adjoint.Sum(adjoint.Mul(s, x)) // s·Σx
	assert.Equal(t, 12.0, J.Scalar())
	tp.Gradient(J)
	assert.Equal(t, []float64{6}, s.Adj) // Σx
	assert.Equal(t, []float64{2, 2, 2}, x.Adj)
}

// TestSnapshotRestoresTheLinearisation records one program, evaluates it at two points,
// keeps the first evaluation with Snapshot, and checks that after Restore the reverse sweep
// gives the first point's gradient bit for bit, without a replay.
func TestSnapshotRestoresTheLinearisation(t *testing.T) {
	tp := adjoint.NewTape()
	xd := []float64{0.3, -0.7, 1.1}
	x := tp.Vector(xd)
	J := adjoint.SumSquares(adjoint.Tanh(adjoint.Mul(x, adjoint.Shift(x, 1))))
	tp.Gradient(J)
	want := append([]float64(nil), x.Adj...)

	snap := make([]float64, tp.SnapshotLen())
	require.Equal(t, 3+3+3+1, len(snap), "Shift, Mul, Tanh and SumSquares values")
	tp.Snapshot(snap)
	copy(xd, []float64{2, 0.1, -0.4})
	tp.Forward()
	tp.Gradient(J)
	require.NotEqual(t, want, x.Adj)

	copy(xd, []float64{0.3, -0.7, 1.1})
	tp.Restore(snap)
	tp.Gradient(J)
	assert.Equal(t, want, x.Adj)
	assert.PanicsWithValue(t, "adjoint: Snapshot: buffer of length 3, tape needs 10", func() { tp.Snapshot(make([]float64, 3)) })
}

// TestBindKeepsEachEvaluation binds one program to two buffers in turn, evaluates it at a
// different point in each, and checks that Forward wrote each evaluation into its own buffer
// (the bits Snapshot would save) and that binding a buffer again gives that point's gradient
// bit for bit, with no replay and no copy.
func TestBindKeepsEachEvaluation(t *testing.T) {
	tp := adjoint.NewTape()
	xd := []float64{0.3, -0.7, 1.1}
	x := tp.Vector(xd)
	J := adjoint.SumSquares(adjoint.Tanh(adjoint.Mul(x, adjoint.Shift(x, 1))))
	points := [][]float64{{0.3, -0.7, 1.1}, {2, 0.1, -0.4}}
	var grads, snaps [][]float64
	for _, p := range points { // the reference: a replay and Snapshot at each point
		copy(xd, p)
		tp.Forward()
		tp.Gradient(J)
		grads = append(grads, append([]float64(nil), x.Adj...))
		snap := make([]float64, tp.SnapshotLen())
		tp.Snapshot(snap)
		snaps = append(snaps, snap)
	}
	require.NotEqual(t, grads[0], grads[1])

	bufs := [][]float64{make([]float64, tp.SnapshotLen()), make([]float64, tp.SnapshotLen())}
	for i, p := range points {
		copy(xd, p)
		tp.Bind(bufs[i])
		tp.Forward()
		require.Equal(t, snaps[i], bufs[i], "point %d: Forward wrote the evaluation into the bound buffer", i)
	}
	for i := range points { // the reverse sweeps, in the other order, from the kept evaluations
		i = len(points) - 1 - i
		copy(xd, points[i])
		tp.Bind(bufs[i])
		tp.Gradient(J)
		assert.Equal(t, grads[i], x.Adj, "point %d", i)
	}
	assert.PanicsWithValue(t, "adjoint: Bind: buffer of length 3, tape needs 10", func() { tp.Bind(make([]float64, 3)) })
}

// TestSnapshotSavesWhatTheRulesRead records a tanh layer, whose pre-activations z = xWᵀ + b no
// rule reads (Dense's rules read x and W, Tanh's its output), and checks that Snapshot leaves
// them out, keeps the rest, and still restores the gradient at the saved point bit for bit,
// also for the weights.
func TestSnapshotSavesWhatTheRulesRead(t *testing.T) {
	tp := adjoint.NewTape()
	xd := []float64{0.3, -0.7, 1.1, 0.2, 0.5, -1.3}
	x := tp.Variable(xd, 2, 3)
	w := tp.Variable([]float64{0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, 0.8, -0.9, 1.0, 1.1, -1.2}, 4, 3)
	b := tp.Variable([]float64{0.01, -0.02, 0.03, 0.04}, 1, 4)
	h := adjoint.Tanh(adjoint.Dense(x, w, b))
	J := adjoint.SumSquares(adjoint.Reshape(h, 1, 8))
	require.Equal(t, 8+8+1, tp.SnapshotLen(), "Tanh's and Reshape's values and the cost; not Dense's")

	grad := func() []float64 {
		tp.Gradient(J)
		return append(append(append([]float64(nil), x.Adj...), w.Adj...), b.Adj...)
	}
	want := grad()
	snap := make([]float64, tp.SnapshotLen())
	tp.Snapshot(snap)
	point := append([]float64(nil), xd...)
	copy(xd, []float64{2, 0.1, -0.4, 0.9, -0.8, 0.3})
	tp.Forward()
	require.NotEqual(t, want, grad())
	copy(xd, point)
	tp.Restore(snap)
	assert.Equal(t, want, grad())
}

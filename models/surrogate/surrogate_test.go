package surrogate_test

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/models/surrogate"
	"github.com/adjunto/adjunto/nn"
)

// newModel returns the surrogate of a seeded network spec on n points.
func newModel(t testing.TB, spec string, c surrogate.Config) *surrogate.Model {
	t.Helper()
	net, err := nn.NewMLP(spec, nn.MLPOptions{}, nn.Config{Seed: 3})
	require.NoError(t, err)
	m, err := surrogate.New(&nn.Model{Network: net}, c)
	require.NoError(t, err)
	return m
}

func attractor(n int, seed uint64) []float64 {
	rnd := rand.New(rand.NewPCG(seed, 1))
	x := make([]float64, n)
	for i := range x {
		x[i] = 2.3 + 3.6*rnd.NormFloat64()
	}
	return x
}

// TestNewRejectsWhatDoesNotFit guards the errors a user sees for a stencil or an
// architecture that does not fit the model.
func TestNewRejectsWhatDoesNotFit(t *testing.T) {
	for _, c := range []struct {
		spec string
		cfg  surrogate.Config
		in   *nn.Scaler
		want string
	}{
		{"4-8-1", surrogate.Config{N: 40}, nil, "4 inputs: the stencil x_{i−r} … x_{i+r} has an odd number"},
		{"41-8-1", surrogate.Config{N: 40}, nil, "stencil of 41 points (the network's inputs) on a grid of 40"},
		{"5-8-2", surrogate.Config{N: 40}, nil, "2 outputs"},
		{"5-8-1", surrogate.Config{N: 0}, nil, "grid of 0 points"},
		{"5-8-1", surrogate.Config{N: 40, Batch: -1}, nil, "batch of -1 states"},
		{"5-8-1", surrogate.Config{N: 40, Dt: -0.1}, nil, "time step -0.1"},
		{"5-8-1", surrogate.Config{N: 40}, &nn.Scaler{Mean: []float64{0}, Std: []float64{1}}, "input scaler of 1 columns for 5 inputs"},
	} {
		net, err := nn.NewMLP(c.spec, nn.MLPOptions{}, nn.Config{})
		require.NoError(t, err)
		_, err = surrogate.New(&nn.Model{Network: net, InputScaler: c.in}, c.cfg)
		if assert.Error(t, err, c.spec) {
			assert.True(t, errors.Is(err, surrogate.ErrSpec), "%v wraps ErrSpec", err)
			assert.Contains(t, err.Error(), c.want)
		}
	}
}

// TestBatchStepsEachStateAlone checks that stacking states in a batch, split into parts
// stepped in parallel (17 states make two parts), steps each state as the model of one state
// does, and that the weights' adjoint is the sum of the states' own.
func TestBatchStepsEachStateAlone(t *testing.T) {
	const b = 17
	one := newModel(t, "5-12-1", surrogate.Config{N: 10})
	many := newModel(t, "5-12-1", surrogate.Config{N: 10, Batch: b})
	x, ay := attractor(10*b, 1), attractor(10*b, 2)
	y := make([]float64, 10*b)
	many.Step(y, x)
	ax, ap := make([]float64, 10*b), make([]float64, many.NumParams())
	many.StepAdjoint(ax, ap, x, ay)
	wantAp := make([]float64, many.NumParams())
	for s := range b {
		want := make([]float64, 10)
		one.Step(want, x[10*s:10*s+10])
		assert.InDeltaSlice(t, want, y[10*s:10*s+10], 1e-14, "state %d", s)
		wantAx := make([]float64, 10)
		one.StepAdjoint(wantAx, wantAp, x[10*s:10*s+10], ay[10*s:10*s+10])
		assert.InDeltaSlice(t, wantAx, ax[10*s:10*s+10], 1e-13, "adjoint of state %d", s)
	}
	assert.InDeltaSlice(t, wantAp, ap, 1e-12)
}

// TestTapedAdjointIsTheReplayedOne checks that the adjoint step from a saved evaluation
// equals the one that replays the step, bit for bit, with and without the weights' adjoint,
// and that a whole Loop gives the same gradient either way.
func TestTapedAdjointIsTheReplayedOne(t *testing.T) {
	const n = 12 * 20 // 20 states of 12 points, in two parts
	m := newModel(t, "5-8-8-1", surrogate.Config{N: 12, Batch: 20, Physics: surrogate.L96(8)})
	x := attractor(n, 2)
	ay := attractor(n, 3)
	y := make([]float64, n)
	tape := make([]float64, m.TapeLen())
	m.StepTape(y, tape, x)
	m.Step(y, ay) // move the recorded evaluation elsewhere

	for _, withW := range []bool{false, true} {
		var ap1, ap2 []float64
		if withW {
			ap1, ap2 = make([]float64, m.NumParams()), make([]float64, m.NumParams())
		}
		ax1, ax2 := make([]float64, n), make([]float64, n)
		m.StepAdjoint(ax1, ap1, x, ay)
		m.StepAdjointTape(ax2, ap2, x, tape, ay)
		assert.Equal(t, ax1, ax2)
		assert.Equal(t, ap1, ap2)
	}

	cost := sumSquares{}
	gx := [2][]float64{make([]float64, n), make([]float64, n)}
	gp := [2][]float64{make([]float64, m.NumParams()), make([]float64, m.NumParams())}
	var j [2]float64
	for i, taped := range []bool{false, true} {
		l := &adjoint.Loop{Model: m, Tape: taped}
		var err error
		j[i], err = l.Gradient(gx[i], gp[i], x, 15, cost)
		require.NoError(t, err)
	}
	assert.Equal(t, j[0], j[1])
	assert.Equal(t, gx[0], gx[1])
	assert.Equal(t, gp[0], gp[1])
}

// sumSquares is J = ½ Σ_k ‖x_k‖².
type sumSquares struct{}

func (sumSquares) Value(_ int, x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return s / 2
}

func (sumSquares) AddGradient(dst []float64, _ int, x []float64) {
	for i, v := range x {
		dst[i] += v
	}
}

// TestStepPanicsNameTheShapes guards the message of a programming error.
func TestStepPanicsNameTheShapes(t *testing.T) {
	m := newModel(t, "3-4-1", surrogate.Config{N: 6, Batch: 2})
	assert.PanicsWithValue(t, "surrogate: Step: vector of length 6 for a model of dimension 12", func() {
		m.Step(make([]float64, 6), make([]float64, 12))
	})
	assert.True(t, strings.HasPrefix(func() (s string) {
		defer func() { s, _ = recover().(string) }()
		m.StepAdjoint(make([]float64, 12), make([]float64, 3), make([]float64, 12), make([]float64, 12))
		return ""
	}(), "surrogate: StepAdjoint: 3 parameter adjoints"))
}

// TestTendencyIsNetworkPlusPhysics checks Tendency against its parts: with the weights
// zeroed the hybrid's tendency is its physics alone, Lorenz-96 written out by hand; with
// them the pure network's is the hybrid's minus the physics.
func TestTendencyIsNetworkPlusPhysics(t *testing.T) {
	const n = 8
	x := attractor(n, 4)
	hybrid := newModel(t, "5-6-1", surrogate.Config{N: n, Physics: surrogate.L96(7.5)})
	pure := newModel(t, "5-6-1", surrogate.Config{N: n})
	th, tn := make([]float64, n), make([]float64, n)
	hybrid.Tendency(th, x)
	pure.Tendency(tn, x)
	want := make([]float64, n)
	for i := range n {
		want[i] = (x[(i+1)%n]-x[(i+n-2)%n])*x[(i+n-1)%n] - x[i] + 7.5
		assert.InDelta(t, want[i], th[i]-tn[i], 1e-12, "physics at %d", i)
	}
	hybrid.SetParams(make([]float64, hybrid.NumParams()))
	hybrid.Tendency(th, x)
	assert.InDeltaSlice(t, want, th, 1e-12)
}

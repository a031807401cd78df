package learn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/learn"
	"github.com/adjunto/adjunto/models/lorenz"
	"github.com/adjunto/adjunto/models/surrogate"
	"github.com/adjunto/adjunto/nn"
	"github.com/adjunto/adjunto/verify"
)

// l96Twin observes a Lorenz-96 truth of 40 variables, half of them at random each step.
func l96Twin(t testing.TB, steps int, sigma float64) *learn.Twin {
	t.Helper()
	m, err := lorenz.NewL96(40)
	require.NoError(t, err)
	rnd := rand.New(rand.NewPCG(1, 2))
	x0 := make([]float64, 40)
	for i := range x0 {
		x0[i] = 8 + rnd.NormFloat64()
	}
	tw, err := learn.Observe(m, x0, 500, steps, 1, sigma, 0.5, true, 1)
	require.NoError(t, err)
	return tw
}

// TestCostGradient checks the gradient of the multi-window cost, with respect to the
// parameters and all windows' initial states together, against the gradient test and finite
// differences, for a physical model (Lorenz-96's F) and for a surrogate (the weights), with
// and without the link between windows, and with parts frozen.
func TestCostGradient(t *testing.T) {
	tw := l96Twin(t, 40, 1)
	for _, c := range []struct {
		name   string
		model  func(w int) adjoint.Model
		link   float64
		freeze learn.Part
	}{
		{"lorenz96/independent", l96Stack, 0, 0},
		{"lorenz96/linked", l96Stack, 0.3, 0},
		{"surrogate/linked", surrogateStack, 0.5, 0},
		{"surrogate/weights-frozen", surrogateStack, 0.5, learn.Params},
		{"surrogate/states-frozen", surrogateStack, 0.5, learn.States},
	} {
		const windows, steps = 4, 5
		m := c.model(windows)
		cost := &learn.Cost{Model: m, Obs: tw.Obs, Steps: steps, Windows: windows, Link: c.link,
			Prior: m.Params(), PriorSigma: []float64{0.5}, Freeze: c.freeze}
		require.NoError(t, cost.Init())
		z := make([]float64, cost.Len())
		x0 := make([]float64, windows*40)
		cost.FirstGuess(x0)
		theta := m.Params()
		for i := range theta {
			theta[i] += 0.1
		}
		cost.Control(z, theta, x0)
		f, grad := cost.Func, func(g, z []float64) { cost.FuncGrad(g, z) }
		if c.freeze != 0 {
			f = frozen(cost, z, c.freeze)
		}
		for _, r := range verify.Cost(c.name, f, grad, z, verify.Settings{Seed: 1}) {
			t.Log(r)
			if !r.Pass {
				t.Error(r)
			}
		}
	}
}

// frozen returns J as a function of the parts not frozen, the others held at their values in
// z0: the function whose gradient FuncGrad gives when parts are frozen.
func frozen(c *learn.Cost, z0 []float64, part learn.Part) func([]float64) float64 {
	np := len(c.Prior)
	return func(z []float64) float64 {
		y := append([]float64(nil), z...)
		if part&learn.Params != 0 {
			copy(y[:np], z0[:np])
		}
		if part&learn.States != 0 {
			copy(y[np:], z0[np:])
		}
		return c.Func(y)
	}
}

func l96Stack(w int) adjoint.Model {
	m, err := lorenz.NewL96(40)
	if err != nil {
		panic(err)
	}
	return learn.Stack(m, w)
}

func surrogateStack(w int) adjoint.Model {
	net, err := nn.NewMLP("5-8-8-1:tanh", nn.MLPOptions{}, nn.Config{Seed: 2})
	if err != nil {
		panic(err)
	}
	m, err := surrogate.New(&nn.Model{Network: net}, surrogate.Config{N: 40, Batch: w})
	if err != nil {
		panic(err)
	}
	return m
}

// TestCostInitNamesWhatDoesNotFit guards the errors of a cost that cannot be built.
func TestCostInitNamesWhatDoesNotFit(t *testing.T) {
	tw := l96Twin(t, 20, 1)
	bad := *tw.Obs
	bad.Y = append([][]float64(nil), tw.Obs.Y...)
	bad.Y[3] = append([]float64(nil), bad.Y[3]...)
	bad.Y[3][7] = math.Inf(-1)
	for _, c := range []struct {
		cost *learn.Cost
		want string
	}{
		{&learn.Cost{Model: l96Stack(3), Obs: tw.Obs, Steps: 10, Windows: 3, Prior: []float64{8}, PriorSigma: []float64{1}},
			"3 windows of 10 steps need 30 steps of data, the observations span 20"},
		{&learn.Cost{Model: l96Stack(2), Obs: tw.Obs, Steps: 5, Windows: 3, Prior: []float64{8}, PriorSigma: []float64{1}},
			"a model of dimension 80 for 3 windows of 40 variables"},
		{&learn.Cost{Model: l96Stack(2), Obs: &bad, Steps: 5, Windows: 2, Prior: []float64{8}, PriorSigma: []float64{1}},
			"observation of variable 7 at step 3 is -Inf"},
		{&learn.Cost{Model: l96Stack(2), Obs: tw.Obs, Steps: 5, Windows: 2, Prior: []float64{8, 1}, PriorSigma: []float64{1}},
			"a prior of 2 parameters for a model of 1"},
	} {
		err := c.cost.Init()
		if assert.Error(t, err) {
			assert.ErrorIs(t, err, learn.ErrInput)
			assert.Contains(t, err.Error(), c.want)
		}
	}
}

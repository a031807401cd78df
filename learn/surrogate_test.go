package learn_test

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adjunto/adjunto/learn"
	"github.com/adjunto/adjunto/models/surrogate"
	"github.com/adjunto/adjunto/nn"
)

// TestTrainSurrogateLearnsDynamics trains a small surrogate on 150 steps of half-observed
// Lorenz-96 (σ_o = 1) for a few hundred iterations: a test-sized version of the
// learn-surrogate experiment. The learned model must forecast the truth better than
// persistence and analyse the training windows better than the observations.
func TestTrainSurrogateLearnsDynamics(t *testing.T) {
	tw := l96Twin(t, 250, 1)
	obs := &learn.Observations{N: 40, Every: 1, Sigma: 1, Y: tw.Obs.Y[:151]}
	net, err := learn.NewNetwork("5-16-1:tanh", obs, 5, 1)
	require.NoError(t, err)
	var costs []float64
	iters := 60
	if testing.Short() {
		iters = 30 // half the training: the learned model still beats persistence
	}
	stages := []learn.Stage{{Steps: 5, Iterations: iters}, {Steps: 10, Link: 0.5, Iterations: iters}}
	h, err := learn.TrainSurrogate(net, nil, 0.05, obs, learn.TrainConfig{Stages: stages,
		OnIteration: func(p learn.Progress) error { costs = append(costs, p.Cost); return nil }})
	require.NoError(t, err)
	require.Equal(t, costs, h.Cost)
	require.Equal(t, []int{0, iters + 1}, h.StageStarts)
	assert.Less(t, h.Cost[iters], h.Cost[0]/2, "stage 1 halves J")

	m, err := surrogate.New(net, surrogate.Config{N: 40})
	require.NoError(t, err)
	starts := []int{150, 160, 170, 180, 190}
	learned, err := learn.Forecast(m, tw.Truth, starts, 40)
	require.NoError(t, err)
	pers, err := learn.Forecast(nil, tw.Truth, starts, 40)
	require.NoError(t, err)
	t.Logf("NRMSE after 5 steps: learned %.3f, persistence %.3f; valid steps %d and %d; training states RMSE %.3f",
		learned.NRMSE[5], pers.NRMSE[5], learned.ValidSteps, pers.ValidSteps, learn.StateRMSE(h.States, tw.Truth, h.StateSteps, 40))
	assert.Less(t, learned.NRMSE[5], pers.NRMSE[5]/2)
	assert.Greater(t, learned.ValidSteps, pers.ValidSteps)
	assert.Less(t, learn.StateRMSE(h.States, tw.Truth, h.StateSteps, 40), 1.0)
}

// TestDivergingTrainingKeepsTheBestWeights makes the second stage diverge from its start
// (observations of 1e300 at step 22, which only its longer windows reach, overflow J) and
// checks that the training stops with an error that says where, and that the network keeps
// the weights handed out last, those of the first stage.
func TestDivergingTrainingKeepsTheBestWeights(t *testing.T) {
	tw := l96Twin(t, 23, 1)
	obs := tw.Obs
	net, err := learn.NewNetwork("5-4-1:tanh", obs, 5, 1) // scaled to the observations as they were
	require.NoError(t, err)
	for i, v := range obs.Y[22] {
		// Observed at step 21 too, so that no first guess interpolates from step 22; the
		// square of 1e300 overflows.
		if !math.IsNaN(v) && !math.IsNaN(obs.Y[21][i]) {
			obs.Y[22][i] = 1e300
		}
	}
	var saved [][]float64
	_, err = learn.TrainSurrogate(net, nil, 0.05, obs, learn.TrainConfig{
		Stages: []learn.Stage{{Steps: 5, Iterations: 10}, {Steps: 11, Iterations: 10}},
		OnStage: func(_ int, n *nn.Model) error {
			saved = append(saved, append([]float64(nil), n.Network.Params()...))
			return nil
		}})
	require.Error(t, err)
	assert.True(t, errors.Is(err, learn.ErrDiverged), "%v wraps ErrDiverged", err)
	assert.Contains(t, err.Error(), "stage 2 of 2")
	t.Log(err)
	assert.Contains(t, err.Error(), "cost term at step 11")
	require.Len(t, saved, 1, "the diverging stage writes nothing")
	assert.Equal(t, saved[0], net.Network.Params(), "the network keeps the first stage's weights")
}

// TestTrainSurrogateRejectsWhatDoesNotFit guards the errors for windows longer than the
// data and a network that does not fit the model.
func TestTrainSurrogateRejectsWhatDoesNotFit(t *testing.T) {
	tw := l96Twin(t, 30, 1)
	net, err := learn.NewNetwork("5-4-1", tw.Obs, 5, 1)
	require.NoError(t, err)
	_, err = learn.TrainSurrogate(net, nil, 0.05, tw.Obs, learn.TrainConfig{Stages: []learn.Stage{{Steps: 40, Iterations: 5}}})
	assert.ErrorContains(t, err, "windows of 40 steps (the observations span 30)")
	wide, err := learn.NewNetwork("41-4-1", tw.Obs, 5, 1)
	require.NoError(t, err)
	_, err = learn.TrainSurrogate(wide, nil, 0.05, tw.Obs, learn.TrainConfig{})
	assert.ErrorContains(t, err, "stencil of 41 points")
	assert.True(t, errors.Is(err, learn.ErrInput))
}

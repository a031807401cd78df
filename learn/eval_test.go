package learn_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adjunto/adjunto/learn"
	"github.com/adjunto/adjunto/models/lorenz"
)

// TestLyapunovOfLorenz96 checks the leading exponent against the literature: about 1.68 per
// time unit for N = 40, F = 8 (Karimi and Paul, 2010, give 1.68; DAPPER uses 1.67). 4000
// steps (200 time units) estimate it to a few per cent.
func TestLyapunovOfLorenz96(t *testing.T) {
	m, err := lorenz.NewL96(40)
	require.NoError(t, err)
	tw := l96Twin(t, 1, 1)
	lam, err := learn.Lyapunov(m, tw.Truth[0], m.Dt, 200, 4000, 1)
	require.NoError(t, err)
	t.Logf("λ_max = %.3f", lam)
	assert.InDelta(t, 1.68, lam, 0.1)
}

// TestForecastSkillOrdersTheModels checks the forecast scores on known models: the true
// model forecasts the truth exactly (NRMSE 0 and a valid time past every lead), a model with
// F = 7 loses skill, and persistence loses it first.
func TestForecastSkillOrdersTheModels(t *testing.T) {
	tw := l96Twin(t, 600, 1)
	starts := []int{0, 50, 100, 150, 200, 250, 300, 350, 400, 450}
	truth, err := lorenz.NewL96(40)
	require.NoError(t, err)
	wrong, err := lorenz.NewL96(40)
	require.NoError(t, err)
	wrong.F = 7
	perfect, err := learn.Forecast(truth, tw.Truth, starts, 100)
	require.NoError(t, err)
	assert.Equal(t, 101, perfect.ValidSteps)
	assert.Equal(t, 0.0, perfect.NRMSE[100])
	bad, err := learn.Forecast(wrong, tw.Truth, starts, 100)
	require.NoError(t, err)
	pers, err := learn.Forecast(nil, tw.Truth, starts, 100)
	require.NoError(t, err)
	t.Logf("valid steps: F = 7 %d, persistence %d", bad.ValidSteps, pers.ValidSteps)
	assert.Less(t, pers.ValidSteps, bad.ValidSteps)
	assert.Less(t, bad.ValidSteps, 101)
	assert.Greater(t, bad.NRMSE[bad.ValidSteps], learn.ValidThreshold)
	assert.LessOrEqual(t, bad.NRMSE[bad.ValidSteps-1], learn.ValidThreshold)

	_, err = learn.Forecast(truth, tw.Truth, []int{550}, 100)
	assert.ErrorContains(t, err, "a 100-step forecast from step 550 runs past the truth's 600 steps")
	assert.False(t, math.IsNaN(bad.NRMSE[1]))
}

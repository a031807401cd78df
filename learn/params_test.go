package learn_test

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adjunto/adjunto/learn"
)

// TestEstimateParams recovers Lorenz-63's (σ, ρ, β) and Lorenz-96's F, starting 20 % off,
// from partial observations at two noise levels, over 20 linked windows. The bounds are a
// few times the errors seen with seed 1 (Lorenz-63 at σ_o = 1: errors 0.07, 0.01, 0.002;
// Lorenz-96: 0.008), so they fail a wrong gradient or a biased formulation, not a change
// of rounding.
func TestEstimateParams(t *testing.T) {
	for _, c := range []struct {
		model string
		tol   []float64 // absolute error allowed at σ_o = 0.1 and 1, per parameter
	}{
		{"lorenz63", []float64{0.3, 0.1, 0.02}},
		{"lorenz96", []float64{0.05}},
	} {
		cfg, widen := learn.ParamsConfig{Model: c.model, Sigmas: []float64{0.1, 1}, Seed: 1}, 1.0
		if testing.Short() {
			// Half the default 20 windows: the error of an estimate from n windows of
			// independent noise scales as 1/√n, so the tolerances widen by √2.
			cfg.Windows, widen = 10, math.Sqrt2
		}
		runs, err := learn.EstimateParams(cfg)
		require.NoError(t, err)
		require.Len(t, runs, 2)
		for _, r := range runs {
			t.Logf("%s σ_o = %g: %v → %v (error %v), state RMSE %.3f (first guess %.3f), %d iterations, %v",
				c.model, r.ObsSigma, r.Guess, r.Estimate, r.Error, r.StateRMSE, r.GuessRMSE, r.Iterations, r.Status)
			for i, e := range r.Error {
				assert.Less(t, math.Abs(e), widen*c.tol[i], "%s %s at σ_o = %g", c.model, r.Names[i], r.ObsSigma)
			}
			// The states are analysed too: well below the observation error.
			assert.Less(t, r.StateRMSE, 0.5*r.ObsSigma, "%s state RMSE at σ_o = %g", c.model, r.ObsSigma)
		}
	}
}

// TestLinkedWindowsRemoveTheBias guards the link between windows: with independent windows
// the noise in each window's free initial state biases F (an errors-in-variables bias that
// grows with σ_o); linked into one trajectory, the estimate is unbiased.
func TestLinkedWindowsRemoveTheBias(t *testing.T) {
	est := func(link float64) float64 {
		runs, err := learn.EstimateParams(learn.ParamsConfig{Model: "lorenz96", Sigmas: []float64{2}, Link: link, Windows: 10, Seed: 1})
		require.NoError(t, err)
		return runs[0].Error[0]
	}
	linked, independent := est(0), est(-1)
	t.Logf("F error at σ_o = 2: linked %+.3f, independent %+.3f", linked, independent)
	assert.Less(t, math.Abs(linked), 0.1)
	assert.Less(t, independent, -0.1)
}

func TestEstimateParamsRejectsBadSettings(t *testing.T) {
	for _, c := range []struct {
		cfg  learn.ParamsConfig
		want string
	}{
		{learn.ParamsConfig{Model: "lorenz84"}, `model "lorenz84"`},
		{learn.ParamsConfig{Model: "lorenz96", Guess: []float64{1, 2}}, "a guess of 2 parameters for lorenz96's 1"},
		{learn.ParamsConfig{Sigmas: []float64{-1}}, "σ_o = -1"},
		{learn.ParamsConfig{Windows: -2}, "-2 windows"},
	} {
		_, err := learn.EstimateParams(c.cfg)
		if assert.Error(t, err) {
			assert.True(t, errors.Is(err, learn.ErrInput), "%v wraps ErrInput", err)
			assert.Contains(t, err.Error(), c.want)
		}
	}
}

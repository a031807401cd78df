package learn_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/adjunto/adjunto/learn"
	"github.com/adjunto/adjunto/models/lorenz"
)

// TestObserveNetworks checks the two observing networks: a fixed, evenly spaced subset
// observed at every time, and a random subset of the same size drawn anew each time, with
// errors of the stated size; and that a seed fixes everything.
func TestObserveNetworks(t *testing.T) {
	m, err := lorenz.NewL96(40)
	require.NoError(t, err)
	x0 := make([]float64, 40)
	for i := range x0 {
		x0[i] = 8 + float64(i%3)
	}
	fixed, err := learn.Observe(m, x0, 100, 400, 2, 0.5, 0.25, false, 1)
	require.NoError(t, err)
	random, err := learn.Observe(m, x0, 100, 400, 2, 0.5, 0.25, true, 1)
	require.NoError(t, err)
	again, err := learn.Observe(m, x0, 100, 400, 2, 0.5, 0.25, true, 1)
	require.NoError(t, err)
	assert.Len(t, fixed.Obs.Y, 201)
	assert.Equal(t, 400, fixed.Obs.Steps())
	assert.Nil(t, fixed.Obs.At(3), "step 3 is not an observation time")
	var sq float64
	cnt := 0
	seen := map[int]bool{}
	for j, y := range random.Obs.Y {
		nf, nr := 0, 0
		for i := range y {
			if !math.IsNaN(fixed.Obs.Y[j][i]) {
				nf++
				assert.Zero(t, i%4, "fixed network: every fourth variable")
			}
			if v := y[i]; !math.IsNaN(v) {
				nr++
				seen[i] = true
				d := v - random.Truth[2*j][i]
				sq += d * d
				cnt++
			}
		}
		assert.Equal(t, 10, nf)
		assert.Equal(t, 10, nr)
	}
	assert.Len(t, seen, 40, "the random network reaches every variable")
	assert.InDelta(t, 0.5, math.Sqrt(sq/float64(cnt)), 0.03, "observation error σ_o")
	for j := range random.Obs.Y {
		for i, v := range random.Obs.Y[j] {
			if math.Float64bits(v) != math.Float64bits(again.Obs.Y[j][i]) {
				t.Fatalf("seed 1 twice: observation %d of variable %d is %v and %v", j, i, v, again.Obs.Y[j][i])
			}
		}
	}

	_, err = learn.Observe(m, x0, 0, 10, 1, 0, 0.5, true, 1)
	assert.ErrorContains(t, err, "σ_o = 0")
	_, err = learn.Observe(m, x0, 0, 10, 20, 1, 0.5, true, 1)
	assert.ErrorContains(t, err, "observations every 20 steps of a 10-step run")
	m.Dt = 1 // RK4 on Lorenz-96 blows up at this step
	_, err = learn.Observe(m, x0, 0, 100, 1, 1, 0.5, true, 1)
	assert.ErrorIs(t, err, learn.ErrDiverged)
}

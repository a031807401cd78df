package ensemble

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/adjunto/adjunto/fourdvar"
)

// TestQuasiStaticLinearIsPlain checks that on a linear model, where J(w) is quadratic and
// has one minimum, the quasi-static minimisation (one observation time more per stage)
// ends where the plain one does: each stage's Gauss–Newton step solves its quadratic, and
// the last stage's quadratic is the plain one's. The tolerance is round-off over a few
// eigendecompositions of an 8×8 matrix. It also checks that the stages were run: at least
// one iteration per observation time.
func TestQuasiStaticLinearIsPlain(t *testing.T) {
	const n, members, sigma = 5, 8, 0.6
	lm := newLinearModel(n)
	p := NewPropagator(func() Model { return lm }, 1)
	e, b0, _ := linearCase(23, members, n, []int{0, 2, 4}, sigma)
	obs := batchesAt(b0, rand.New(rand.NewPCG(5, 5)), 1, 2, 4, 4) // two batches at step 4: one stage
	const steps = 5
	for _, c := range []struct{ bundle, growth float64 }{{0, 0}, {1e-3, 0}, {0, 2}, {1e-3, 1.5}} {
		bundle := c.bundle
		plain := (&IEnKS{MaxIter: 4, Tol: 1e-24, Bundle: bundle}).Analyse(p, e, steps, obs, 2)
		qs := (&IEnKS{MaxIter: 4, Tol: 1e-24, Bundle: bundle, QuasiStatic: true, QuasiStaticGrowth: c.growth}).Analyse(p, e, steps, obs, 2)
		// Three observation times: stages of 1, 2 and 3 of them, also with growth 1.5 or 2.
		if qs.Stats.Iterations < 3 {
			t.Errorf("bundle %g, growth %g: quasi-static took %d iterations, want ≥ 3 (one stage per observation time)", bundle, c.growth, qs.Stats.Iterations)
		}
		for name, pair := range map[string][2][]float64{
			"start":      {meanOf(plain.Start), meanOf(qs.Start)},
			"keep":       {meanOf(plain.Keep), meanOf(qs.Keep)},
			"end":        {meanOf(plain.End), meanOf(qs.End)},
			"background": {plain.Background, qs.Background},
		} {
			for i := range n {
				if d := math.Abs(pair[0][i] - pair[1][i]); d > 1e-10 {
					t.Errorf("bundle %g, growth %g: %s mean [%d]: quasi-static %.12g, plain %.12g", bundle, c.growth, name, i, pair[1][i], pair[0][i])
				}
			}
		}
	}
}

func meanOf(e *mat.Dense) []float64 {
	_, c := e.Dims()
	m := make([]float64, c)
	Mean(m, e)
	return m
}

// batchesAt returns copies of b at the given steps with standard normal observations.
func batchesAt(b fourdvar.Batch, rng *rand.Rand, steps ...int) []fourdvar.Batch {
	var obs []fourdvar.Batch
	for _, step := range steps {
		c := b
		c.Step = step
		c.Y = make([]float64, len(b.Y))
		for j := range c.Y {
			c.Y[j] = rng.NormFloat64()
		}
		obs = append(obs, c)
	}
	return obs
}

package fourdvar

import (
	"math"
	"testing"
)

// TestMDAWeightsSumToOne checks the inflation factors of multiple data assimilation: over
// the windows of a run, the weights 1/σ² that an observation receives add up to its own
// 1/σ², whatever the window, the shift (overlaps of whole and partial observation
// intervals) and the observation times (irregular here); and the balancing analysis of a
// window gives each of its observations the weight that the earlier windows have not, so
// that the filter analysis counts every observation once. Single data assimilation must
// use each observation once, uninflated. Weights are compared to 1e-12 relative: they are
// sums of at most a few tens of terms.
func TestMDAWeightsSumToOne(t *testing.T) {
	const n = 3
	obsAt := map[int]Batch{}
	for k := 0; k <= 200; k++ {
		if k%3 == 1 || k%7 == 0 { // irregular times
			continue
		}
		obsAt[k] = Batch{Step: k, H: Identity(n), Y: make([]float64, n),
			Sigma: []float64{0.5, 1, 2 + float64(k%5)}} // time- and variable-dependent R
	}
	for _, tc := range []struct{ cycles, window, shift int }{
		{30, 10, 1}, {20, 16, 4}, {15, 12, 5}, {10, 8, 8}, {12, 24, 3},
	} {
		for _, mda := range []bool{false, true} {
			s := newSchedule(obsAt, tc.cycles, tc.window, tc.shift, mda, true)
			total := map[[2]int]float64{} // weight given so far to observation (step, j)
			for c := range tc.cycles {
				t0 := c * tc.shift
				obs, bal := s.next(c)
				if !mda && bal != nil {
					t.Fatalf("%+v: balancing batches without MDA", tc)
				}
				if mda {
					if len(bal) != len(obs) {
						t.Fatalf("%+v mda, window %d: %d balancing batches for %d batches", tc, c, len(bal), len(obs))
					}
					for i, b := range bal {
						k := t0 + b.Step
						for j, sg := range b.Sigma {
							// Earlier windows plus the balancing analysis: the full weight.
							got := total[[2]int{k, j}] + 1/(sg*sg)
							want := 1 / (obsAt[k].Sigma[j] * obsAt[k].Sigma[j])
							if math.Abs(got-want) > 1e-12*want {
								t.Errorf("%+v, window %d: observation (step %d, %d) balanced to weight %v, want %v",
									tc, c, k, j, got, want)
							}
						}
						if obs[i].Step != b.Step {
							t.Fatalf("%+v, window %d: balancing batch %d at step %d, cycled one at %d", tc, c, i, b.Step, obs[i].Step)
						}
					}
				}
				for _, b := range obs {
					k := t0 + b.Step
					if b.Step < 0 || b.Step > tc.window {
						t.Fatalf("%+v, window %d: batch at step %d outside [0, %d]", tc, c, b.Step, tc.window)
					}
					if mda && c > 0 && b.Step == 0 {
						t.Errorf("%+v, window %d: MDA assimilates the background's time", tc, c)
					}
					for j, sg := range b.Sigma {
						total[[2]int{k, j}] += 1 / (sg * sg)
					}
				}
			}
			lastEnd := (tc.cycles-1)*tc.shift + tc.window
			for k, b := range obsAt {
				for j, sg := range b.Sigma {
					got, want := total[[2]int{k, j}], 1/(sg*sg)
					if k > lastEnd {
						want = 0 // beyond the last window
					}
					if math.Abs(got-want) > 1e-12*want {
						t.Errorf("%+v mda=%v: observation (step %d, %d) has total weight %v, want 1/σ² = %v", tc, mda, k, j, got, want)
					}
				}
			}
		}
	}
}

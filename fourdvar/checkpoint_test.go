package fourdvar

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/adjunto/adjunto/adjoint"
)

// policies are the checkpointing policies whose results must match StoreAll's bit for bit,
// from the one that recomputes most (a single snapshot) to the one that stores every other
// state; the window has 6 steps.
var policies = []adjoint.Policy{
	adjoint.StoreAll{},
	adjoint.StoreEvery{K: 2},
	adjoint.StoreEvery{K: 4},
	adjoint.StoreEvery{},
	adjoint.Revolve{Snapshots: 1},
	adjoint.Revolve{Snapshots: 2},
	adjoint.Revolve{Snapshots: 3},
	adjoint.Revolve{},
}

// sameBits reports the first index where a and b differ in their bits, or −1.
func sameBits(a, b []float64) int {
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return i
		}
	}
	return -1
}

// costOutputs evaluates, under policy p, everything a cost computes from the loop at a fixed
// control vector: J and ∇J, J alone, the trajectory and, for Strong, JacVec, JacTVec and
// GaussNewtonVec.
func costOutputs(c Cost, p adjoint.Policy, seed uint64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 17))
	z := make([]float64, c.Len())
	c.Background(z)
	for i := range z {
		z[i] += 0.3 * rng.NormFloat64()
	}
	var out [][]float64
	grad := make([]float64, c.Len())
	switch c := c.(type) {
	case *Strong:
		c.Checkpoint = p
	case *Weak:
		c.Checkpoint = p
	}
	j := c.FuncGrad(grad, z)
	out = append(out, []float64{j, c.Func(z)}, grad)
	type trajectory interface{ Trajectory() [][]float64 }
	out = append(out, c.(trajectory).Trajectory()...)
	if s, ok := c.(*Strong); ok {
		s.Linearize(z)
		u := randVec(rng, s.Len(), 1)
		dy := make([]float64, s.NumObs())
		s.JacVec(dy, u)
		dz := make([]float64, s.Len())
		s.JacTVec(dz, dy)
		gn := make([]float64, s.Len())
		s.GaussNewtonVec(gn, u, make([]float64, s.NumObs()))
		out = append(out, dy, dz, gn)
	}
	return out
}

// TestCheckpointPoliciesBitIdentical guards the claim of Strong.Checkpoint: every policy
// gives the same J, gradient, trajectory and linearised products as StoreAll, to the last
// bit, since a recomputed state equals the stored one.
func TestCheckpointPoliciesBitIdentical(t *testing.T) {
	for _, tc := range []struct {
		name string
		cost func() Cost
	}{
		{"strong", func() Cost { return NewStrong(testWindow(newTestL96(12, 8, 0.05), 1, false)) }},
		{"strong+params", func() Cost { return NewStrong(testWindow(newTestL96(12, 8, 0.05), 1, true)) }},
		{"strong-state", func() Cost {
			c := NewStrong(testWindow(newTestL96(12, 8, 0.05), 2, true))
			c.StateControl = true
			return c
		}},
		{"weak", func() Cost {
			return NewWeak(testWindow(newTestL96(12, 8, 0.05), 4, false), ScaledIdentity{N: 12, Sigma: 0.2})
		}},
		{"weak-state", func() Cost {
			c := NewWeak(testWindow(newTestL96(12, 8, 0.05), 4, false), ScaledIdentity{N: 12, Sigma: 0.2})
			c.StateControl = true
			return c
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := costOutputs(tc.cost(), nil, 3)
			for _, p := range policies {
				got := costOutputs(tc.cost(), p, 3)
				for r := range want {
					if i := sameBits(want[r], got[r]); i >= 0 {
						t.Errorf("%v: output %d, component %d: %v, StoreAll gives %v", p, r, i, got[r][i], want[r][i])
					}
				}
			}
		})
	}
}

// TestTwinCheckpointBitIdentical runs short twins of every variant, incremental inner loops
// included, under a recomputing policy and checks that the analyses match StoreAll's.
func TestTwinCheckpointBitIdentical(t *testing.T) {
	for _, v := range []Variant{Strong4DVar, Incremental4DVar, Weak4DVar, Params4DVar} {
		run := func(p adjoint.Policy) *Result {
			tw := &Twin{Model: newTestL96(12, 8, 0.05), Variant: v, Window: 6, Cycles: 3, Seed: 5, SpinUp: 200,
				Checkpoint: p}
			res, err := tw.Run()
			if err != nil {
				t.Fatalf("%s under %v: %v", v, p, err)
			}
			return res
		}
		want := run(nil)
		for _, p := range []adjoint.Policy{adjoint.Revolve{Snapshots: 2}, adjoint.StoreEvery{K: 3}} {
			got := run(p)
			for c := range want.Cycles {
				a, b := want.Cycles[c], got.Cycles[c]
				if a.CostFinal != b.CostFinal || a.RMSEAnalysis != b.RMSEAnalysis || a.Iterations != b.Iterations || a.HessVecs != b.HessVecs {
					t.Errorf("%s under %v, cycle %d: J_a %v, RMSE %v, %d iterations; StoreAll: %v, %v, %d",
						v, p, c, b.CostFinal, b.RMSEAnalysis, b.Iterations, a.CostFinal, a.RMSEAnalysis, a.Iterations)
				}
			}
		}
	}
}

// TestDivergenceNamesTheStep guards "a run that diverges stops with an error saying where":
// a background far outside the attractor overflows the cost at once, and the analysis
// error says so, naming the step (the loop's error, through Strong.Err and Weak.Err).
func TestDivergenceNamesTheStep(t *testing.T) {
	w := testWindow(newTestL96(12, 8, 0.05), 1, false)
	for i := range w.Xb {
		w.Xb[i] = 1e200
	}
	for _, v := range []Variant{Strong4DVar, Incremental4DVar, Weak4DVar} {
		a := Assimilator{Variant: v, Checkpoint: adjoint.Revolve{Snapshots: 2}}
		_, err := a.Analyse(w)
		if !errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "cost term at step 0 is +Inf") {
			t.Errorf("%s: %v; want ErrDiverged naming step 0", v, err)
		}
	}
}

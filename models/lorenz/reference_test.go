package lorenz

import (
	"testing"

	"github.com/adjunto/adjunto/internal/reference"
)

type lorenzReference struct {
	L63 struct {
		Params       struct{ Sigma, Rho, Beta float64 }
		Dt           float64
		X0           []float64
		Steps        int
		State        []float64
		Roundoff     float64
		ToleranceRel float64 `json:"tolerance_rel"`
	} `json:"lorenz63"`
	L96 struct {
		Params struct {
			N int
			F float64
		}
		Dt           float64
		Steps        int
		State        []float64
		Roundoff     float64
		ToleranceRel float64 `json:"tolerance_rel"`
	} `json:"lorenz96"`
}

func loadReference(t *testing.T) lorenzReference {
	t.Helper()
	var ref lorenzReference
	if err := reference.Load("lorenz.json", &ref); err != nil {
		t.Fatal(err)
	}
	return ref
}

// TestReferenceRK4 compares RK4 trajectories, fused and composed, with PyTorch's. The
// tolerances are the file's own: chaos amplifies a last-bit difference in the order of
// operations to about the "roundoff" figure (5e-15 for Lorenz-63 after 1000 steps, 2e-11
// for Lorenz-96 after 50), and tolerance_rel leaves a margin above it.
func TestReferenceRK4(t *testing.T) {
	ref := loadReference(t)

	l63 := NewL63()
	r63 := ref.L63
	l63.Sigma, l63.Rho, l63.Beta, l63.Dt = r63.Params.Sigma, r63.Params.Rho, r63.Params.Beta, r63.Dt
	l96, err := NewL96(ref.L96.Params.N)
	if err != nil {
		t.Fatal(err)
	}
	l96.F, l96.Dt = ref.L96.Params.F, ref.L96.Dt
	x96 := make([]float64, l96.N)
	for i := range x96 {
		x96[i] = 8
	}
	x96[19] = 8.01 // "all 8.0, except x[19] = 8.01 (0-based)"

	for _, tc := range []struct {
		name  string
		m     Model
		x0    []float64
		steps int
		want  []float64
		tol   float64
	}{
		{"lorenz63/fused", l63, r63.X0, r63.Steps, r63.State, r63.ToleranceRel},
		{"lorenz63/composed", NewComposed(l63), r63.X0, r63.Steps, r63.State, r63.ToleranceRel},
		{"lorenz96/fused", l96, x96, ref.L96.Steps, ref.L96.State, ref.L96.ToleranceRel},
		{"lorenz96/composed", NewComposed(l96), x96, ref.L96.Steps, ref.L96.State, ref.L96.ToleranceRel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := append([]float64(nil), tc.x0...)
			if err := Integrate(tc.m, x, tc.steps); err != nil {
				t.Fatal(err)
			}
			if e := relDiff(x, tc.want); e > tc.tol {
				t.Errorf("relative error %.3g against the reference, tolerance %.3g", e, tc.tol)
			} else {
				t.Logf("relative error %.3g (tolerance %.3g)", e, tc.tol)
			}
		})
	}
}

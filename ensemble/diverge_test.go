package ensemble

import (
	"errors"
	"testing"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/models/lorenz"
)

// TestBlowUpIsDivergence: when the members' forecasts blow up (here Lorenz-96 with a time
// step far beyond RK4's stability), every method stops with ErrDiverged at the analysis
// where it happens rather than panicking in a decomposition of non-finite numbers.
func TestBlowUpIsDivergence(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*Twin)
	}{
		{"etkf", func(tw *Twin) { tw.Filter = &ETKF{} }},
		{"enkf", func(tw *Twin) { tw.Filter = &EnKF{} }},
		{"letkf", func(tw *Twin) { tw.Filter = &LETKF{Radius: 4} }},
		{"ienks", func(tw *Twin) { tw.Smoother = &IEnKS{Lag: 2} }},
		{"hybrid", func(tw *Twin) { tw.Hybrid = &Hybrid{} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			newModel := func() Model {
				m, _ := lorenz.NewL96(12)
				m.Dt = 0.6
				return m
			}
			tw := &Twin{Base: &fourdvar.Twin{Model: newModel(), Seed: 2, SpinUp: -1, X0: make([]float64, 12)},
				NewModel: newModel, Members: 6, ObsTimes: 30, BurnIn: 1, Spread: 3}
			tc.set(tw)
			_, err := tw.Run()
			if !errors.Is(err, ErrDiverged) && !errors.Is(err, fourdvar.ErrDiverged) {
				t.Fatalf("error %v, want a divergence", err)
			}
			t.Log(err)
		})
	}
}

package experiments

import (
	"context"
	"math"
	"os"
	"testing"
)

func TestLearnParameters(t *testing.T) {
	cfg := defaultLearnParamsConfig()
	cfg.ObsSigmas = []float64{0.5}
	m, err := runLearnParams(context.Background(), &cfg, newOutput(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	// Seed 1 recovers σ, ρ, β within 0.09, 0.024, 0.001; the bound is 1 % of each.
	for name, p := range m.Runs[0].Params {
		if math.Abs(p.Error) > 0.01*p.Truth || p.Error != p.Estimate-p.Truth {
			t.Errorf("%s: %+v", name, p)
		}
	}
	if len(m.Runs[0].Params) != 3 {
		t.Errorf("params %v, want sigma, rho and beta", m.Runs[0].Params)
	}
}

// TestLearnSurrogateSmall trains on 200 steps for 300 iterations: enough to beat
// persistence clearly and to assimilate, not to beat the wrong model (the default run does;
// TestLearnSurrogateMeetsTheTargets checks it).
func TestLearnSurrogateSmall(t *testing.T) {
	cfg := defaultLearnSurrogateConfig()
	cfg.TrainSteps, cfg.Stages, cfg.Supervised, cfg.Starts, cfg.Cycles = 200, "5:0:100,10:0.5:200", -1, 10, 30
	if testing.Short() {
		// A 5-16-1 network (113 weights, a quarter of the default's) trained on the same data
		// with fewer starts, cycles and Lyapunov steps: the same assertions hold.
		cfg.Spec, cfg.TrainSteps, cfg.Stages, cfg.Starts, cfg.Cycles, cfg.Lyapunov = "5-16-1:tanh", 200, "5:0:100,10:0.5:150", 5, 40, 300
	}
	m, err := runLearnSurrogate(context.Background(), &cfg, newOutput(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range m.Models {
		t.Logf("%-28s valid %3d steps, λ %.3f, analysis RMSE %.3f", s.Name, s.ValidSteps, s.Lyapunov, s.AnalysisRMSE)
	}
	learned := m.Models[1]
	if !m.BeatsPersistence || learned.ValidSteps < 3*m.Models[len(m.Models)-1].ValidSteps {
		t.Errorf("learned model valid for %d steps, persistence %d", learned.ValidSteps, m.Models[len(m.Models)-1].ValidSteps)
	}
	if !(learned.AnalysisRMSE < 1) || !(learned.Lyapunov > 0) {
		t.Errorf("learned model: analysis RMSE %g (σ_o = 1), λ %g", learned.AnalysisRMSE, learned.Lyapunov)
	}
}

// TestLearnSurrogateMeetsTheTargets runs learn-surrogate's full training, with and without
// --set hybrid=true (three minutes each on two cores), and checks issue 8's targets: the
// surrogate learned from half the variables with σ_o = 1 forecasts longer than persistence
// and the wrong-F model, and assimilates within 25 % of the true model's analysis RMSE.
//
//	ADJUNTO_LONG=1 go test -run MeetsTheTargets -v ./experiments/
func TestLearnSurrogateMeetsTheTargets(t *testing.T) {
	if os.Getenv("ADJUNTO_LONG") == "" {
		t.Skip("six minutes; set ADJUNTO_LONG=1")
	}
	for _, hybrid := range []bool{false, true} {
		cfg := defaultLearnSurrogateConfig()
		cfg.Training, cfg.Hybrid = "full", hybrid
		m, err := runLearnSurrogate(context.Background(), &cfg, newOutput(t.TempDir()))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range m.Models {
			t.Logf("%-28s valid %3d steps (%.2f Lyapunov times), λ %.3f, analysis RMSE %.3f", s.Name, s.ValidSteps, s.ValidLyapunov, s.Lyapunov, s.AnalysisRMSE)
		}
		if !m.BeatsPersistence || !m.BeatsWrongModel || !(m.AnalysisRatio <= 1.25) {
			t.Errorf("%s: beats persistence %v, beats the wrong model %v, analysis RMSE ratio %.3f",
				m.Kind, m.BeatsPersistence, m.BeatsWrongModel, m.AnalysisRatio)
		}
	}
}

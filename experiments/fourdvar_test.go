package experiments

import (
	"context"
	"testing"
)

func TestLorenz63FourDVar(t *testing.T) {
	cfg := defaultLorenz63Config()
	cfg.Cycles = 200
	m, err := runTwinExperiment(context.Background(), &cfg, newOutput(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	// The preset reaches 0.35 over 1000 cycles (DAPPER's EnKF: 0.60); 200 cycles are noisier.
	if m.Summary.RMSEAnalysis > 0.6 || m.AnalysisOverObs > 0.5 {
		t.Errorf("analysis RMSE %g (σ_o %g)", m.Summary.RMSEAnalysis, m.ObsSigma)
	}
	if m.Summary.Cycles != 200-m.Summary.BurnIn || m.Variant != "4dvar" || m.Window != 50 {
		t.Errorf("summary %+v, variant %s, window %d", m.Summary, m.Variant, m.Window)
	}
}

func TestLorenz96FourDVar(t *testing.T) {
	cfg := defaultLorenz96Config()
	cfg.Cycles = 40
	m, err := runTwinExperiment(context.Background(), &cfg, newOutput(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	// Bocquet and Sakov (2013) report 0.33 for this setup over long runs.
	if m.Summary.RMSEAnalysis > 0.45 || m.Summary.RMSEForecast < m.Summary.RMSEAnalysis {
		t.Errorf("analysis RMSE %g, forecast %g", m.Summary.RMSEAnalysis, m.Summary.RMSEForecast)
	}
}

func TestWindowLength(t *testing.T) {
	cfg := defaultWindowConfig()
	cfg.Windows = []int{4, 24, 48}
	cfg.Span = 480
	cfg.BSigmas = []float64{0.15, 0.6}
	m, err := runWindow(context.Background(), &cfg, newOutput(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	get := func(v string, w int) windowRun {
		for _, r := range m.Runs {
			if r.Variant == v && r.Window == w {
				return r
			}
		}
		t.Fatalf("no run %s/%d", v, w)
		return windowRun{}
	}
	// A longer window carries more observations into the analysis…
	if s, l := get("4dvar", 4), get("4dvar", 24); !(l.RMSEAnalysis < s.RMSEAnalysis) {
		t.Errorf("4dvar: window 24 RMSE %g not below window 4's %g", l.RMSEAnalysis, s.RMSEAnalysis)
	}
	// …until the tangent-linear approximation of incremental 4DVar breaks down first.
	if i, n := get("incremental", 48), get("4dvar", 48); !(i.RMSEAnalysis > 2*n.RMSEAnalysis) {
		t.Errorf("window 48: incremental RMSE %g, strong %g", i.RMSEAnalysis, n.RMSEAnalysis)
	}
	if get("4dvar", 4).BSigma != 0.6 {
		t.Errorf("window 4 chose σ_b = %g; a short window needs the larger B", get("4dvar", 4).BSigma)
	}
}

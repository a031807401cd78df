package experiments

import (
	"context"
	"math"
	"reflect"
	"testing"
)

func TestFit(t *testing.T) {
	cfg := defaultFitConfig()
	cfg.Hidden, cfg.Epochs = 30, 600
	m, err := runFit(context.Background(), &cfg, newOutput(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Runs) != 2 || m.Runs[0].Activation != "relu" || m.Runs[1].Activation != "tanh" {
		t.Fatalf("runs %+v", m.Runs)
	}
	for _, r := range m.Runs {
		// The curve spans ±1.4; a fit within 0.1 RMS has its shape (measured: ≈ 0.05).
		if r.RMSE > 0.1 || r.TrainLoss > 0.01 {
			t.Errorf("%s: RMSE %g, train J %g", r.Activation, r.RMSE, r.TrainLoss)
		}
	}
}

func TestNet121(t *testing.T) {
	cfg := defaultNet121Config()
	cfg.Restarts, cfg.Iterations = 4, 200
	m, err := runNet121(context.Background(), &cfg, newOutput(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]net121Run{}
	for _, r := range m.Runs {
		byName[r.Activation] = r
	}
	// The steps of the sigmoid and tanh networks sit at the flanks ±1.5 of the plateau, one
	// stepping up and one down (w·v of opposite signs), and fit to the noise level (σ²/2 = 2e-4).
	for _, a := range []string{"sigmoid", "tanh"} {
		r := byName[a]
		b0, b1 := r.Units[0].Breakpoint, r.Units[1].Breakpoint
		if math.Abs(math.Abs(b0)-1.5) > 0.3 || math.Abs(math.Abs(b1)-1.5) > 0.3 || b0*b1 > 0 {
			t.Errorf("%s: breakpoints %g, %g, want near -1.5 and 1.5", a, b0, b1)
		}
		if s0, s1 := r.Units[0].W*r.Units[0].V, r.Units[1].W*r.Units[1].V; s0*s1 > 0 {
			t.Errorf("%s: both units step the same way (w·v = %g, %g)", a, s0, s1)
		}
		if r.J > 5e-4 {
			t.Errorf("%s: J = %g", a, r.J)
		}
	}
	// Two ramps cannot make a plateau.
	if byName["relu"].J < 5*byName["sigmoid"].J {
		t.Errorf("relu J %g not clearly worse than sigmoid's %g", byName["relu"].J, byName["sigmoid"].J)
	}
}

func TestOverfitting(t *testing.T) {
	cfg := defaultOverfitConfig()
	run := func() *overfitMetrics {
		m, err := runOverfit(context.Background(), &cfg, newOutput(t.TempDir()))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	m := run()
	if !(m.LargeValJ > 2*m.LargeBestValJ) {
		t.Errorf("validation J did not rise: final %g, best %g", m.LargeValJ, m.LargeBestValJ)
	}
	if !(m.LargeTrainJ < m.SmallTrainJ/5) {
		t.Errorf("the large network (train J %g) does not fit the noise better than the small one (%g)", m.LargeTrainJ, m.SmallTrainJ)
	}
	if !(m.SmallValJ < m.LargeValJ) {
		t.Errorf("small network validation J %g, large %g", m.SmallValJ, m.LargeValJ)
	}
	// Same seed, same start, same trajectory: early stopping restores the best epoch of the
	// full run and stops exactly patience epochs after it.
	if m.EarlyBestEpoch != m.LargeBestEpoch || m.EarlyStopEpoch != m.EarlyBestEpoch+m.Patience || m.EarlyValJ != m.LargeBestValJ {
		t.Errorf("early stopping: best %d (full run %d), stop %d, val %g (full run best %g)",
			m.EarlyBestEpoch, m.LargeBestEpoch, m.EarlyStopEpoch, m.EarlyValJ, m.LargeBestValJ)
	}
	if again := run(); !reflect.DeepEqual(m, again) {
		t.Errorf("not reproducible:\n%+v\n%+v", m, again)
	}
}

func TestRegularization(t *testing.T) {
	cfg := defaultRegularizationConfig()
	m, err := runRegularization(context.Background(), &cfg, newOutput(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	none := m.Runs[0]
	if none.Name != "none" || len(m.Runs) != 5 {
		t.Fatalf("runs %+v", m.Runs)
	}
	for _, r := range m.Runs[1:] {
		if !(r.FinalValJ < none.FinalValJ/2) {
			t.Errorf("%s: final validation J %g, unregularised %g", r.Name, r.FinalValJ, none.FinalValJ)
		}
		if !(r.WeightNorm < none.WeightNorm) {
			t.Errorf("%s: ‖w‖ = %g not below the unregularised %g", r.Name, r.WeightNorm, none.WeightNorm)
		}
	}
	// L1 drives weights to zero; L2 only shrinks them.
	if l1, l2 := m.Runs[2], m.Runs[1]; l1.Small <= l2.Small {
		t.Errorf("L1 left %d weights below 1e-3, L2 %d", l1.Small, l2.Small)
	}
}

func TestLearningRate(t *testing.T) {
	cfg := defaultLearningRateConfig()
	cfg.Sweep, cfg.Epochs = 5, 400
	m, err := runLearningRate(context.Background(), &cfg, newOutput(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	small, good, large := m.Runs[0], m.Runs[1], m.Runs[2]
	if small.Diverged || good.Diverged || !(good.FinalJ < small.FinalJ/2) {
		t.Errorf("small %+v, good %+v", small, good)
	}
	if !large.Diverged || large.DivergedEpoch < 1 || !math.IsInf(large.FinalJ, 1) {
		t.Errorf("too large a rate did not diverge: %+v", large)
	}
	if len(m.Sweep) != 5 || !m.Sweep[4].Diverged || m.Sweep[0].Diverged {
		t.Errorf("sweep %+v", m.Sweep)
	}
}

func TestBatchSize(t *testing.T) {
	cfg := defaultBatchSizeConfig()
	cfg.Epochs, cfg.Points = 20, 256
	m, err := runBatchSize(context.Background(), &cfg, newOutput(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	want := []int{20, 20 * 256, 20 * 16, 20 * 4} // steps: epochs × ⌈N/B⌉
	for i, r := range m.Runs {
		if r.Steps != want[i] {
			t.Errorf("%s: %d steps, want %d", r.Name, r.Steps, want[i])
		}
	}
	// Per epoch, many small steps beat one exact step.
	if !(m.Runs[1].FinalValJ < m.Runs[0].FinalValJ/2) {
		t.Errorf("SGD val J %g, full batch %g", m.Runs[1].FinalValJ, m.Runs[0].FinalValJ)
	}
}

func TestVanishingGradients(t *testing.T) {
	cfg := defaultVanishingConfig()
	cfg.Depth, cfg.Width = 12, 16
	m, err := runVanishing(context.Background(), &cfg, newOutput(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Profiles) != 16 {
		t.Fatalf("%d profiles", len(m.Profiles))
	}
	get := func(act, init string) gradientProfile {
		for _, p := range m.Profiles {
			if p.Activation == act && p.Init == init {
				if len(p.Norms) != cfg.Depth+1 {
					t.Fatalf("%s/%s: %d layer norms, want %d", act, init, len(p.Norms), cfg.Depth+1)
				}
				return p
			}
		}
		t.Fatalf("no profile %s/%s", act, init)
		return gradientProfile{}
	}
	// Sigmoid's derivative ≤ 1/4 makes its gradients vanish over 12 layers (measured 1e-8).
	if r := get("sigmoid", "Glorot").Log10Ratio; r > -4 {
		t.Errorf("sigmoid/Glorot: log10 ratio %g, want vanishing", r)
	}
	// The schemes made for each activation keep the profile flat within a decade.
	for _, c := range [][2]string{{"tanh", "Glorot"}, {"relu", "Kaiming"}} {
		if r := get(c[0], c[1]).Log10Ratio; math.Abs(r) > 1 {
			t.Errorf("%s/%s: log10 ratio %g", c[0], c[1], r)
		}
	}
	// Batch norm tames even the naive start.
	for _, a := range []string{"sigmoid", "tanh", "relu", "swish"} {
		if r := get(a, "naive + batch norm").Log10Ratio; math.Abs(r) > 2 {
			t.Errorf("%s with batch norm: log10 ratio %g", a, r)
		}
	}
	// Naive N(0, 1) weights make ReLU's signal, and so its gradients, explode.
	if n := get("relu", "naive N(0, 1²)").Norms[0]; n < 1e6 {
		t.Errorf("relu/naive: first-layer gradient %g, want exploded", n)
	}
}

func TestDropoutUncertainty(t *testing.T) {
	cfg := defaultMCDropoutConfig()
	cfg.Epochs, cfg.Passes = 600, 100
	m, err := runMCDropout(context.Background(), &cfg, newOutput(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if !(m.Ratio > 2) {
		t.Errorf("the band does not widen away from the data: σ inside %g, outside %g", m.StdInside, m.StdOutside)
	}
	if m.Coverage < 0.8 || m.RMSEInside > 0.15 {
		t.Errorf("coverage %g, RMSE inside %g", m.Coverage, m.RMSEInside)
	}
}

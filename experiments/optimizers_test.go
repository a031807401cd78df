package experiments

import (
	"context"
	"image/gif"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func findRun(t *testing.T, m *optimizersMetrics, surface, method string) raceRun {
	t.Helper()
	for _, r := range m.Runs {
		if r.Surface == surface && r.Method == method {
			return r
		}
	}
	t.Fatalf("no run of %s on %s", method, surface)
	return raceRun{}
}

func TestOptimizersRace(t *testing.T) {
	cfg := defaultOptimizersConfig()
	cfg.Steps = 400
	cfg.Frames = 6
	dir := t.TempDir()
	m, err := runOptimizers(context.Background(), &cfg, newOutput(dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Runs) != 30 {
		t.Fatalf("%d runs, want 3 surfaces × 10 methods", len(m.Runs))
	}
	// On a quadratic, Newton's first step lands on the minimum (up to the O(h²) error of the
	// finite-difference Hessian, far below the 1e-3 arrival tolerance).
	if r := findRun(t, m, "quadratic", "newton"); r.Arrived != 1 {
		t.Errorf("newton on the quadratic arrived at iteration %d, want 1", r.Arrived)
	}
	// The line-search methods arrive everywhere within the budget; gradient descent with a
	// stable step arrives on the quadratic and, having left the ridge, on the saddle.
	for _, c := range []struct{ surface, method string }{
		{"quadratic", "lbfgs"}, {"quadratic", "cg"}, {"quadratic", "gd"},
		{"rosenbrock", "lbfgs"}, {"rosenbrock", "newton"},
		{"saddle", "gd"}, {"saddle", "lbfgs"}, {"saddle", "adam"},
	} {
		if r := findRun(t, m, c.surface, c.method); r.Arrived < 0 {
			t.Errorf("%s on %s did not arrive: %+v", c.method, c.surface, r)
		}
	}
	// Fixed-step gradient descent cannot cross Rosenbrock's valley in 400 steps.
	if r := findRun(t, m, "rosenbrock", "gd"); r.Arrived >= 0 {
		t.Errorf("gd arrived on rosenbrock at iteration %d; the valley should take thousands", r.Arrived)
	}
	for _, s := range cfg.Surfaces {
		if m.Winners[s] == "" || m.Winners[s] == "none" {
			t.Errorf("no winner on %s", s)
		}
		f, err := os.Open(filepath.Join(dir, "race-"+s+".gif"))
		if err != nil {
			t.Fatal(err)
		}
		g, err := gif.DecodeAll(f)
		f.Close()
		if err != nil {
			t.Fatalf("race-%s.gif: %v", s, err)
		}
		if len(g.Image) < 3 {
			t.Errorf("race-%s.gif has %d frames", s, len(g.Image))
		}
	}
}

// TestOptimizersDivergenceIsAResult guards that a method that diverges (gradient descent with
// a step beyond 2/λ_max) is reported in the metrics instead of failing the experiment.
func TestOptimizersDivergenceIsAResult(t *testing.T) {
	cfg := defaultOptimizersConfig()
	cfg.Surfaces = []string{"quadratic"}
	cfg.Methods = []string{"gd", "lbfgs"}
	cfg.LRScale = 3 // η = 4.8/κ > 2/κ
	cfg.Steps = 3000
	cfg.GIF = false
	m, err := runOptimizers(context.Background(), &cfg, newOutput(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	r := findRun(t, m, "quadratic", "gd")
	if r.Status != "Diverged" || r.Error == "" || r.Arrived >= 0 {
		t.Errorf("gd with η = 4.8/κ: status %s, error %q, arrived %d; want Diverged", r.Status, r.Error, r.Arrived)
	}
	if r := findRun(t, m, "quadratic", "lbfgs"); r.Arrived < 0 {
		t.Errorf("lbfgs did not arrive: %+v", r)
	}
}

func TestOptimizersReproducible(t *testing.T) {
	cfg := defaultOptimizersConfig()
	cfg.Steps = 100
	cfg.GIF = false
	a, err := runOptimizers(context.Background(), &cfg, newOutput(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	b, err := runOptimizers(context.Background(), &cfg, newOutput(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("two runs with the same config differ")
	}
}

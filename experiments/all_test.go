package experiments

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// small shrinks each experiment to a test-sized run through Set, as a user would with --set.
var small = map[string][]string{
	"activations":         {"points=21"},
	"fit-1-100-1":         {"hidden=10", "epochs=50"},
	"net-1-2-1":           {"restarts=1", "iterations=20", "activations=tanh"},
	"overfitting":         {"epochs=100", "patience=10"},
	"regularization":      {"epochs=50"},
	"learning-rate":       {"epochs=30", "sweep=2"},
	"batch-size":          {"epochs=2", "points=64"},
	"optimizers":          {"steps=20", "frames=3", "surfaces=saddle"},
	"hessian-2d":          {"steps=5"},
	"vanishing-gradients": {"depth=4", "width=4", "activations=tanh"},
	"backprop-is-adjoint": {"sizes=2,3,1", "batch=4"},
	"dropout-uncertainty": {"epochs=20", "passes=5"},
	"lorenz63-4dvar":      {"cycles=10"},
	"lorenz96-4dvar":      {"cycles=4"},
	"window-length":       {"windows=4,8", "variants=4dvar", "span=16", "b_sigmas=0.3"},
	"learn-parameters":    {"obs_sigmas=0.5", "windows=3", "iterations=100"},
	"learn-surrogate": {"train_steps=60", "stages=5:0:20,10:0.5:20", "supervised_iterations=20", "forecast_starts=4",
		"forecast_leads=20", "cycles=6", "lyapunov_steps=100"},
}

// withoutTimes removes the wall-clock members of a metrics document, the only ones a seed
// does not fix.
func withoutTimes(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var strip func(any)
	strip = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if strings.Contains(k, "seconds") || strings.Contains(k, "wall") {
					delete(x, k)
					continue
				}
				strip(e)
			}
		case []any:
			for _, e := range x {
				strip(e)
			}
		}
	}
	strip(v)
	return v
}

// TestEveryExperimentRunsAndIsReproducible runs every registered experiment, small, twice
// through Run: each writes its files and manifest, and the same config gives the same
// metrics.
func TestEveryExperimentRunsAndIsReproducible(t *testing.T) {
	root := t.TempDir()
	for _, e := range All() {
		sets, ok := small[e.Name]
		if !ok {
			t.Errorf("%s: no small config in this test", e.Name)
			continue
		}
		var metrics [2]any
		for k := range 2 {
			cfg := e.DefaultConfig()
			for _, s := range sets {
				key, value, _ := ParseAssignment(s)
				if err := Set(cfg, key, value); err != nil {
					t.Fatalf("%s: %v", e.Name, err)
				}
			}
			dir := filepath.Join(root, e.Name+string(rune('a'+k)))
			r, err := e.Run(context.Background(), cfg, dir, nil)
			if err != nil {
				t.Errorf("%s: %v", e.Name, err)
				break
			}
			if len(r.Figures) == 0 {
				t.Errorf("%s: no figure", e.Name)
			}
			for _, f := range append(r.Files, MetricsFile, ConfigFile, ManifestFile) {
				if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
					t.Errorf("%s: %s missing or empty: %v", e.Name, f, err)
				}
			}
			metrics[k] = withoutTimes(t, r.Metrics)
		}
		if !reflect.DeepEqual(metrics[0], metrics[1]) {
			t.Errorf("%s: two runs of the same config differ:\n%v\n%v", e.Name, metrics[0], metrics[1])
		}
	}
}

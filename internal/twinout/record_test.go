package twinout

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/models/lorenz"
)

// TestFailedRunKeepsEarlierCycles guards "results already written survive a later failure":
// a run stopped in its fourth cycle leaves metrics.json (status failed, with the error) and
// cycles.csv holding the three complete cycles, and the figures.
func TestFailedRunKeepsEarlierCycles(t *testing.T) {
	l96, lerr := lorenz.NewL96(40)
	if lerr != nil {
		t.Fatal(lerr)
	}
	dir := t.TempDir()
	rec := &Recorder{Dir: dir, Setup: Object{{Key: "test", Value: true}}}
	if err := rec.Start(0); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stopped by the test")
	tw := &fourdvar.Twin{Model: l96, Cycles: 10, Seed: 1, OnCycle: func(c *fourdvar.Cycle) error {
		if err := rec.Cycle(c); err != nil {
			return err
		}
		if c.Cycle == 3 {
			return stop
		}
		return nil
	}}
	res, err := tw.Run()
	if !errors.Is(err, stop) {
		t.Fatalf("Run returned %v, want the callback's error", err)
	}
	if len(res.Cycles) != 4 {
		t.Fatalf("%d cycles in the result, want 4", len(res.Cycles))
	}
	if err := rec.Finish(res, err); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Status string
		Error  string
		Cycles []map[string]any
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Status != "failed" || doc.Error != stop.Error() || len(doc.Cycles) != 4 {
		t.Errorf("metrics.json: status %q, error %q, %d cycles", doc.Status, doc.Error, len(doc.Cycles))
	}
	for _, key := range []string{"cost_initial", "grad_norm_initial", "cost_final", "grad_norm_final",
		"iterations", "evaluations", "status", "rmse_background", "rmse_analysis"} {
		if _, ok := doc.Cycles[0][key]; !ok {
			t.Errorf("metrics.json cycle record lacks %q", key)
		}
	}
	for _, f := range []string{"cycles.csv", "series.png", "series.svg", "rmse.png", "rmse.svg", "cost.png", "cost.svg"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

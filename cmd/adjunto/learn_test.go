package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLearnParamsJSON runs the default "adjunto learn" (Lorenz-63's parameters), shortened,
// and reads the recovered values under their own names.
func TestLearnParamsJSON(t *testing.T) {
	out := filepath.Join(t.TempDir(), "learn")
	code, stdout, stderr := runArgs("learn", "--json", "--out", out, "--set", "windows=4", "--set", "iterations=200", "--set", "obs_sigmas=0.5")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	var m struct {
		Model string
		Runs  []struct {
			ObsSigma float64 `json:"obs_sigma"`
			Params   map[string]struct{ Truth, Estimate, Error float64 }
		}
	}
	if err := json.Unmarshal([]byte(stdout), &m); err != nil {
		t.Fatalf("%v in\n%s", err, stdout)
	}
	if m.Model != "lorenz63" || len(m.Runs) != 1 {
		t.Fatalf("metrics %+v", m)
	}
	for _, name := range []string{"sigma", "rho", "beta"} {
		p, ok := m.Runs[0].Params[name]
		if !ok || p.Truth == 0 || p.Error != p.Estimate-p.Truth {
			t.Errorf("%s: %+v", name, p)
		}
	}
	for _, f := range []string{"metrics.json", "parameter-error.png", "estimates.txt"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

// TestLearnSurrogateWritesWeights runs a tiny hybrid training and checks the tables, the
// weights and the figures.
func TestLearnSurrogateWritesWeights(t *testing.T) {
	out := filepath.Join(t.TempDir(), "hyb")
	code, stdout, stderr := runArgs("learn", "--what", "hybrid", "--out", out, "--set", "train_steps=40",
		"--set", "stages=5:0:10", "--set", "supervised_iterations=5", "--set", "forecast_starts=2",
		"--set", "forecast_leads=10", "--set", "cycles=3", "--set", "spec=5-4-1")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"valid steps", "hybrid (4DVar)", "wrong model (F = 6)", "persistence"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	// The checkpoint is written into the run's staging folder, never into an earlier result,
	// so a finished run has it beside hybrid.json (the final weights).
	for _, f := range []string{"hybrid.json", "checkpoint-hybrid.json", "forecast-skill.png", "training.svg", "tendency.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestLearnBadUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"learn", "--what", "weights"}, `--what "weights": want params, surrogate or hybrid`},
		{[]string{"learn", "--model", "lorenz84"}, `--model "lorenz84"`},
		{[]string{"learn", "--model", "lorenz63", "--what", "surrogate"}, "use --model lorenz96"},
		{[]string{"learn", "--what", "surrogate", "--set", "train_steps=50", "--set", "stages=100:0:5"}, "windows of 100 steps are longer than the data (train_steps 50)"},
		{[]string{"learn", "--what", "surrogate", "--set", "spec=4-8-1"}, "want an odd number of inputs"},
		{[]string{"learn", "--set", "iterations=0"}, "iterations must be positive"},
	} {
		code, _, stderr := runArgs(c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, exitUsage, c.want)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/adjunto/adjunto/experiments"
)

func TestExperimentList(t *testing.T) {
	code, out, _ := runArgs("experiment", "list")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, n := range experiments.Names() {
		if !strings.Contains(out, n+" ") {
			t.Errorf("list lacks %s:\n%s", n, out)
		}
	}
}

func TestExperimentShow(t *testing.T) {
	code, out, _ := runArgs("experiment", "show", "optimizers")
	if code != exitOK || !strings.Contains(out, "lr_scale") || !strings.Contains(out, "Rosenbrock") {
		t.Errorf("show optimizers: exit %d\n%s", code, out)
	}
	if code, _, stderr := runArgs("experiment", "show", "nope"); code != exitUsage || !strings.Contains(stderr, `"nope"`) {
		t.Errorf("show nope: exit %d, stderr %q", code, stderr)
	}
}

func TestExperimentRunWritesResults(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := runArgs("experiment", "run", "activations", "--out", dir, "--set", "points=51", "-q")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if stderr != "" {
		t.Errorf("stderr is not a terminal, yet: %q", stderr)
	}
	if !strings.Contains(out, "ok") || !strings.Contains(out, "activations") {
		t.Errorf("stdout %q", out)
	}
	var cfg map[string]any
	b, err := os.ReadFile(filepath.Join(dir, "activations", "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cfg); err != nil || cfg["points"] != 51.0 {
		t.Errorf("config.json %s: %v", b, err)
	}
	// The saved config repeats the run exactly.
	dir2 := t.TempDir()
	code, _, stderr = runArgs("experiment", "run", "activations", "--out", dir2, "--config", filepath.Join(dir, "activations", "config.json"))
	if code != exitOK {
		t.Fatalf("rerun from config: exit %d, %s", code, stderr)
	}
	m1, _ := os.ReadFile(filepath.Join(dir, "activations", "metrics.json"))
	m2, _ := os.ReadFile(filepath.Join(dir2, "activations", "metrics.json"))
	if len(m1) == 0 || !bytes.Equal(m1, m2) {
		t.Errorf("rerun from config.json gave different metrics")
	}
}

func TestExperimentRunBadUsage(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"experiment", "run"}, "name an experiment"},
		{[]string{"experiment", "run", "nope"}, `unknown experiment "nope"`},
		{[]string{"experiment", "run", "activations", "--set", "pointz=3"}, `unknown config key "pointz"`},
		{[]string{"experiment", "run", "activations", "--set", "points=many"}, "points"},
		{[]string{"experiment", "run", "activations", "--set", "points"}, "key=value"},
		{[]string{"experiment", "run", "activations", "--set", "points=1"}, "points must be at least 3"},
		{[]string{"experiment", "run", "all", "--set", "no_such_key=1"}, `"no_such_key"`},
		{[]string{"experiment", "run", "all", "--set", "nope.x=1"}, `unknown experiment "nope"`},
		{[]string{"experiment", "run", "activations", "--set", "optimizers.steps=1"}, "not among"},
		{[]string{"experiment", "run", "all", "--config", "x.json"}, "one experiment"},
		{[]string{"experiment", "run", "activations", "--config", "/no/such/config.json"}, "no such file"},
		{[]string{"experiment", "frobnicate"}, "unknown subcommand"},
	} {
		code, out, stderr := runArgs(append(c.args, "--out", dir)...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", c.args, code, stderr, c.want)
		}
		if out != "" {
			t.Errorf("%v: stdout %q", c.args, out)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("bad usage wrote %d entries", len(ents))
	}
}

func TestExperimentRunSetAppliesToAllThatHaveTheKey(t *testing.T) {
	exps := []*experiments.Experiment{mustLookup(t, "activations"), mustLookup(t, "optimizers")}
	cfgs, err := buildConfigs(exps, []string{"steps=7", "activations.points=9"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if configValue(cfgs[1], "steps") != "7" || configValue(cfgs[0], "points") != "9" {
		t.Errorf("configs %+v %+v", cfgs[0], cfgs[1])
	}
}

// configValue is the value of a config's key in the form --set reads, "" if it has none.
func configValue(cfg any, key string) string {
	for _, f := range experiments.Fields(cfg) {
		if f.Key == key {
			return f.Value
		}
	}
	return ""
}

func mustLookup(t *testing.T, name string) *experiments.Experiment {
	t.Helper()
	e, err := experiments.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestExperimentRunUnwritableOut(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runArgs("experiment", "run", "activations", "--out", filepath.Join(file, "out"))
	if code != exitFail || !strings.Contains(stderr, "output directory") {
		t.Errorf("exit %d, stderr %q; want 1 and a message on the output directory", code, stderr)
	}
}

// TestRunBatchKeepsFinishedResults guards that a failing experiment in a batch neither stops
// the others nor removes what they wrote.
func TestRunBatchKeepsFinishedResults(t *testing.T) {
	type cfg struct {
		Fail bool `json:"fail" help:"fail"`
	}
	mk := func(name string) *experiments.Experiment {
		return experiments.Define(name, "test", "test", func() cfg { return cfg{} },
			func(ctx context.Context, c *cfg, out *experiments.Output) (map[string]float64, error) {
				if c.Fail {
					return nil, errors.New("boom")
				}
				return map[string]float64{"x": 1}, nil
			})
	}
	exps := []*experiments.Experiment{mk("first"), mk("second"), mk("third")}
	cfgs := []any{&cfg{}, &cfg{Fail: true}, &cfg{}}
	dir := t.TempDir()
	var out, errb bytes.Buffer
	res, failed := runBatch(context.Background(), exps, cfgs, dir, false, &out, &errb, "experiment run")
	if failed != 1 || res[0] == nil || res[1] != nil || res[2] == nil {
		t.Fatalf("failed %d, results %v", failed, res)
	}
	if !strings.Contains(errb.String(), "second") || !strings.Contains(errb.String(), "boom") {
		t.Errorf("stderr %q does not name the failure", errb.String())
	}
	for _, n := range []string{"first", "third"} {
		if _, err := experiments.LoadResult(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "second")); !os.IsNotExist(err) {
		t.Errorf("the failed experiment left a directory")
	}
}

func TestReport(t *testing.T) {
	dir := t.TempDir()
	// activations with its defaults, as report runs it, and hessian-2d with another config.
	for _, args := range [][]string{{"activations"}, {"hessian-2d", "--set", "steps=5"}} {
		if code, _, stderr := runArgs(append([]string{"experiment", "run", "--out", dir}, args...)...); code != exitOK {
			t.Fatalf("run %v: %s", args, stderr)
		}
	}
	code, out, stderr := runArgs("report", "--out", dir, "--only", "activations,hessian-2d")
	if code != exitOK {
		t.Fatalf("report: exit %d, %s", code, stderr)
	}
	if !strings.Contains(out, "reuse activations") || strings.Contains(out, "reuse hessian-2d") ||
		!strings.Contains(stderr, "hessian-2d: the result in") {
		t.Errorf("stdout %q, stderr %q: want activations reused and hessian-2d run again", out, stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"activations/activations.png", "hessian-2d/forms.png", `&#34;steps&#34;: 60`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("index.html lacks %q", s)
		}
	}
	if _, out, _ := runArgs("report", "--out", dir, "--only", "activations,hessian-2d"); strings.Count(out, "reuse ") != 2 {
		t.Errorf("second report: %q, want both reused", out)
	}
	if _, out, _ := runArgs("report", "--out", dir, "--only", "activations", "--fresh"); strings.Contains(out, "reuse ") {
		t.Errorf("report --fresh: %q, want nothing reused", out)
	}
	if code, _, stderr := runArgs("report", "--out", dir, "--only", "nope"); code != exitUsage || !strings.Contains(stderr, "nope") {
		t.Errorf("report --only nope: exit %d, %q", code, stderr)
	}
}

package sweep

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

const gridFile = `{
  "name": "windows",
  "command": "fourdvar",
  "flags": {"setup": "bocquet2013", "mda": false, "b-sigma": 0.3},
  "grid": {
    "window": [8, 16],
    "scheme": {
      "strong": {},
      "incremental-3": {"variant": "incremental", "outer": 3, "inner": 50}
    },
    "b-sigma": [0.15, 0.5]
  },
  "seeds": [1, 2]
}`

func TestParseAndExpand(t *testing.T) {
	s, err := Parse("windows.json", []byte(gridFile))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "windows" || !slices.Equal(s.Command, []string{"fourdvar"}) || s.SeedKey != "seed" ||
		s.Metric != "summary.rmse_analysis" || len(s.Axes) != 3 || !slices.Equal(s.Seeds, []uint64{1, 2}) {
		t.Fatalf("parsed %+v", s)
	}
	p, err := s.Expand()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Runs) != 2*2*2*2 || !slices.Equal(p.Axes, []string{"window", "scheme", "b-sigma", "seed"}) {
		t.Fatalf("%d runs over %v", len(p.Runs), p.Axes)
	}
	// The first axis varies slowest, the seeds fastest; levels override fixed flags.
	r := p.Runs[3]
	if p.Describe(r.Params) != "window=8 scheme=strong b-sigma=0.5 seed=2" {
		t.Errorf("run 3 is %s", p.Describe(r.Params))
	}
	want := []string{"fourdvar", "--b-sigma=0.5", "--mda=false", "--seed=2", "--setup=bocquet2013", "--window=8"}
	if !slices.Equal(r.Args, want) {
		t.Errorf("run 3 args %q, want %q", r.Args, want)
	}
	r = p.Runs[6]
	if !slices.Contains(r.Args, "--variant=incremental") || !slices.Contains(r.Args, "--outer=3") || r.Params["scheme"] != "incremental-3" {
		t.Errorf("run 6: %v %q", r.Params, r.Args)
	}
	ids := map[string]bool{}
	for _, r := range p.Runs {
		if len(r.ID) != 12 || ids[r.ID] {
			t.Errorf("id %q empty or repeated", r.ID)
		}
		ids[r.ID] = true
	}
}

// TestIDsStable checks that a run's id depends on its resolved command line only: reordering
// the file's keys, or moving a flag from the fixed ones into a one-level axis, keeps it.
func TestIDsStable(t *testing.T) {
	a := `{"command": "fourdvar", "flags": {"cycles": 5, "b-sigma": 0.2}, "grid": {"window": [4, 8]}, "seeds": 2}`
	b := `{"seeds": [1, 2], "grid": {"window": [4, 8], "b-sigma": [0.2]}, "flags": {"cycles": 5}, "command": "fourdvar"}`
	ids := func(src string) []string {
		var out []string
		for _, r := range expand(t, src).Runs {
			out = append(out, r.ID)
		}
		slices.Sort(out)
		return out
	}
	if ia, ib := ids(a), ids(b); !slices.Equal(ia, ib) {
		t.Errorf("ids differ:\n%v\n%v", ia, ib)
	}
}

// expand parses and expands a sweep file's contents.
func expand(t *testing.T, src string) *Plan {
	t.Helper()
	s, err := Parse("f.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Expand()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"unknown key", "{\n  \"command\": \"fourdvar\",\n  \"grdi\": {}\n}", "f.json:3: grdi: unknown key"},
		{"no command", `{"grid": {"window": [1]}}`, "f.json:1: command: missing"},
		{"bad command", "{\"command\": \"simulate\"}", `f.json:1: command: "simulate": want fourdvar`},
		{"experiment all", `{"command": "experiment run all"}`, "want experiment run NAME, one experiment"},
		{"flag value", "{\"command\": \"fourdvar\",\n\"flags\": {\"window\": [8]}}", "f.json:2: flags.window: want a string, number or boolean, found an array"},
		{"reserved", "{\"command\": \"fourdvar\", \"flags\": {\n\"out\": \"x\"}}", "f.json:2: flags.out: the sweep sets --out itself"},
		{"empty axis", "{\"command\": \"fourdvar\", \"grid\": {\n\n\"window\": []}}", "f.json:3: grid.window: no values"},
		{"repeated level", `{"command": "fourdvar", "grid": {"window": [4, 4]}}`, `grid.window: value "4" given twice`},
		{"axis type", `{"command": "fourdvar", "grid": {"window": 4}}`, "grid.window: want an array of values or an object"},
		{"group value", "{\"command\": \"fourdvar\", \"grid\": {\"s\": {\"a\": {\n\"outer\": null}}}}", "f.json:2: grid.s.a.outer: want a string, number or boolean, found null"},
		{"seeds", `{"command": "fourdvar", "seeds": [1, -2]}`, "seeds: -2: want a non-negative integer"},
		{"seed twice", `{"command": "fourdvar", "seeds": [3, 3]}`, "seeds: seed 3 given twice"},
		{"seed axis", "{\"command\": \"fourdvar\",\n\"grid\": {\"seed\": [1, 2]}, \"seeds\": 2}", "f.json:2: grid.seed: an axis named seed"},
		{"duplicate key", "{\"command\": \"fourdvar\",\n\"command\": \"learn\"}", "f.json:2: command: given twice"},
		{"syntax", "{\"command\": \"fourdvar\",\n\"flags\": {\"a\" 1}}", "f.json:2: flags.a: invalid character '1'"},
		{"truncated", `{"command": "fourdvar"`, "f.json:1: unexpected end of file"},
		{"name", `{"command": "fourdvar", "name": "a/b"}`, `name: "a/b": want letters`},
		{"trailing", "{\"command\": \"fourdvar\"}\n\n  }", "f.json:3: text after the sweep's object"},
	} {
		_, err := Parse("f.json", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func TestExpandRejectsSameCommandLine(t *testing.T) {
	s, err := Parse("f.json", []byte(`{"command": "fourdvar", "flags": {"window": 8}, "grid": {"w": {"a": {}, "b": {"window": 8}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Expand(); err == nil || !strings.Contains(err.Error(), "runs w=a and w=b resolve to the same command line") {
		t.Errorf("error %v", err)
	}
}

func TestExperimentSeedsAndOutput(t *testing.T) {
	p := expand(t, `{"command": "experiment run learning-rate", "grid": {"set:epochs": [10, 20]}, "seeds": 1}`)
	want := []string{"experiment", "run", "learning-rate", "--set", "epochs=20", "--set", "seed=1"}
	if !slices.Equal(p.Runs[1].Args, want) {
		t.Errorf("args %q, want %q", p.Runs[1].Args, want)
	}
	args, metrics := outputArgs(p.Command, "/d")
	if !slices.Equal(args, []string{"--out", "/d", "-q"}) || metrics != "/d/learning-rate/metrics.json" {
		t.Errorf("output %q, metrics %s", args, metrics)
	}
}

func TestTasksPackRuns(t *testing.T) {
	p := &Plan{Name: "big", Runs: make([]Run, 2500)}
	p.PerTask = PerTaskFor(len(p.Runs), MaxArrayTasks)
	if p.PerTask != 3 || p.Tasks() != 834 {
		t.Fatalf("%d per task, %d tasks", p.PerTask, p.Tasks())
	}
	seen := 0
	for i := range p.Tasks() {
		runs, err := p.Task(i)
		if err != nil {
			t.Fatal(err)
		}
		seen += len(runs)
	}
	if seen != 2500 {
		t.Errorf("tasks cover %d runs", seen)
	}
	if _, err := p.Task(834); err == nil {
		t.Error("task 834 of 834 accepted")
	}
	if PerTaskFor(12, MaxArrayTasks) != 1 {
		t.Error("a small sweep is packed")
	}
}

func TestBatchFiles(t *testing.T) {
	p := &Plan{Name: "w", Runs: make([]Run, 12), PerTask: 5}
	b := Batch{Executable: "/shared/sw/adjunto", Dir: "/shared/out/sweep/w", Workdir: "/home/u/my dir",
		Partition: "short", Time: "00:10:00", ArrayMax: 2, Image: "reg/adjunto:1", Claim: "pvc"}
	s := SlurmScript(p, b)
	for _, want := range []string{"#SBATCH --array=0-2%2\n", "#SBATCH --partition=short\n", "#SBATCH --time=00:10:00\n",
		"#SBATCH --output=/shared/out/sweep/w/slurm/%A_%a.out\n", "cd '/home/u/my dir'\n",
		`exec /shared/sw/adjunto sweep run --dir /shared/out/sweep/w --index "$SLURM_ARRAY_TASK_ID"`} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q:\n%s", want, s)
		}
	}
	raw, err := K8sJob(p, b)
	if err != nil {
		t.Fatal(err)
	}
	var job struct {
		Kind string
		Spec struct {
			CompletionMode string
			Completions    int
			Parallelism    int
			Template       struct {
				Spec struct {
					Containers []struct {
						Image   string
						Command []string
					}
				}
			}
		}
	}
	if err := json.Unmarshal(raw, &job); err != nil {
		t.Fatal(err)
	}
	c := job.Spec.Template.Spec.Containers
	if job.Kind != "Job" || job.Spec.CompletionMode != "Indexed" || job.Spec.Completions != 3 || job.Spec.Parallelism != 2 ||
		len(c) != 1 || c[0].Image != "reg/adjunto:1" || strings.Join(c[0].Command, " ") != "adjunto sweep run --dir /sweep --workdir /sweep" {
		t.Errorf("job %+v", job)
	}
}

func TestFlatten(t *testing.T) {
	m, err := flatten([]byte(`{"status": "complete", "summary": {"rmse": 0.25, "ok": true, "n": {"a": 3}}, "cycles": [{"rmse": 1}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 3 || m["summary.rmse"] != 0.25 || m["summary.ok"] != 1 || m["summary.n.a"] != 3 {
		t.Errorf("flattened %v", m)
	}
}

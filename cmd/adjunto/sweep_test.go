package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/adjunto/adjunto/internal/sweep"
)

// The test binary is the adjunto a sweep runs its runs with: with ADJUNTO_TEST_AS_MAIN set,
// it is the command line instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv("ADJUNTO_TEST_AS_MAIN") != "" {
		main() // with its signal handling, which the interrupt tests need; it exits
	}
	os.Exit(m.Run())
}

// writeSweep writes a sweep file into a fresh folder and returns its path and the sweep's
// output folder.
func writeSweep(t *testing.T, src string) (file, out string) {
	t.Helper()
	t.Setenv("ADJUNTO_TEST_AS_MAIN", "1")
	dir := t.TempDir()
	file = filepath.Join(dir, "s.json")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return file, filepath.Join(dir, "out")
}

const sixRuns = `{
  "command": "fourdvar",
  "flags": {"cycles": 6, "burn-in": 1, "no-figures": true},
  "grid": {"b-sigma": [0.2, 0.3, 0.5]},
  "seeds": 2
}`

func readMetric(t *testing.T, path string) float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Summary struct {
			RMSEAnalysis float64 `json:"rmse_analysis"`
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Summary.RMSEAnalysis
}

// TestSweepMatchesRunsOneByOne runs a 2-seed × 3-value sweep of the default fourdvar on two
// workers, checks each run's numbers against the same run made alone, then the table's cells
// against a hand computation of the mean and interval over the two seeds.
func TestSweepMatchesRunsOneByOne(t *testing.T) {
	file, out := writeSweep(t, sixRuns)
	code, stdout, stderr := runArgs("sweep", file, "-j", "2", "--out", out)
	if code != exitOK || !strings.Contains(stdout, "6 runs: 6 ran now") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	plan, err := sweep.ReadPlan(out)
	if err != nil {
		t.Fatal(err)
	}
	byPoint := map[string][]float64{}
	for i := range plan.Runs {
		r := &plan.Runs[i]
		got := readMetric(t, filepath.Join(sweep.RunDir(out, r), "metrics.json"))
		alone := t.TempDir()
		if code, _, stderr := runArgs("fourdvar", "--cycles", "6", "--burn-in", "1", "--no-figures", "-q",
			"--b-sigma", r.Params["b-sigma"], "--seed", r.Params["seed"], "--out", alone); code != exitOK {
			t.Fatalf("alone: %s", stderr)
		}
		if want := readMetric(t, filepath.Join(alone, "metrics.json")); got != want {
			t.Errorf("run %s: analysis RMSE %v in the sweep, %v alone", plan.Describe(r.Params), got, want)
		}
		res, err := sweep.ReadResult(out, r)
		if err != nil || res.Status != sweep.StatusOK || res.Metrics["summary.rmse_analysis"] != got {
			t.Errorf("run %d result %+v, %v", i, res, err)
		}
		byPoint[r.Params["b-sigma"]] = append(byPoint[r.Params["b-sigma"]], got)
	}
	code, stdout, stderr = runArgs("table", out)
	if code != exitOK {
		t.Fatalf("table: exit %d\n%s", code, stderr)
	}
	csv, err := os.ReadFile(filepath.Join(out, "table.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if len(lines) != 4 || lines[0] != "b-sigma,summary.rmse_analysis_mean,summary.rmse_analysis_ci95,n,failed" {
		t.Fatalf("table.csv:\n%s", csv)
	}
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		xs := byPoint[f[0]]
		// By hand: two values a, b have mean (a+b)/2 and s = |a−b|/√2; t_{0.975,1} = 12.7062…
		mean, half := (xs[0]+xs[1])/2, 12.706204736174707*math.Abs(xs[0]-xs[1])/math.Sqrt2/math.Sqrt2
		gm, _ := strconv.ParseFloat(f[1], 64)
		gh, _ := strconv.ParseFloat(f[2], 64)
		if !scalar.EqualWithinAbsOrRel(gm, mean, 1e-14, 1e-14) || !scalar.EqualWithinAbsOrRel(gh, half, 1e-12, 1e-12) || f[3] != "2" {
			t.Errorf("b-sigma %s: %v ± %v (n %s), want %v ± %v", f[0], gm, gh, f[3], mean, half)
		}
	}
	if !strings.Contains(stdout, "| b-sigma | summary.rmse_analysis | n |") {
		t.Errorf("markdown:\n%s", stdout)
	}
	for _, f := range []string{"table.md", "table.png", "table.svg"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

// TestSweepResumes removes the results of two runs, as an interruption during them leaves
// the sweep, and checks that running the sweep again runs those two only and leaves the
// others' results as they were.
func TestSweepResumes(t *testing.T) {
	file, out := writeSweep(t, sixRuns)
	if code, _, stderr := runArgs("sweep", file, "--out", out, "-q"); code != exitOK {
		t.Fatal(stderr)
	}
	plan, err := sweep.ReadPlan(out)
	if err != nil {
		t.Fatal(err)
	}
	before := map[string][]byte{}
	for i, r := range plan.Runs {
		path := filepath.Join(sweep.RunDir(out, &r), sweep.ResultFile)
		if i == 1 || i == 4 {
			os.Remove(path)
			continue
		}
		before[path], _ = os.ReadFile(path)
	}
	code, stdout, stderr := runArgs("sweep", file, "--out", out, "-q")
	if code != exitOK || !strings.Contains(stdout, "6 runs: 2 ran now, 4 had finished earlier") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for path, b := range before {
		// The results carry each run's wall time: a rerun would have changed them.
		if now, _ := os.ReadFile(path); string(now) != string(b) {
			t.Errorf("%s was rewritten", path)
		}
	}
}

// TestSweepFailingRun gives one level a value fourdvar rejects: its runs are reported with
// fourdvar's error, the others finish, the exit code is 1, and the table counts the failures.
func TestSweepFailingRun(t *testing.T) {
	file, out := writeSweep(t, `{"command": "fourdvar", "flags": {"cycles": 4, "burn-in": 1, "no-figures": true},
  "grid": {"obs-sigma": [1, -1, 0.5]}, "seeds": [1, 2]}`)
	code, stdout, stderr := runArgs("sweep", file, "--out", out, "-j", "2")
	if code != exitFail || !strings.Contains(stdout, "6 runs: 6 ran now, 0 had finished earlier, 0 not run; 2 failed") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "failed: run 2 (obs-sigma=-1 seed=1") || !strings.Contains(stderr, "exit status 2: adjunto fourdvar: --obs-sigma -1: want a finite value > 0") {
		t.Errorf("stderr does not name the failure:\n%s", stderr)
	}
	code, stdout, _ = runArgs("table", out, "--no-figure")
	if code != exitOK || !strings.Contains(stdout, "| -1 | — (2 failed) | 0 |") {
		t.Errorf("table: exit %d\n%s", code, stdout)
	}
}

// TestSweepProgressInALog checks that a local sweep whose stderr is not a terminal (a log, a
// pipe) still reports its progress, as every long command does, and that -q silences it.
func TestSweepProgressInALog(t *testing.T) {
	file, out := writeSweep(t, `{"command": "fourdvar", "flags": {"cycles": 2, "burn-in": 1, "no-figures": true}, "seeds": [1, 2]}`)
	code, stdout, stderr := runArgs("sweep", file, "--out", out, "-j", "2")
	if code != exitOK || !strings.Contains(stderr, "2/2 runs done") {
		t.Fatalf("exit %d, no progress line in stderr:\n%s\n%s", code, stderr, stdout)
	}
	code, _, stderr = runArgs("sweep", file, "--out", t.TempDir(), "-j", "2", "-q")
	if code != exitOK || strings.Contains(stderr, "runs done") {
		t.Errorf("-q: exit %d, stderr:\n%s", code, stderr)
	}
}

func TestSweepUsageErrors(t *testing.T) {
	file, out := writeSweep(t, "{\"command\": \"fourdvar\",\n  \"flags\": {\"out\": \"x\"}}")
	if code, _, stderr := runArgs("sweep", file, "--out", out); code != exitUsage || !strings.Contains(stderr, "s.json:2: flags.out: the sweep sets --out itself") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	for _, tc := range []struct{ src, want string }{
		{"{\"command\": \"fourdvar\",\n\"grid\": {\"windw\": [4, 8]}}", "s.json:2: windw: not a flag of adjunto fourdvar"},
		{"{\"command\": \"fourdvar\", \"grid\": {\"s\": {\"a\": {},\n\"b\": {\"set:lr\": 1}}}}", "s.json:2: set:lr: not a flag of adjunto fourdvar"},
		{"{\"command\": \"experiment run learning-rate\",\n\n\"flags\": {\"set:epoch\": 5}}", "s.json:3: set:epoch: not a config key of learning-rate"},
		{`{"command": "experiment run no-such-experiment"}`, "no-such-experiment"},
	} {
		file, out := writeSweep(t, tc.src)
		if code, _, stderr := runArgs("sweep", file, "--out", out); code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("exit %d: %s, want %q", code, stderr, tc.want)
		}
	}
	if code, _, stderr := runArgs("sweep", "run", "--dir", out); code != exitUsage || !strings.Contains(stderr, "no task index") {
		t.Errorf("sweep run without an index: exit %d: %s", code, stderr)
	}
}

// TestSweepBatchTask writes the Slurm script and the Kubernetes manifest of the six runs
// packed four per task, then runs task 1 as Kubernetes would (JOB_COMPLETION_INDEX=1): the
// last two runs, and no others.
func TestSweepBatchTask(t *testing.T) {
	file, out := writeSweep(t, sixRuns)
	code, stdout, stderr := runArgs("sweep", file, "--out", out, "--slurm", "--k8s", "--per-task", "4", "--array-max", "1", "--time", "00:05:00")
	if code != exitOK || !strings.Contains(stdout, "6 runs in 2 tasks of up to 4 runs") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	script, err := os.ReadFile(filepath.Join(out, "sweep.sbatch"))
	if err != nil || !strings.Contains(string(script), "#SBATCH --array=0-1%1") {
		t.Fatalf("script %v:\n%s", err, script)
	}
	if _, err := os.Stat(filepath.Join(out, "k8s-job.json")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("JOB_COMPLETION_INDEX", "1")
	code, stdout, stderr = runArgs("sweep", "run", "--dir", out, "-q")
	if code != exitOK || !strings.Contains(stdout, "2 runs: 2 ran now") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	plan, _ := sweep.ReadPlan(out)
	for i := range plan.Runs {
		res, _ := sweep.ReadResult(out, &plan.Runs[i])
		if (res != nil) != (i >= 4) {
			t.Errorf("run %d: result %v", i, res)
		}
	}
}

// TestSweepExperiment sweeps an experiment's config keys with seeds given to --set seed=: the
// runs find their metrics in DIR/NAME/metrics.json and the table takes one of them.
func TestSweepExperiment(t *testing.T) {
	file, out := writeSweep(t, `{"command": "experiment run learning-rate", "flags": {"set:epochs": 20},
  "grid": {"set:sweep": [3, 4]}, "seeds": 2, "metric": "best_sweep_lr"}`)
	code, stdout, stderr := runArgs("sweep", file, "--out", out)
	if code != exitOK || !strings.Contains(stdout, "4 runs: 4 ran now") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	plan, _ := sweep.ReadPlan(out)
	if got := strings.Join(plan.Runs[1].Args, " "); got != "experiment run learning-rate --set epochs=20 --set seed=2 --set sweep=3" {
		t.Errorf("run 1: %s", got)
	}
	if _, err := os.Stat(filepath.Join(sweep.RunDir(out, &plan.Runs[1]), "learning-rate", "metrics.json")); err != nil {
		t.Error(err)
	}
	code, stdout, stderr = runArgs("table", out, "--no-figure")
	if code != exitOK || !strings.Contains(stdout, "| set:sweep | best_sweep_lr | n |") || !strings.Contains(stdout, "| 4 |") {
		t.Errorf("table: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

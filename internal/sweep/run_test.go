package sweep

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The test binary doubles as the command a sweep runs: with SWEEP_FAKE set it reads --x,
// --seed, --fail and --out, logs its run to $SWEEP_FAKE_LOG, sleeps when --x equals
// $SWEEP_FAKE_SLEEP_X, and writes x·seed as its metric (or fails, with --fail=true).
func TestMain(m *testing.M) {
	if os.Getenv("SWEEP_FAKE") != "" {
		os.Exit(fakeCommand(os.Args[1:]))
	}
	os.Exit(m.Run())
}

func fakeCommand(args []string) int {
	flags := map[string]string{}
	for i := 1; i < len(args); i++ {
		if k, v, ok := strings.Cut(strings.TrimLeft(args[i], "-"), "="); ok {
			flags[k] = v
		} else if args[i] == "--out" {
			flags["out"] = args[i+1]
			i++
		}
	}
	f, _ := os.OpenFile(os.Getenv("SWEEP_FAKE_LOG"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	fmt.Fprintf(f, "x=%s seed=%s\n", flags["x"], flags["seed"])
	f.Close()
	if flags["x"] == os.Getenv("SWEEP_FAKE_SLEEP_X") {
		time.Sleep(time.Minute)
	}
	if flags["fail"] == "true" {
		fmt.Fprintf(os.Stderr, "fake: x=%s cannot be run\n", flags["x"])
		return 3
	}
	x, _ := strconv.ParseFloat(flags["x"], 64)
	seed, _ := strconv.ParseFloat(flags["seed"], 64)
	os.WriteFile(filepath.Join(flags["out"], "metrics.json"), fmt.Appendf(nil, `{"summary": {"rmse_analysis": %g}}`, x*seed), 0o644)
	return 0
}

func fakePlan(t *testing.T, src string) (*Plan, string, string) {
	t.Helper()
	p := expand(t, src)
	p.Workdir = t.TempDir()
	log := filepath.Join(t.TempDir(), "log")
	t.Setenv("SWEEP_FAKE", "1")
	t.Setenv("SWEEP_FAKE_LOG", log)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return p, exe, log
}

func logLines(t *testing.T, path string) []string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	slices.Sort(lines)
	return lines
}

func TestRunnerRecordsFailuresAndGoesOn(t *testing.T) {
	p, exe, _ := fakePlan(t, `{"command": "fourdvar", "grid": {"x": {"1": {"x": 1}, "bad": {"x": 2, "fail": true}, "3": {"x": 3}}}, "seeds": 2}`)
	dir := t.TempDir()
	var progress strings.Builder
	rn := &Runner{Executable: exe, Jobs: 2, Log: &progress, Show: ShowLines}
	sum, err := rn.Run(context.Background(), dir, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Total != 6 || sum.Ran != 6 || sum.Failed != 2 || len(sum.Failures) != 2 {
		t.Fatalf("summary %+v", sum)
	}
	f := sum.Failures[0]
	if f.Params["x"] != "bad" || f.ExitCode != 3 || !strings.Contains(f.Error, "fake: x=2 cannot be run") {
		t.Errorf("failure %+v", f)
	}
	if !strings.Contains(progress.String(), "failed: exit status 3: fake: x=2 cannot be run") ||
		!strings.Contains(progress.String(), "6/6 runs done, 2 failed") {
		t.Errorf("progress:\n%s", progress.String())
	}
	for i, want := range []float64{1, 2, 0, 0, 3, 6} {
		res, err := ReadResult(dir, &p.Runs[i])
		if err != nil || res == nil {
			t.Fatalf("run %d: %v %v", i, res, err)
		}
		if got := res.Metrics["summary.rmse_analysis"]; (res.Status == StatusOK) != (want != 0) || got != want {
			t.Errorf("run %d: status %s, metric %v, want %v", i, res.Status, got, want)
		}
	}
	// Failed runs are skipped on a second pass, and run again with RetryFailed.
	if sum, _ := rn.Run(context.Background(), dir, p, nil); sum.Ran != 0 || sum.Failed != 2 || sum.Skipped != 6 {
		t.Errorf("second pass %+v", sum)
	}
	rn.RetryFailed = true
	if sum, _ := rn.Run(context.Background(), dir, p, nil); sum.Ran != 2 || sum.Failed != 2 {
		t.Errorf("retry pass %+v", sum)
	}
}

// TestRunnerResumes interrupts a sweep during its third run and checks that running it again
// runs the third and fourth runs only.
func TestRunnerResumes(t *testing.T) {
	p, exe, log := fakePlan(t, `{"command": "fourdvar", "grid": {"x": [1, 2, 3, 4]}, "seeds": [1]}`)
	dir := t.TempDir()
	t.Setenv("SWEEP_FAKE_SLEEP_X", "3")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// Cancel once the third run has started, as Ctrl-C would.
		for !slices.Contains(logLines(t, log), "x=3 seed=1") {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	rn := &Runner{Executable: exe, Jobs: 1}
	sum, err := rn.Run(ctx, dir, p, nil)
	if !errors.Is(err, context.Canceled) || sum.Ran != 2 {
		t.Fatalf("interrupted pass: %+v, %v", sum, err)
	}
	if res, _ := ReadResult(dir, &p.Runs[2]); res != nil {
		t.Fatalf("the interrupted run has a result: %+v", res)
	}
	t.Setenv("SWEEP_FAKE_SLEEP_X", "")
	sum, err = rn.Run(context.Background(), dir, p, nil)
	if err != nil || sum.Ran != 2 || sum.Skipped != 2 || sum.Failed != 0 {
		t.Fatalf("resumed pass: %+v, %v", sum, err)
	}
	want := []string{"x=1 seed=1", "x=2 seed=1", "x=3 seed=1", "x=3 seed=1", "x=4 seed=1"}
	if got := logLines(t, log); !slices.Equal(got, want) {
		t.Errorf("runs started %q, want %q (the first two once)", got, want)
	}
}

func TestRunnerMissingMetricsIsAFailure(t *testing.T) {
	p, exe, _ := fakePlan(t, `{"command": "train", "grid": {"x": [1]}}`)
	dir := t.TempDir()
	sum, err := (&Runner{Executable: exe}).Run(context.Background(), dir, p, nil)
	if err != nil || sum.Failed != 1 || !strings.Contains(sum.Failures[0].Error, "the run wrote no metrics") {
		t.Errorf("%+v, %v", sum, err)
	}
}

// TestRunnerLeavesLockedRuns holds the lock of run 0, as another sweep process making it
// would: the runner leaves that run alone and makes the others; once the lock is free, a
// second pass makes run 0 only.
func TestRunnerLeavesLockedRuns(t *testing.T) {
	p, exe, log := fakePlan(t, `{"command": "fourdvar", "grid": {"x": [1, 2, 3]}}`)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, RunsDir), 0o755); err != nil {
		t.Fatal(err)
	}
	unlock, ok, err := lockRun(RunDir(dir, &p.Runs[0]) + ".lock")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	rn := &Runner{Executable: exe, Jobs: 2}
	sum, err := rn.Run(context.Background(), dir, p, nil)
	if err != nil || sum.Busy != 1 || sum.Ran != 2 {
		t.Fatalf("locked pass: %+v, %v", sum, err)
	}
	if res, _ := ReadResult(dir, &p.Runs[0]); res != nil {
		t.Fatalf("the locked run was made: %+v", res)
	}
	unlock()
	if sum, err := rn.Run(context.Background(), dir, p, nil); err != nil || sum.Ran != 1 || sum.Skipped != 2 || sum.Busy != 0 {
		t.Fatalf("second pass: %+v, %v", sum, err)
	}
	if got := logLines(t, log); !slices.Equal(got, []string{"x=1 seed=", "x=2 seed=", "x=3 seed="}) {
		t.Errorf("runs started %q", got)
	}
}

// TestChildEnvSharesTheCores checks that concurrent runs get GOMAXPROCS set to their share of
// the cores, and that a single run, or a GOMAXPROCS the user set, is left alone.
func TestChildEnvSharesTheCores(t *testing.T) {
	find := func(env []string) (string, bool) {
		v := ""
		found := false
		for _, e := range env {
			if s, ok := strings.CutPrefix(e, "GOMAXPROCS="); ok {
				v, found = s, true // the last one wins, as for exec
			}
		}
		return v, found
	}
	t.Setenv("GOMAXPROCS", "")
	os.Unsetenv("GOMAXPROCS")
	if v, ok := find((&Runner{Jobs: 1}).childEnv()); ok {
		t.Errorf("Jobs 1: GOMAXPROCS=%s, want it unset", v)
	}
	want := strconv.Itoa(max(1, runtime.NumCPU()/2))
	if v, _ := find((&Runner{Jobs: 2}).childEnv()); v != want {
		t.Errorf("Jobs 2: GOMAXPROCS=%q, want %q", v, want)
	}
	if v, _ := find((&Runner{Jobs: 4 * runtime.NumCPU()}).childEnv()); v != "1" {
		t.Errorf("Jobs 4×cores: GOMAXPROCS=%q, want 1", v)
	}
	t.Setenv("GOMAXPROCS", "3")
	if v, _ := find((&Runner{Jobs: 2}).childEnv()); v != "3" {
		t.Errorf("user's GOMAXPROCS=3 with Jobs 2: got %q", v)
	}
}

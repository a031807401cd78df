package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tree lists the files and folders under root, relative to it.
func tree(t *testing.T, root string) []string {
	t.Helper()
	var names []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && p != root {
			rel, _ := filepath.Rel(root, p)
			names = append(names, rel)
		}
		return nil
	})
	return names
}

// TestCrashListRefused is the list of inputs that crashed adjunto with a Go panic or a
// fatal out-of-memory error (and one the fuzzers found): each must now be refused before
// anything is allocated, with exit 2, a message naming the flag or the file line, and nothing
// written.
func TestCrashListRefused(t *testing.T) {
	root := t.TempDir()
	in := filepath.Join(root, "in")
	os.Mkdir(in, 0o755)
	file := func(name, text string) string {
		p := filepath.Join(in, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var bg strings.Builder
	bg.WriteString("index,value\n")
	for i := range 40 {
		fmt.Fprintf(&bg, "%d,8\n", i)
	}
	background := file("bg.csv", bg.String())
	data := file("d.csv", "x,y\n1,2\n2,3\n3,4\n4,5\n5,6\n6,7\n7,8\n8,9\n9,1\n10,2\n")
	wide := file("wide.json", `{"format":"adjunto-nn","version":1,"layers":[{"kind":"dense","in":1,"out":300000000},`+
		`{"kind":"activation","activation":"tanh"},{"kind":"dense","in":300000000,"out":1}],"loss":"mse","params":[`+
		strings.Repeat("0.1,", 900)+`0.1]}`)
	out := filepath.Join(root, "out", "run")
	for _, tc := range []struct {
		name string
		args []string
		want []string // substrings of stderr
	}{
		{"obs step maxint", []string{"fourdvar", "--obs", file("o1.csv", "step,index,value,sigma\n9223372036854775807,0,1,1\n"), "--background", background},
			[]string{"o1.csv:2: column step", "overflow"}},
		{"obs step 1e12", []string{"fourdvar", "--obs", file("o2.csv", "step,index,value,sigma\n1000000000000,0,1,1\n"), "--background", background},
			[]string{"o2.csv:2: column step", "of memory"}},
		{"window maxint", []string{"fourdvar", "--window", "9223372036854775807", "--cycles", "1"}, []string{"--window", "overflow"}},
		{"window 1e12", []string{"fourdvar", "--window", "1000000000000"}, []string{"--window", "of memory"}},
		{"cycles 2^62", []string{"fourdvar", "--cycles", "4611686018427387904"}, []string{"--cycles", "overflow"}},
		{"n 2^62", []string{"fourdvar", "--n", "4611686018427387904"}, []string{"--n 4611686018427387904", "overflow"}},
		{"simulate n 2^62", []string{"simulate", "--model", "lorenz96", "--n", "4611686018427387904"}, []string{"--n 4611686018427387904"}},
		{"train wide arch", []string{"train", "--data", data, "--inputs", "x", "--targets", "y", "--arch", "1-100000000000-1", "--out", filepath.Join(out, "m.json")},
			[]string{"--arch 1-100000000000-1", "of memory"}},
		{"experiment points", []string{"experiment", "run", "activations", "--set", "points=1000000000000"}, []string{"points", "of memory"}},
		{"learn windows", []string{"learn", "--set", "windows=1000000000000"}, []string{"windows", "of memory"}},
		{"predict wide model", []string{"predict", "--model", wide, "--data", data}, []string{"wide.json", "901 parameters, the layers have 900000001"}},
		{"unclosed quote", []string{"train", "--data", file("q.csv", "x,y\n1,2\n\"2,3\n"), "--inputs", "x", "--targets", "y", "--out", filepath.Join(out, "m.json")},
			[]string{"q.csv", "line 3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if !slices.Contains(args, "--out") && args[0] != "predict" {
				args = append(args, "--out", out)
			}
			code, stdout, stderr := runArgs(args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr %q", code, exitUsage, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if strings.Contains(stderr, "panic") || stdout != "" && args[0] == "predict" {
				t.Errorf("stdout %q, stderr %q", stdout, stderr)
			}
			if got := tree(t, root); !slices.Equal(got, []string{"in"}) && !onlyInputs(got) {
				t.Errorf("the refused run wrote %v", got)
			}
		})
	}
}

// onlyInputs reports whether names are the folder in and its files.
func onlyInputs(names []string) bool {
	for _, n := range names {
		if n != "in" && !strings.HasPrefix(n, "in"+string(filepath.Separator)) {
			return false
		}
	}
	return true
}

// hashes returns the SHA-256 of every file under dir, by relative path.
func hashes(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	h := map[string][32]byte{}
	for _, rel := range tree(t, dir) {
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err == nil {
			h[rel] = sha256.Sum256(b)
		}
	}
	return h
}

// TestFailedRunLeavesEarlierOutputByteIdentical guards the staging rule for each command: a
// good run's files survive a later failed run into the same --out byte for byte, and the
// failed run's files are kept beside them, under OUT.failed.
func TestFailedRunLeavesEarlierOutputByteIdentical(t *testing.T) {
	root := t.TempDir()
	data := writeSinCSV(t, root, 60)
	for _, tc := range []struct {
		name       string
		good, bad  []string
		out, kept  string
		wantInKept bool // the failed run wrote something worth keeping
	}{
		{"fourdvar", []string{"fourdvar", "--cycles", "3", "--no-figures", "-q"}, []string{"fourdvar", "--cycles", "3", "--no-figures", "-q", "--method", "adam", "--lr", "1e6"},
			"fv", "fv.failed", true},
		{"simulate", []string{"simulate", "--model", "lorenz96", "--steps", "20"}, []string{"simulate", "--model", "lorenz96", "--integrator", "euler", "--dt", "0.5", "--steps", "1000"},
			"sim", "sim.failed", false},
		{"train", []string{"train", "--data", data, "--inputs", "x", "--targets", "y", "--arch", "1-4-1", "--epochs", "3", "-q"},
			[]string{"train", "--data", data, "--inputs", "x", "--targets", "y", "--arch", "1-4-1", "--epochs", "50", "-q", "--optimizer", "sgd", "--lr", "1e200"},
			"m/model.json", "m/model.failed", false}, // diverges in its first epoch: nothing to keep
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(root, tc.out)
			if code, _, stderr := runArgs(append(tc.good, "--out", out)...); code != exitOK {
				t.Fatalf("good run: exit %d\n%s", code, stderr)
			}
			dir := out
			if strings.HasSuffix(out, ".json") {
				dir = filepath.Dir(out)
			}
			before := hashes(t, dir)
			code, _, stderr := runArgs(append(tc.bad, "--out", out)...)
			if code != exitFail {
				t.Fatalf("bad run: exit %d, want %d\n%s", code, exitFail, stderr)
			}
			after := hashes(t, dir)
			for f, h := range before {
				if strings.HasPrefix(f, filepath.Base(tc.kept)) {
					continue
				}
				if after[f] != h {
					t.Errorf("%s changed", f)
				}
			}
			_, err := os.Stat(filepath.Join(root, tc.kept))
			if tc.wantInKept && err != nil {
				t.Errorf("the failed run's files were not kept: %v", err)
			}
			if !tc.wantInKept && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a failed run that made nothing left %s", tc.kept)
			}
			for _, f := range tree(t, root) {
				if strings.Contains(f, ".staging-") || strings.Contains(f, ".tmp") {
					t.Errorf("left %s", f)
				}
			}
		})
	}
}

// interruptRun starts adjunto (this test binary as main) with args, waits until ready
// reports that the run is under way, sends SIGINT and returns the exit code and stderr.
func interruptRun(t *testing.T, ready func() bool, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "ADJUNTO_TEST_AS_MAIN=1") // see TestMain
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for !ready() {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the run did not get under way; stderr:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), stderr.String()
}

// TestInterruptLeavesNoTemporaryFile sends SIGINT to a subprocess in the middle of a run:
// simulate, halfway through streaming its CSV, must remove the temporary file and keep
// nothing; fourdvar must keep the cycles done as OUT.interrupted. Both exit 1 and say so.
func TestInterruptLeavesNoTemporaryFile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs subprocesses")
	}
	root := t.TempDir()
	hasTemp := func() bool {
		for _, f := range tree(t, root) {
			if strings.Contains(f, ".tmp") {
				return true
			}
		}
		return false
	}
	code, stderr := interruptRun(t, hasTemp, "simulate", "--model", "lorenz96", "--n", "400", "--steps", "100000000", "--out", filepath.Join(root, "sim"))
	if code != exitFail || !strings.Contains(stderr, "interrupted at step") || !strings.Contains(stderr, "nothing kept") {
		t.Errorf("simulate: exit %d, stderr %q", code, stderr)
	}
	if got := tree(t, root); len(got) != 0 {
		t.Errorf("simulate left %v", got)
	}

	out := filepath.Join(root, "fv")
	hasCycles := func() bool {
		for _, f := range tree(t, root) {
			if strings.HasSuffix(f, "cycles.csv") {
				return true
			}
		}
		return false
	}
	code, stderr = interruptRun(t, hasCycles, "fourdvar", "--cycles", "20000", "--no-figures", "-q", "--out", out)
	if code != exitFail || !strings.Contains(stderr, "interrupted after cycle") {
		t.Errorf("fourdvar: exit %d, stderr %q", code, stderr)
	}
	got := tree(t, root)
	if !slices.Contains(got, filepath.Join("fv.interrupted", "metrics.json")) {
		t.Errorf("fourdvar kept %v, want fv.interrupted/metrics.json", got)
	}
	for _, f := range got {
		if strings.Contains(f, ".tmp") || strings.Contains(f, ".staging-") || f == "fv" {
			t.Errorf("fourdvar left %s", f)
		}
	}
}

// TestHelpPrintsUsageOnce guards against the flag package's own usage print: --help writes
// the usage once, to stdout, and nothing to stderr; a bad flag writes it once, to stderr.
func TestHelpPrintsUsageOnce(t *testing.T) {
	for _, name := range []string{"fourdvar", "simulate", "train", "predict", "learn", "report", "verify"} {
		code, stdout, stderr := runArgs(name, "--help")
		if code != exitOK || stderr != "" || strings.Count(stdout, "Usage: adjunto "+name) != 1 {
			t.Errorf("%s --help: exit %d, %d usages on stdout, stderr %q", name, code, strings.Count(stdout, "Usage:"), stderr)
		}
		code, stdout, stderr = runArgs(name, "--no-such-flag")
		if code != exitUsage || stdout != "" || strings.Count(stderr, "Usage: adjunto "+name) != 1 {
			t.Errorf("%s --no-such-flag: exit %d, stdout %q, %d usages on stderr", name, code, stdout, strings.Count(stderr, "Usage:"))
		}
	}
}

// TestTrainProbesOutBeforeTraining: the folder of --out is created before training, and one
// that cannot be created fails at once, before any epoch.
func TestTrainProbesOutBeforeTraining(t *testing.T) {
	root := t.TempDir()
	data := writeSinCSV(t, root, 40)
	args := []string{"train", "--data", data, "--inputs", "x", "--targets", "y", "--arch", "1-3-1", "--epochs", "2"}
	code, stdout, stderr := runArgs(append(args, "--out", filepath.Join(root, "new", "dir", "m.json"))...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(root, "new", "dir", "m.json")); err != nil {
		t.Errorf("model not written in the new folder: %v", err)
	}
	file := filepath.Join(root, "file")
	os.WriteFile(file, nil, 0o644)
	code, stdout, stderr = runArgs(append(args, "--out", filepath.Join(file, "m.json"))...)
	if code != exitFail || strings.Contains(stdout, "epoch") || !strings.Contains(stderr, "--out") {
		t.Errorf("unwritable --out: exit %d, stdout %q, stderr %q; want exit 1 before any epoch", code, stdout, stderr)
	}
}

// TestSecondInterruptKills: the first SIGINT asks for a clean stop, the second kills at once
// (the default handling, restored by the first). fourdvar on 300000 variables spends its
// first seconds building the model's covariance, a phase without interrupt checks, so only
// the second signal can end it quickly.
func TestSecondInterruptKills(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a subprocess")
	}
	cmd := exec.Command(os.Args[0], "fourdvar", "--n", "300000", "--cycles", "2", "-q", "--out", filepath.Join(t.TempDir(), "fv"))
	cmd.Env = append(os.Environ(), "ADJUNTO_TEST_AS_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	seen := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "stopping cleanly") {
				seen <- true
			}
		}
		close(seen)
	}()
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	if !<-seen {
		t.Fatal("the first interrupt was not acknowledged")
	}
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGINT || time.Since(start) > stopGrace/2 {
		t.Errorf("after two interrupts: %v after %v, want killed by SIGINT at once", cmd.ProcessState, time.Since(start))
	}
}

// TestInterruptGracePeriod: a command caught by the signal in a phase without interrupt
// checks exits 1 after the grace period, with its staging folder kept or removed, never
// left behind.
func TestInterruptGracePeriod(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the grace period")
	}
	root := t.TempDir()
	ready := func() bool {
		for _, f := range tree(t, root) {
			if strings.Contains(f, ".staging-") {
				return true
			}
		}
		return false
	}
	start := time.Now()
	// A 200000-variable twin spends seconds in its truth run, which does not check.
	code, stderr := interruptRun(t, ready, "fourdvar", "--n", "200000", "--b", "identity", "--cycles", "2", "--spinup", "100000", "-q", "--out", filepath.Join(root, "fv"))
	if code != exitFail || !strings.Contains(stderr, "still busy") || time.Since(start) > 3*stopGrace {
		t.Errorf("exit %d after %v, stderr %q", code, time.Since(start), stderr)
	}
	for _, f := range tree(t, root) {
		if strings.Contains(f, ".staging-") || strings.Contains(f, ".tmp") {
			t.Errorf("left %s", f)
		}
	}
}

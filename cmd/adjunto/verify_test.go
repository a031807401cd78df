package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/adjunto/adjunto/verify"
)

func runArgs(args ...string) (code int, stdout, stderr string) {
	var out, errw bytes.Buffer
	code = run(args, &out, &errw)
	return code, out.String(), errw.String()
}

func TestVerifyPrimitivesTable(t *testing.T) {
	code, out, stderr := runArgs("verify")
	if code != exitOK {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, stderr)
	}
	for _, c := range verify.PrimitiveCases() {
		if !strings.Contains(out, "\n"+c.Name+" ") {
			t.Errorf("no row for %s in the table", c.Name)
		}
	}
	want := 4 * len(verify.PrimitiveCases())
	if !strings.Contains(out, "checks, 0 failed") || strings.Count(out, "\n") != want+2 {
		t.Errorf("want a header, %d rows and a summary, got:\n%s", want, out)
	}
	if strings.Contains(out, "FAIL") {
		t.Errorf("a primitive failed:\n%s", out)
	}
}

// TestVerifyJSON checks that --json prints JSON lines only, one per check, with the fields
// the issue names, and that the same seed gives the same output.
func TestVerifyJSON(t *testing.T) {
	code, out, stderr := runArgs("verify", "--json", "--seed", "7")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		var raw map[string]any
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			t.Fatalf("line %d is not JSON: %v: %s", n, err, sc.Text())
		}
		for _, k := range []string{"name", "test", "value", "tolerance", "pass"} {
			if _, ok := raw[k]; !ok {
				t.Fatalf("line %d lacks %q: %s", n, k, sc.Text())
			}
		}
		if raw["pass"] != true {
			t.Errorf("line %d failed: %s", n, sc.Text())
		}
	}
	if want := 4 * len(verify.PrimitiveCases()); n != want {
		t.Errorf("%d JSON lines, want %d", n, want)
	}
	if !strings.Contains(stderr, "0 failed") {
		t.Errorf("summary missing from stderr: %q", stderr)
	}
	_, again, _ := runArgs("verify", "--json", "--seed", "7")
	if again != out {
		t.Error("the same seed gave different output")
	}
	_, other, _ := runArgs("verify", "--json", "--seed", "8")
	if other == out {
		t.Error("seeds 7 and 8 gave identical output")
	}
}

func TestVerifyVerbosePrintsConvergence(t *testing.T) {
	code, out, _ := runArgs("verify", "-v")
	if code != exitOK || !strings.Contains(out, "alpha") || !strings.Contains(out, "1e-08") {
		t.Errorf("exit %d, no convergence tables in:\n%.500s", code, out)
	}
}

// TestVerifyFailingModelExits1 registers a model whose check fails and checks the exit code
// and that the failure is named on stderr.
func TestVerifyFailingModelExits1(t *testing.T) {
	verifyModels["broken"] = func(uint64) []verify.Report {
		bad := func(x []float64) float64 { return x[0] * x[0] }
		return []verify.Report{verify.FiniteDifference("broken", bad, []float64{-1}, []float64{1}, 0)}
	}
	verifyModels["empty"] = func(uint64) []verify.Report { return nil }
	t.Cleanup(func() { delete(verifyModels, "broken"); delete(verifyModels, "empty") })

	for _, args := range [][]string{{"verify", "--model", "broken"}, {"verify", "--model", "broken", "--json"}, {"verify", "--model", "all"}} {
		code, _, stderr := runArgs(args...)
		if code != exitFail {
			t.Errorf("%v: exit %d, want 1", args, code)
		}
		if !strings.Contains(stderr, "FAIL broken finite-difference") && !strings.Contains(stderr, "ran no checks") {
			t.Errorf("%v: failure not named on stderr: %q", args, stderr)
		}
	}
	if code, _, stderr := runArgs("verify", "--model", "empty"); code != exitFail || !strings.Contains(stderr, "ran no checks") {
		t.Errorf("a model with no checks: exit %d, stderr %q", code, stderr)
	}
}

func TestVerifyUsage(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		code     int
		inStderr string
		inStdout string
	}{
		{[]string{"verify", "--help"}, exitOK, "", "-model"},
		{[]string{"verify", "-h"}, exitOK, "", "-seed"},
		{[]string{"verify", "--bogus"}, exitUsage, "flag provided but not defined", ""},
		{[]string{"verify", "--seed", "-3"}, exitUsage, "-seed", ""},
		{[]string{"verify", "extra"}, exitUsage, `unexpected argument "extra"`, ""},
		{[]string{"verify", "--model", "lorenz9000"}, exitUsage, `unknown --model "lorenz9000" (known: `, ""},
	} {
		code, out, stderr := runArgs(tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.inStderr) || !strings.Contains(out, tc.inStdout) {
			t.Errorf("%v: exit %d (want %d)\nstdout %q\nstderr %q", tc.args, code, tc.code, out, stderr)
		}
		if tc.code == exitUsage && out != "" {
			t.Errorf("%v: bad usage wrote to stdout: %q", tc.args, out)
		}
	}
	// The unknown-model error lists what is known.
	_, _, stderr := runArgs("verify", "--model", "nope")
	for _, name := range append(modelNames(), allModels) {
		if !strings.Contains(stderr, name) {
			t.Errorf("unknown-model message %q does not name %q", stderr, name)
		}
	}
}

package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/models/qg"
)

func simulate(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(append([]string{"simulate"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestSimulateLorenz63MatchesReference runs the reference case of lorenz.json through the
// command: 1000 RK4 steps from (1, 1, 1); the last CSV row must be the reference state (the
// CSV prints shortest round-trip decimals, so equality is exact).
func TestSimulateLorenz63MatchesReference(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := simulate(t, "--model", "lorenz63", "--steps", "1000", "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := readCSV(t, filepath.Join(dir, "lorenz63.csv"))
	if strings.Join(rows[0], ",") != "step,x0,x1,x2" || len(rows) != 1002 {
		t.Fatalf("header %v and %d rows, want step,x0,x1,x2 and 1002", rows[0], len(rows))
	}
	want := []float64{-4.902819483748822, -3.7434076752715657, 24.691885987964348}
	last := rows[len(rows)-1]
	if last[0] != "1000" {
		t.Errorf("last step %s, want 1000", last[0])
	}
	for i, w := range want {
		if v, err := strconv.ParseFloat(last[i+1], 64); err != nil || v != w {
			t.Errorf("x%d = %s, want %v", i, last[i+1], w)
		}
	}
	for _, ext := range []string{"png", "svg", "json"} {
		b, err := os.ReadFile(filepath.Join(dir, "lorenz63."+ext))
		if err != nil || len(b) < 100 {
			t.Errorf("lorenz63.%s: %d bytes, %v", ext, len(b), err)
		}
		if ext == "png" && !bytes.HasPrefix(b, []byte("\x89PNG")) {
			t.Error("lorenz63.png is not a PNG")
		}
		if !strings.Contains(stdout, "lorenz63."+ext) {
			t.Errorf("stdout does not list lorenz63.%s:\n%s", ext, stdout)
		}
	}
}

func TestSimulateLorenz96Inputs(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "x0.txt")
	if err := os.WriteFile(state, []byte("# a start near rest\n8, 8 8.5\n8 ; 8\n\n8 # six\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		x0   string
	}{
		{"file", []string{"--x0", state}, "8,8,8.5,8,8,8"},
		{"list", []string{"--x0", "1, 2,3,4,5,6", "--integrator", "euler", "--dt", "0.01"}, "1,2,3,4,5,6"},
		{"default", nil, "6,6,6.01,6,6,6"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, tc.name)
			args := append([]string{"--model", "lorenz96", "--n", "6", "--forcing", "6", "--steps", "30", "--out", out}, tc.args...)
			if code, _, stderr := simulate(t, args...); code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			rows := readCSV(t, filepath.Join(out, "lorenz96.csv"))
			if len(rows) != 32 || len(rows[0]) != 7 || rows[0][6] != "x5" {
				t.Fatalf("%d rows of %d columns, header %v", len(rows), len(rows[0]), rows[0])
			}
			if got := strings.Join(rows[1][1:], ","); got != tc.x0 {
				t.Errorf("x0 = %s, want %s", got, tc.x0)
			}
			for _, ext := range []string{"png", "svg"} {
				if fi, err := os.Stat(filepath.Join(out, "lorenz96."+ext)); err != nil || fi.Size() == 0 {
					t.Errorf("Hovmöller %s: %v", ext, err)
				}
			}
		})
	}
}

// TestSimulateBadInput checks that every bad flag is a usage error (exit 2) whose message
// names the flag, and that nothing is written.
func TestSimulateBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("1, 2\n3\n4, x5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, "--model is required"},
		{[]string{"--model", "lorenz84"}, `--model "lorenz84"`},
		{[]string{"--model", "lorenz96", "--n", "3"}, "--n 3"},
		{[]string{"--model", "lorenz96", "--dt", "0"}, "--dt 0"},
		{[]string{"--model", "lorenz63", "--dt", "-0.01"}, "--dt -0.01"},
		{[]string{"--model", "lorenz63", "--dt", "NaN"}, "--dt NaN"},
		{[]string{"--model", "lorenz63", "--dt", "Inf"}, "--dt +Inf"},
		{[]string{"--model", "lorenz63", "--steps", "-1"}, "--steps -1"},
		{[]string{"--model", "lorenz63", "--integrator", "rk5"}, `--integrator "rk5"`},
		{[]string{"--model", "lorenz63", "--sigma", "NaN"}, "--sigma NaN"},
		{[]string{"--model", "lorenz96", "--forcing", "-Inf"}, "--forcing -Inf"},
		{[]string{"--model", "lorenz63", "--n", "10"}, "--n applies to lorenz96 only"},
		{[]string{"--model", "lorenz96", "--rho", "10"}, "--rho applies to lorenz63 only"},
		{[]string{"--model", "lorenz63", "--x0", "1,2"}, "--x0: 2 values for a state of 3 variables"},
		{[]string{"--model", "lorenz63", "--x0", "1,b,3"}, `--x0: value 2, "b"`},
		{[]string{"--model", "lorenz63", "--x0", "nosuchfile"}, `--x0 "nosuchfile": no such file`},
		{[]string{"--model", "lorenz96", "--n", "5", "--x0", bad}, "bad.txt:3: \"x5\""},
		{[]string{"--model", "lorenz63", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"--model", "qg", "--n", "67"}, "--n 67: qg: invalid model: N = 67 has the prime factor 67"},
		{[]string{"--model", "qg", "--n", "4"}, "--n 4: qg: invalid model: N = 4"},
		{[]string{"--model", "qg", "--n", "0"}, "--n 0"},
		{[]string{"--model", "qg", "--n", "1000000"}, "--n 1000000: the run would need about"},
		{[]string{"--model", "qg", "--steps", "100000000"}, "--n 64, --steps 100000000: the run would need about"},
		{[]string{"--model", "qg", "--dt", "40"}, "--dt 40: qg: time step beyond the stability limit"},
		{[]string{"--model", "qg", "--integrator", "euler"}, "--integrator euler: the qg model integrates with rk4 only"},
		{[]string{"--model", "qg", "--spinup", "-1"}, "--spinup -1"},
		{[]string{"--model", "qg", "--forcing", "3"}, "--forcing applies to the lorenz models only"},
		{[]string{"--model", "qg", "--n", "32", "--x0", "1,2"}, "--x0: 2 values for a state of 1024 variables"},
		{[]string{"--model", "lorenz96", "--spinup", "10"}, "--spinup applies to qg only"},
	} {
		code, _, stderr := simulate(t, append(tc.args, "--out", out)...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming %q", tc.args, code, stderr, tc.want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("bad input created %s", out)
	}
}

// TestSimulateBlowUpNamesStep guards the divergence rule: forward Euler on Lorenz-96 with
// dt = 0.5 overflows; the run fails with exit 1, the message names the step, and no
// half-written CSV is left behind, neither in --out nor beside it.
func TestSimulateBlowUpNamesStep(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "out")
	code, _, stderr := simulate(t, "--model", "lorenz96", "--integrator", "euler", "--dt", "0.5", "--steps", "1000", "--out", out)
	if code != exitFail || !strings.Contains(stderr, "non-finite at step") {
		t.Fatalf("exit %d, stderr %q; want exit 1 naming the step", code, stderr)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("a failed run left %d files in %s, e.g. %s", len(entries), root, entries[0].Name())
	}
}

func TestSimulateHelp(t *testing.T) {
	code, stdout, _ := simulate(t, "--help")
	if code != exitOK || !strings.Contains(stdout, "-integrator") {
		t.Errorf("--help: exit %d, stdout %q", code, stdout)
	}
}

// TestSimulateObservationsFeedFourDVar checks that the observations and truth simulate
// writes are what "adjunto fourdvar --obs --truth" reads: a 4DVar analysis of them from a
// perturbed background comes closer to the truth than the background.
func TestSimulateObservationsFeedFourDVar(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := simulate(t, "--model", "lorenz63", "--steps", "100", "--obs-sigma", "0.5", "--obs-every", "10", "--out", dir); code != exitOK {
		t.Fatalf("simulate: %s", stderr)
	}
	obs := readCSV(t, filepath.Join(dir, "lorenz63_obs.csv"))
	if len(obs) != 1+11*3 || strings.Join(obs[0], ",") != "step,index,value,sigma" || obs[len(obs)-1][0] != "100" {
		t.Fatalf("lorenz63_obs.csv: %d rows, header %v, last %v; want 33 observations at steps 0, 10, …, 100", len(obs)-1, obs[0], obs[len(obs)-1])
	}
	xb := filepath.Join(dir, "xb.csv")
	if err := os.WriteFile(xb, []byte("index,value\n0,2\n1,0\n2,1.5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run([]string{"fourdvar", "--model", "lorenz63", "--obs", filepath.Join(dir, "lorenz63_obs.csv"), "--background", xb,
		"--truth", filepath.Join(dir, "lorenz63_truth.csv"), "--json", "--out", filepath.Join(dir, "fd")}, &out, &errb)
	if code != exitOK {
		t.Fatalf("fourdvar: exit %d: %s", code, errb.String())
	}
	var m struct {
		Analysis struct {
			Background float64 `json:"rmse_background"`
			Analysis   float64 `json:"rmse_analysis"`
		} `json:"analysis"`
	}
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("fourdvar --json: %v\n%s", err, out.String())
	}
	if a := m.Analysis; !(a.Analysis < a.Background/2) {
		t.Errorf("analysis RMSE %g, background %g: want the analysis at least twice as close", a.Analysis, a.Background)
	}
}

// TestSimulateQG: the QG trajectory has one column per grid point (row by row) and is the
// truth of the QG twin with the same seed and spin-up (fourdvar.Twin.TruthRun), bit for bit
// (the CSV prints shortest round-trip decimals), for two seeds and spin-ups.
func TestSimulateQG(t *testing.T) {
	m, err := qg.New(32)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		seed   uint64
		spinUp int
	}{{1, 100}, {2, 0}} {
		dir := t.TempDir()
		code, _, stderr := simulate(t, "--model", "qg", "--n", "32", "--spinup", strconv.Itoa(tc.spinUp), "--steps", "3",
			"--seed", strconv.FormatUint(tc.seed, 10), "--out", dir)
		if code != exitOK {
			t.Fatalf("seed %d: exit %d: %s", tc.seed, code, stderr)
		}
		rows := readCSV(t, filepath.Join(dir, "qg.csv"))
		if len(rows) != 5 || len(rows[0]) != 1+32*32 || rows[0][1024] != "x1023" {
			t.Fatalf("seed %d: %d rows of %d columns (last %q); want 4 steps of 1024 variables", tc.seed, len(rows), len(rows[0]), rows[0][len(rows[0])-1])
		}
		tw := &fourdvar.Twin{Model: m, X0: m.InitialState(tc.seed), SpinUp: tc.spinUp, Seed: tc.seed, Window: 3,
			Observe: func(int) *fourdvar.Operator { return fourdvar.Identity(m.Dim()) }, B: fourdvar.ScaledIdentity{N: m.Dim(), Sigma: 1}}
		if tc.spinUp == 0 {
			tw.SpinUp = -1 // none
		}
		truth, _, err := tw.TruthRun(3)
		if err != nil {
			t.Fatal(err)
		}
		for k, x := range truth {
			for i, v := range x {
				if got := rows[k+1][i+1]; got != strconv.FormatFloat(v, 'g', -1, 64) {
					t.Fatalf("seed %d, step %d, x%d = %s, want %v", tc.seed, k, i, got, v)
				}
			}
		}
	}
}

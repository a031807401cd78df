package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/internal/atomicfile"
	"github.com/adjunto/adjunto/models/qg"
	"github.com/adjunto/adjunto/optimize"
)

// TestFourDVarQGBeatsBackground runs two cycles of the QG twin on a small grid (32², a short
// spin-up) and checks that the analyses are closer to the truth than the backgrounds, and
// that the adjoint run under a revolve checkpointing schedule gives the same analyses.
func TestFourDVarQGBeatsBackground(t *testing.T) {
	type summary struct {
		RMSEBackground    float64 `json:"rmse_background"`
		RMSEAnalysisStart float64 `json:"rmse_analysis_start"`
		RMSEAnalysis      float64 `json:"rmse_analysis"`
	}
	var runs []summary
	for _, ck := range []string{"all", "revolve:3"} {
		dir := t.TempDir()
		code, _, stderr := runArgs("fourdvar", "--model", "qg", "--n", "32", "--spinup", "500", "--cycles", "2",
			"--burn-in", "0", "--window", "8", "--checkpoint", ck, "--json", "--no-figures", "--out", dir)
		if code != exitOK {
			t.Fatalf("--checkpoint %s: exit %d; stderr:\n%s", ck, code, stderr)
		}
		b, err := os.ReadFile(filepath.Join(dir, "metrics.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Summary summary `json:"summary"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, m.Summary)
	}
	if s := runs[0]; !(s.RMSEAnalysisStart < s.RMSEBackground) {
		t.Errorf("analysis RMSE %v not below the background's %v", s.RMSEAnalysisStart, s.RMSEBackground)
	}
	if runs[0] != runs[1] {
		t.Errorf("checkpointing changed the results: %+v, %+v", runs[0], runs[1])
	}
}

// TestFourDVarQGRejectsUnstableSettings: a grid the FFT cannot take and a time step beyond
// the CFL limit are usage errors named before anything runs.
func TestFourDVarQGRejectsUnstableSettings(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--n", "67"}, "prime factor 67"},
		{[]string{"--dt", "40"}, "Courant number"},
		{[]string{"--integrator", "euler"}, "rk4 only"},
	} {
		args := append([]string{"fourdvar", "--model", "qg", "--out", t.TempDir()}, tc.args...)
		code, out, stderr := runArgs(args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || out != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit 2 naming %q", tc.args, code, stderr, out, tc.want)
		}
	}
}

// TestObserveFeedsFourDVar runs simulate, observe and fourdvar --obs in a row.
func TestObserveFeedsFourDVar(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runArgs("simulate", "--model", "lorenz96", "--steps", "300", "--out", dir); code != exitOK {
		t.Fatalf("simulate: exit %d: %s", code, stderr)
	}
	obs, bg, truth := filepath.Join(dir, "obs.csv"), filepath.Join(dir, "bg.csv"), filepath.Join(dir, "truth.csv")
	code, _, stderr := runArgs("observe", "--trajectory", filepath.Join(dir, "lorenz96.csv"), "--out", obs, "--density", "0.5",
		"--every", "2", "--from", "200", "--steps", "8", "--background", bg, "--truth", truth)
	if code != exitOK {
		t.Fatalf("observe: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(obs)
	if err != nil {
		t.Fatal(err)
	}
	// 20 of 40 variables at steps 0, 2, 4, 6, 8, plus the header.
	if lines := strings.Count(string(b), "\n"); lines != 1+5*20 {
		t.Errorf("%d lines in the observation file, want 101", lines)
	}
	code, out, stderr := runArgs("fourdvar", "--obs", obs, "--background", bg, "--truth", truth, "--out", filepath.Join(dir, "fv"))
	if code != exitOK || !strings.Contains(out, "RMSE against the truth") {
		t.Fatalf("fourdvar --obs: exit %d\n%s\n%s", code, out, stderr)
	}
	// The same start cycled over three windows of a longer file: the first cycle is the
	// single analysis above, bit for bit.
	long := filepath.Join(dir, "obs24.csv")
	if code, _, stderr := runArgs("observe", "--trajectory", filepath.Join(dir, "lorenz96.csv"), "--out", long, "--density", "0.5",
		"--every", "2", "--from", "200", "--steps", "24"); code != exitOK {
		t.Fatalf("observe: exit %d: %s", code, stderr)
	}
	cyc := filepath.Join(dir, "cycles")
	code, cout, stderr := runArgs("fourdvar", "--obs", long, "--background", bg, "--window", "8", "--cycles", "3", "--out", cyc)
	if code != exitOK {
		t.Fatalf("fourdvar --obs --cycles: exit %d\n%s\n%s", code, cout, stderr)
	}
	rows, err := os.ReadFile(filepath.Join(cyc, "cycles.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(rows)), "\n")
	single, err := os.ReadFile(filepath.Join(dir, "fv", "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var one struct {
		Analysis struct {
			CostFinal float64 `json:"cost_final"`
		} `json:"analysis"`
	}
	if err := json.Unmarshal(single, &one); err != nil {
		t.Fatal(err)
	}
	if len(lines) != 4 || !strings.Contains(lines[1], strconv.FormatFloat(one.Analysis.CostFinal, 'g', -1, 64)) {
		t.Errorf("cycles.csv:\n%s\nwant 3 cycles, the first ending at J = %v", rows, one.Analysis.CostFinal)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--trajectory", obs, "--out", filepath.Join(dir, "x.csv")}, `column 2 is "index", want x0`},
		{[]string{"--trajectory", filepath.Join(dir, "lorenz96.csv"), "--out", filepath.Join(dir, "x.csv"), "--density", "0"}, "--density"},
		{[]string{"--trajectory", filepath.Join(dir, "lorenz96.csv"), "--out", filepath.Join(dir, "x.csv"), "--from", "301"}, "--from 301"},
	} {
		code, _, stderr := runArgs(append([]string{"observe"}, tc.args...)...)
		if code == exitOK || !strings.Contains(stderr, tc.want) {
			t.Errorf("observe %v: exit %d, stderr %q; want an error naming %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestEnsembleQGBeatsBackground runs the LETKF on the QG twin on a small grid (32², a short
// spin-up, 12 observation times) and checks that its analyses are closer to the truth than
// its forecasts, i.e. that the 2-D localisation uses the observations near each point.
func TestEnsembleQGBeatsBackground(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runArgs("ensemble", "--model", "qg", "--n", "32", "--spinup", "500", "--obs-times", "12",
		"--burn-in", "4", "--members", "10", "--radius", "4", "--json", "--no-figures", "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Summary struct {
			RMSEBackground float64 `json:"rmse_background"`
			RMSEAnalysis   float64 `json:"rmse_analysis"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if s := m.Summary; !(s.RMSEAnalysis < s.RMSEBackground) {
		t.Errorf("LETKF analysis RMSE %v not below its forecast's %v", s.RMSEAnalysis, s.RMSEBackground)
	}
}

// qgFiles writes, under dir, a 32² QG run (a short spin-up, 24 steps) and what observe
// makes of its first steps: 10% of the grid's points every 2 steps, a background with
// errors that the twin's B describes (σ_b = 0.2, L = 2 on the grid), and the true
// trajectory. It returns the paths of the observations, the background and the truth.
func qgFiles(t *testing.T, dir string, steps int) (obs, bg, truth string) {
	t.Helper()
	if code, _, stderr := runArgs("simulate", "--model", "qg", "--n", "32", "--spinup", "300", "--steps", "24", "--out", dir); code != exitOK {
		t.Fatalf("simulate --model qg: exit %d: %s", code, stderr)
	}
	obs, bg, truth = observed(dir, steps)
	code, _, stderr := runArgs("observe", "--trajectory", filepath.Join(dir, "qg.csv"), "--out", obs, "--density", "0.1",
		"--every", "2", "--obs-sigma", "0.5", "--background", bg, "--background-sigma", "0.2", "--background-length", "2",
		"--grid", "32", "--truth-trajectory", truth, "--steps", strconv.Itoa(steps))
	if code != exitOK {
		t.Fatalf("observe: exit %d: %s", code, stderr)
	}
	return obs, bg, truth
}

// observed returns the paths under dir of the files observe writes of steps 0 to steps.
func observed(dir string, steps int) (obs, bg, truth string) {
	d := filepath.Join(dir, strconv.Itoa(steps))
	return filepath.Join(d, "obs.csv"), filepath.Join(d, "bg.csv"), filepath.Join(d, "truth.csv")
}

// TestFourDVarFilesCycleScores runs simulate, observe and fourdvar --obs --cycles on
// Lorenz-96 and on the QG model, the truth given as a trajectory. For each: the first cycle
// is the single analysis of its window bit for bit (the same J at the end, and the same
// RMSE of the analysis at step 0), every cycle is scored against the truth (the background
// of a cycle is the analysis at the end of the one before, so their RMSEs are the same
// number), and the first analysis is closer to the truth than its background.
func TestFourDVarFilesCycleScores(t *testing.T) {
	for _, tc := range []struct {
		model string
		flags []string // of fourdvar
		files func(t *testing.T, dir string, steps int) (obs, bg, truth string)
	}{
		{"lorenz96", []string{"--b-sigma", "0.5"}, func(t *testing.T, dir string, steps int) (string, string, string) {
			if code, _, stderr := runArgs("simulate", "--model", "lorenz96", "--steps", "224", "--out", dir); code != exitOK {
				t.Fatalf("simulate: exit %d: %s", code, stderr)
			}
			obs, bg, truth := observed(dir, steps)
			if code, _, stderr := runArgs("observe", "--trajectory", filepath.Join(dir, "lorenz96.csv"), "--out", obs,
				"--density", "0.5", "--every", "2", "--from", "200", "--steps", strconv.Itoa(steps), "--background", bg,
				"--background-sigma", "0.5", "--truth-trajectory", truth); code != exitOK {
				t.Fatalf("observe: exit %d: %s", code, stderr)
			}
			return obs, bg, truth
		}},
		{"qg", nil, qgFiles},
	} {
		t.Run(tc.model, func(t *testing.T) {
			dir := t.TempDir()
			obs, bg, truth := tc.files(t, dir, 8)
			single := filepath.Join(dir, "single")
			code, out, stderr := runArgs(append([]string{"fourdvar", "--model", tc.model, "--obs", obs, "--background", bg, "--truth", truth,
				"--out", single}, tc.flags...)...)
			if code != exitOK || !strings.Contains(out, "RMSE against the truth") {
				t.Fatalf("one analysis: exit %d\n%s\n%s", code, out, stderr)
			}
			b, err := os.ReadFile(filepath.Join(single, "metrics.json"))
			if err != nil {
				t.Fatal(err)
			}
			var one struct {
				Analysis struct {
					CostFinal      float64 `json:"cost_final"`
					RMSEBackground float64 `json:"rmse_background"`
					RMSEAnalysis   float64 `json:"rmse_analysis"`
				} `json:"analysis"`
			}
			if err := json.Unmarshal(b, &one); err != nil {
				t.Fatal(err)
			}
			obs, _, truth = tc.files(t, dir, 24)
			cyc := filepath.Join(dir, "cycles")
			code, out, stderr = runArgs(append([]string{"fourdvar", "--model", tc.model, "--obs", obs, "--background", bg, "--truth", truth,
				"--window", "8", "--cycles", "3", "--burn-in", "1", "--out", cyc}, tc.flags...)...)
			if code != exitOK || !strings.Contains(out, "Mean RMSE over cycles 1-2 (burn-in 1)") {
				t.Fatalf("--cycles 3: exit %d\n%s\n%s", code, out, stderr)
			}
			rows := readCSV(t, filepath.Join(cyc, "cycles.csv"))
			if len(rows) != 4 || strings.Join(rows[0][len(rows[0])-3:], ",") != "rmse_background,rmse_analysis_start,rmse_analysis" {
				t.Fatalf("cycles.csv: %v; want 3 cycles scored against the truth", rows)
			}
			col := func(name string) int { return slices.Index(rows[0], name) }
			g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
			if r := rows[1]; r[col("cost_final")] != g(one.Analysis.CostFinal) || r[col("rmse_analysis_start")] != g(one.Analysis.RMSEAnalysis) ||
				r[col("rmse_background")] != g(one.Analysis.RMSEBackground) {
				t.Errorf("cycle 0 %v differs from the single analysis %+v", r, one.Analysis)
			}
			for c := 1; c < 3; c++ {
				if prev, cur := rows[c][col("rmse_analysis")], rows[c+1][col("rmse_background")]; prev != cur {
					t.Errorf("cycle %d: background RMSE %s, the analysis at the end of cycle %d %s", c, cur, c-1, prev)
				}
			}
			if a := one.Analysis; !(a.RMSEAnalysis < a.RMSEBackground) {
				t.Errorf("first analysis RMSE %v not below the background's %v", a.RMSEAnalysis, a.RMSEBackground)
			}
		})
	}
}

// TestFourDVarQGFilesBadInput: files that do not fit the QG grid, a true trajectory too
// short for the cycles, and bad observe flags are refused before anything runs (exit 2,
// naming the file or the flag, nothing written); an --out that cannot be made fails the run
// (exit 1).
func TestFourDVarQGFilesBadInput(t *testing.T) {
	dir := t.TempDir()
	obs, bg, truth := qgFiles(t, dir, 24)
	odd := filepath.Join(dir, "odd.csv")     // 1000 values: no square grid
	prime := filepath.Join(dir, "prime.csv") // 49 values: a 7×7 grid, too small
	l96 := filepath.Join(dir, "l96.csv")     // a trajectory of 40 variables
	var b strings.Builder
	b.WriteString("index,value\n")
	for i := range 1000 {
		fmt.Fprintf(&b, "%d,0\n", i)
	}
	if err := os.WriteFile(odd, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	b.Reset()
	b.WriteString("index,value\n")
	for i := range 49 {
		fmt.Fprintf(&b, "%d,0\n", i)
	}
	if err := os.WriteFile(prime, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runArgs("simulate", "--model", "lorenz96", "--steps", "30", "--out", dir); code != exitOK {
		t.Fatalf("simulate: %s", stderr)
	}
	if err := os.Rename(filepath.Join(dir, "lorenz96.csv"), l96); err != nil {
		t.Fatal(err)
	}
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"fourdvar", "--model", "qg", "--obs", obs, "--background", odd}, exitUsage, "odd.csv: background has 1000 values: not the n² of a square qg grid"},
		{[]string{"fourdvar", "--model", "qg", "--obs", obs, "--background", prime}, exitUsage, "prime.csv: its 49 values make a 7×7 grid: --n: qg: invalid model: N = 7"},
		{[]string{"fourdvar", "--model", "qg", "--obs", obs, "--background", bg, "--n", "16"}, exitUsage, "background has 1024 values, the model (qg) has 256 variables"},
		{[]string{"fourdvar", "--model", "qg", "--obs", obs, "--background", bg, "--n", "67"}, exitUsage, "--n: qg: invalid model: N = 67 has the prime factor 67"},
		{[]string{"fourdvar", "--model", "qg", "--obs", obs, "--background", bg, "--dt", "40"}, exitUsage, "Courant number"},
		{[]string{"fourdvar", "--model", "qg", "--obs", obs, "--background", bg, "--truth", l96}, exitUsage, "l96.csv: truth has 40 values, the model has 1024 variables"},
		{[]string{"fourdvar", "--model", "qg", "--obs", obs, "--background", bg, "--truth", truth, "--window", "8", "--cycles", "4"}, exitUsage,
			"--truth " + truth + ": a trajectory of steps 0-24; --cycles 4 of --window 8 need steps 0-32"},
		{[]string{"fourdvar", "--model", "qg", "--obs", obs, "--background", bg, "--obs-density", "0"}, exitUsage, "--obs-density 0"},
		{[]string{"observe", "--trajectory", filepath.Join(dir, "qg.csv"), "--out", filepath.Join(out, "o.csv"), "--grid", "31"}, exitUsage,
			"qg.csv: 1024 variables (columns x0-x1023), not the 31² = 961 of --grid 31"},
		{[]string{"observe", "--trajectory", filepath.Join(dir, "qg.csv"), "--out", filepath.Join(out, "o.csv"), "--background-length", "-1"}, exitUsage, "--background-length -1"},
		{[]string{"fourdvar", "--model", "qg", "--obs", obs, "--background", bg, "--window", "8", "--cycles", "2", "--out", filepath.Join(blocker, "x")}, exitFail, "--out"},
	} {
		args := tc.args
		if args[0] == "fourdvar" && !slices.Contains(args, "--out") {
			args = append(slices.Clone(args), "--out", out)
		}
		code, _, stderr := runArgs(args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d naming %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("refused runs created %s", out)
	}
}

// TestFourDVarQGFilesMatchTwin: where the twin and the files can say the same, the twin's
// first cycle and "fourdvar --model qg --obs --background" on its truth, observations and
// background written as files are the same analysis bit for bit. The twin observes every
// 10th grid point (an observing network the file form can express, unlike the default's
// bilinear interpolations) with the command's B and stopping rule; the first background is
// read back from the twin's series.
func TestFourDVarQGFilesMatchTwin(t *testing.T) {
	m, err := qg.New(32)
	if err != nil {
		t.Fatal(err)
	}
	n := m.Dim()
	h := fourdvar.EveryKth(n, 10, 0)
	b, err := fourdvar.NewB("gaussian", m, 0.2, 2)
	if err != nil {
		t.Fatal(err)
	}
	meth, err := optimize.New("lbfgs", 0)
	if err != nil {
		t.Fatal(err)
	}
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	const window = 8
	tw := &fourdvar.Twin{Model: m, Window: window, ObsEvery: 2, Observe: func(int) *fourdvar.Operator { return h }, ObsSigma: 0.5,
		B: b, FirstBackground: qgFirstBackground(m), Minimizer: fourdvar.Minimizer{Method: meth, MaxIterations: 200, GradReduction: 1e-4},
		Cycles: 1, SpinUp: 300, X0: m.InitialState(1), Seed: 1, Record: all}
	res, err := tw.Run()
	if err != nil {
		t.Fatal(err)
	}
	truth, obsAt, err := tw.TruthRun(window)
	if err != nil {
		t.Fatal(err)
	}
	var obs []fourdvar.Obs
	for k := 0; k <= window; k++ {
		if bt, ok := obsAt[k]; ok {
			for j, y := range bt.Y {
				obs = append(obs, fourdvar.Obs{Step: k, Index: 10 * j, Value: y, Sigma: bt.Sigma[j]})
			}
		}
	}
	s := res.Series
	if s.Steps[0] != 0 {
		t.Fatalf("the twin's series starts at step %d, want 0", s.Steps[0])
	}
	xb := make([]float64, n)
	for i := range xb {
		xb[i] = s.Background[i][0]
	}
	dir := t.TempDir()
	files := map[string]func(w io.Writer) error{
		"obs.csv":   func(w io.Writer) error { return fourdvar.WriteObs(w, obs) },
		"xb.csv":    func(w io.Writer) error { return fourdvar.WriteState(w, xb) },
		"truth.csv": func(w io.Writer) error { return fourdvar.WriteState(w, truth[0]) },
	}
	for name, write := range files {
		if err := atomicfile.Write(filepath.Join(dir, name), write); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr := runArgs("fourdvar", "--model", "qg", "--obs", filepath.Join(dir, "obs.csv"), "--background", filepath.Join(dir, "xb.csv"),
		"--truth", filepath.Join(dir, "truth.csv"), "--json", "--out", filepath.Join(dir, "out"))
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var got struct {
		Analysis struct {
			CostFinal      float64 `json:"cost_final"`
			Iterations     int     `json:"iterations"`
			RMSEBackground float64 `json:"rmse_background"`
			RMSEAnalysis   float64 `json:"rmse_analysis"`
		} `json:"analysis"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	c := res.Cycles[0]
	if a := got.Analysis; a.CostFinal != c.CostFinal || a.Iterations != c.Iterations || a.RMSEBackground != c.RMSEBackground ||
		a.RMSEAnalysis != c.RMSEAnalysisStart {
		t.Errorf("files: J %v after %d iterations, RMSE %v -> %v; twin's first cycle: J %v after %d, RMSE %v -> %v",
			a.CostFinal, a.Iterations, a.RMSEBackground, a.RMSEAnalysis, c.CostFinal, c.Iterations, c.RMSEBackground, c.RMSEAnalysisStart)
	}
}

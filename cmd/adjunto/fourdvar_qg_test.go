package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
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
		{[]string{"--obs", "obs.csv", "--background", "xb.csv"}, "Lorenz models only"},
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

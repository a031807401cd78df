package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEnsembleFloor: --floor prints the Cramér–Rao floor beside the score and writes it into
// metrics.json after the summary, which keeps its fields; the floor is below the score of an
// ETKF with 20 members (about 1.2× it).
func TestEnsembleFloor(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := runArgs("ensemble", "--setup", "sakov2008", "--method", "etkf", "--members", "20", "--inflation", "1.02",
		"--obs-times", "200", "--floor", "--out", dir, "--no-figures")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(out, "Cramér–Rao floor") || !strings.Contains(out, "the score is") {
		t.Errorf("output:\n%s", out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Summary map[string]any
		Floor   struct {
			ExpectedRMSE float64   `json:"expected_rmse"`
			Spread       float64   `json:"spread"`
			Scored       int       `json:"times_scored"`
			ByTime       []float64 `json:"expected_rmse_by_time"`
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	score, _ := doc.Summary["rmse_analysis"].(float64)
	f := doc.Floor
	if !(f.ExpectedRMSE > 0 && f.ExpectedRMSE < f.Spread && f.ExpectedRMSE < score) || f.Scored != 180 || len(f.ByTime) != 200 {
		t.Errorf("floor %v, √(tr P/n) %v, %d scored, %d by time; score %v: want 0 < floor < √(tr P/n), floor < score, 180 scored of 200",
			f.ExpectedRMSE, f.Spread, f.Scored, len(f.ByTime), score)
	}
	for _, k := range []string{"cycles", "burn_in", "rmse_background", "rmse_analysis", "rmse_forecast", "wall_time_s"} {
		if _, ok := doc.Summary[k]; !ok {
			t.Errorf("summary lost %q", k)
		}
	}
}

// TestEnsembleFloorOnly: --floor-only runs no method and writes nothing; with --json it
// prints the floor as JSON; partial and nonlinear observations are accepted.
func TestEnsembleFloorOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	for _, extra := range [][]string{nil, {"--obs-density", "0.5"}, {"--obs-op", "squared"}} {
		args := append([]string{"ensemble", "--setup", "sakov2008", "--obs-times", "100", "--floor-only", "--json", "--out", dir}, extra...)
		code, out, stderr := runArgs(args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d; stderr:\n%s", extra, code, stderr)
		}
		var doc struct {
			Floor struct {
				ExpectedRMSE float64 `json:"expected_rmse"`
			}
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil || !(doc.Floor.ExpectedRMSE > 0) {
			t.Errorf("%v: %v; output:\n%s", extra, err, out)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("--floor-only wrote %s (%v)", dir, err)
	}
}

// TestEnsembleFloorTooLarge: the QG model's 4096 variables are too many for a dense
// covariance: a usage error naming --floor and the size.
func TestEnsembleFloorTooLarge(t *testing.T) {
	code, _, stderr := runArgs("ensemble", "--model", "qg", "--floor-only", "--out", t.TempDir())
	if code != exitUsage || !strings.Contains(stderr, "--floor") || !strings.Contains(stderr, "4096") {
		t.Errorf("exit %d, stderr %q; want %d naming --floor and 4096", code, stderr, exitUsage)
	}
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEnsembleCommand runs every ensemble method on a short sakov2012 experiment and
// checks the outputs: the table, metrics.json (complete, an analysis RMSE well below the
// observation error) and cycles.csv.
func TestEnsembleCommand(t *testing.T) {
	for _, c := range []struct {
		method string
		extra  []string
	}{{"enkf", nil}, {"etkf", nil}, {"ienks", nil}, {"hybrid", nil},
		{"ienks", []string{"--lag", "3", "--mda", "--balance", "--quasi-static", "--quasi-static-growth", "2", "--rotate"}}} {
		method := c.method
		dir := t.TempDir()
		code, out, stderr := runArgs(append([]string{"ensemble", "--setup", "sakov2012", "--method", method, "--obs-times", "120",
			"--inflation", "1.05", "--out", dir, "--no-figures"}, c.extra...)...)
		if code != exitOK {
			t.Fatalf("%s: exit %d; stderr:\n%s", method, code, stderr)
		}
		if !strings.Contains(out, "setup sakov2012: "+method) || !strings.Contains(out, "RMSE analysis") {
			t.Errorf("%s: output:\n%s", method, out)
		}
		b, err := os.ReadFile(filepath.Join(dir, "metrics.json"))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Status  string
			Summary struct {
				RMSEAnalysis float64 `json:"rmse_analysis"`
			}
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		// σ_o = √2 ≈ 1.41: every method must do much better than the observations.
		if doc.Status != "complete" || !(doc.Summary.RMSEAnalysis < 1) {
			t.Errorf("%s: status %q, RMSE %v", method, doc.Status, doc.Summary.RMSEAnalysis)
		}
		if st, err := os.Stat(filepath.Join(dir, "cycles.csv")); err != nil || st.Size() == 0 {
			t.Errorf("%s: cycles.csv: %v", method, err)
		}
	}
}

// TestEnsembleBadFlags: settings out of their domain exit with the usage code and name the
// flag.
func TestEnsembleBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--method", "kalman"}, "--method"},
		{[]string{"--members", "1"}, "--members"},
		{[]string{"--method", "ienks", "--lag", "2", "--shift", "3"}, "--shift"},
		{[]string{"--method", "letkf", "--radius", "0"}, "--radius"},
		{[]string{"--setup", "nowhere"}, "--setup"},
	} {
		code, _, stderr := runArgs(append([]string{"ensemble", "--out", t.TempDir()}, tc.args...)...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d naming %s", tc.args, code, stderr, exitUsage, tc.want)
		}
	}
}

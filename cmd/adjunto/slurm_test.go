package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSlurmLocal runs scripts/slurm-local.sh, which starts a real single-node Slurm (munged,
// slurmctld, slurmd), submits a 12-run sweep as a job array, waits for it, checks its table
// against the local pool's and stops the daemons. It needs root and Debian's slurm-wlm and
// munge, so it runs only when ADJUNTO_SLURM_TEST=1.
func TestSlurmLocal(t *testing.T) {
	if os.Getenv("ADJUNTO_SLURM_TEST") != "1" {
		t.Skip("set ADJUNTO_SLURM_TEST=1 to start a local Slurm cluster (needs root, slurm-wlm and munge)")
	}
	script, err := filepath.Abs(filepath.Join("..", "..", "scripts", "slurm-local.sh"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", script)
	// The script's adjunto is a real build: it must not act as the test binary's main.
	cmd.Env = append(os.Environ(), "ADJUNTO_TEST_AS_MAIN=")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("slurm-local.sh: %v", err)
	}
	if !strings.Contains(string(out), "ok: 12 runs through Slurm job") {
		t.Error("the script did not report success")
	}
}

package main

import (
	"strings"
	"testing"
)

// TestFourDVarNewton guards the regression of "--method newton" failing at run time with
// "Newton needs Problem.HessVec": strong-constraint 4DVar runs it on Gauss-Newton
// products and converges, and the weak-constraint variant, which has none, is a usage
// error naming the flag before anything runs.
func TestFourDVarNewton(t *testing.T) {
	code, out, stderr := runArgs("fourdvar", "--method", "newton", "--cycles", "5", "--burn-in", "1", "--no-figures", "--out", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(out, "4/4 converged") {
		t.Errorf("Newton did not converge in every analysis:\n%s", out)
	}
	code, _, stderr = runArgs("fourdvar", "--method", "newton", "--variant", "weak", "--cycles", "1", "--out", t.TempDir())
	if code != exitUsage || !strings.Contains(stderr, "--method newton") {
		t.Errorf("weak + newton: exit %d, stderr %q; want a usage error naming --method", code, stderr)
	}
}

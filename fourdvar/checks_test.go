package fourdvar

import (
	"testing"

	"github.com/adjunto/adjunto/verify"
)

// TestChecksPass runs the suite of "adjunto verify --model fourdvar" on the package's own
// Lorenz-96 test model (N = 40, F = 8, dt = 0.05): 20 checks of whole windows, all passing.
func TestChecksPass(t *testing.T) {
	reps := Checks(newTestL96(40, 8, 0.05), 1)
	if len(reps) != 20 {
		t.Errorf("%d checks, want 20 (5 maps × 4 tests)", len(reps))
	}
	for _, r := range verify.Failed(reps) {
		t.Errorf("failed: %+v", r)
	}
}

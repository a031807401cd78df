package surrogate_test

import (
	"testing"

	"github.com/adjunto/adjunto/models/surrogate"
	"github.com/adjunto/adjunto/verify"
)

func TestChecksPass(t *testing.T) {
	reports := surrogate.Checks(1)
	for _, r := range reports {
		t.Log(r)
	}
	if len(reports) != 2*(2*4+1)+1 {
		t.Errorf("%d reports, want 19", len(reports))
	}
	for _, r := range verify.Failed(reports) {
		t.Errorf("failed: %v", r)
	}
}

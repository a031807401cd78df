package fourdvar

import (
	"errors"
	"math"
	"testing"

	"github.com/adjunto/adjunto/internal/limits"
)

// TestAnalyseRefusesBadWindows guards the rule that user data reaching Assimilator.Analyse is
// answered with an error, not a panic in NewStrong: every case is a window a file or a flag
// could produce.
func TestAnalyseRefusesBadWindows(t *testing.T) {
	m := newTestL96(12, 8, 0.05)
	for _, tc := range []struct {
		name  string
		edit  func(w *Window)
		match error
	}{
		{"short background", func(w *Window) { w.Xb = w.Xb[:3] }, ErrInput},
		{"negative steps", func(w *Window) { w.Steps = -1 }, ErrInput},
		{"no covariance", func(w *Window) { w.B = nil }, ErrInput},
		{"observation beyond the window", func(w *Window) { w.Obs[0].Step = w.Steps + 1 }, ErrInput},
		{"zero sigma", func(w *Window) { w.Obs[0].Sigma[0] = 0 }, ErrInput},
		{"infinite value", func(w *Window) { w.Obs[0].Y[0] = math.Inf(1) }, ErrInput},
		{"window of 2^62 steps", func(w *Window) { w.Steps = 1 << 62 }, limits.ErrTooLarge},
		{"window of maxint steps", func(w *Window) { w.Steps = math.MaxInt }, limits.ErrTooLarge},
	} {
		w := testWindow(m, 1, false)
		tc.edit(w)
		an, err := (&Assimilator{}).Analyse(w)
		if !errors.Is(err, tc.match) || an != nil {
			t.Errorf("%s: analysis %v, error %v; want no analysis and an error matching %v", tc.name, an, err, tc.match)
		}
	}
	if err := testWindow(m, 1, false).Validate(); err != nil {
		t.Errorf("a good window refused: %v", err)
	}
}

// TestTwinValidateRefusesHugeRuns guards the overflow of (cycles−1)·shift + window + shift.
func TestTwinValidateRefusesHugeRuns(t *testing.T) {
	for _, tw := range []*Twin{
		{Model: newTestL96(40, 8, 0.05), Window: math.MaxInt, Cycles: 1},
		{Model: newTestL96(40, 8, 0.05), Cycles: 1 << 62},
		{Model: newTestL96(40, 8, 0.05), Window: 1_000_000_000_000},
	} {
		if err := tw.Validate(); !errors.Is(err, limits.ErrTooLarge) {
			t.Errorf("window %d, cycles %d: %v, want ErrTooLarge", tw.Window, tw.Cycles, err)
		}
		if res, err := tw.Run(); res != nil || err == nil {
			t.Errorf("Run of a refused twin: %v, %v", res, err)
		}
	}
}

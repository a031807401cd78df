package lorenz

import (
	"strings"
	"testing"

	"github.com/adjunto/adjunto/verify"
)

// TestChecksPass runs the suite that "adjunto verify --model lorenz63|lorenz96" prints and
// requires every check to pass, with the named parts present.
func TestChecksPass(t *testing.T) {
	for name, checks := range map[string]func(uint64) []verify.Report{"lorenz63": ChecksL63, "lorenz96": ChecksL96} {
		reps := checks(1)
		if len(reps) != 18 {
			t.Errorf("%s: %d checks, want 18", name, len(reps))
		}
		for _, r := range verify.Failed(reps) {
			t.Errorf("%s: failed: %+v", name, r)
		}
		var all strings.Builder
		for _, r := range reps {
			all.WriteString(r.Name + "\n")
		}
		for _, want := range []string{name + "/fused/1-step", name + "/composed/1-step", name + "/fused=composed/", name + "/fused/1000-step"} {
			if !strings.Contains(all.String(), want) {
				t.Errorf("%s: no check named %q", name, want)
			}
		}
	}
}

// badAdjoint is Lorenz-63 with a wrong adjoint: the parameter adjoint is dropped.
type badAdjoint struct{ *L63 }

func (m badAdjoint) StepAdjoint(ax, ap, x, ay []float64) { m.L63.StepAdjoint(ax, nil, x, ay) }

// TestChecksCatchWrongAdjoint guards the suite against checks that cannot fail: an
// adjoint that forgets the parameters fails the dot-product test and the gradient checks.
func TestChecksCatchWrongAdjoint(t *testing.T) {
	m := badAdjoint{NewL63()}
	fn, in := WindowFunc(m, attractorPoint(m, 1), 10)
	reps := verify.All("bad", fn, in, verify.Settings{Seed: 1})
	for _, r := range reps {
		if r.Test != verify.CheckTaylor && r.Pass {
			t.Errorf("wrong adjoint passed: %v", r)
		}
	}
}

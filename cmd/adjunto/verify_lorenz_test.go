package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/adjunto/adjunto/models/lorenz"
	"github.com/adjunto/adjunto/verify"
)

func TestVerifyLorenzModels(t *testing.T) {
	for _, model := range []string{"lorenz63", "lorenz96"} {
		var out, errb bytes.Buffer
		if code := run([]string{"verify", "--model", model}, &out, &errb); code != exitOK {
			t.Fatalf("verify --model %s: exit %d\n%s%s", model, code, out.String(), errb.String())
		}
		for _, want := range []string{model + "/fused/1-step", model + "/composed/1-step", model + "/fused=composed/", model + "/fused/1000-step", "18 checks, 0 failed"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("verify --model %s: output lacks %q:\n%s", model, want, out.String())
			}
		}
	}
}

// badAdjoint is Lorenz-63 with a wrong adjoint: the parameter adjoint is dropped.
type badAdjoint struct{ *lorenz.L63 }

func (m badAdjoint) StepAdjoint(ax, ap, x, ay []float64) { m.L63.StepAdjoint(ax, nil, x, ay) }

// TestVerifyLorenzCatchesWrongAdjoint guards the suite against checks that cannot fail: an
// adjoint that forgets the parameters fails the dot-product test and the gradient checks.
func TestVerifyLorenzCatchesWrongAdjoint(t *testing.T) {
	m := badAdjoint{lorenz.NewL63()}
	fn, in := windowFunc(m, attractorPoint(m, 1), 10)
	reps := verify.All("bad", fn, in, verify.Settings{Seed: 1})
	for _, r := range reps {
		if r.Test != verify.CheckTaylor && r.Pass {
			t.Errorf("wrong adjoint passed: %v", r)
		}
	}
}

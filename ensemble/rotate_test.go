package ensemble

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/adjunto/adjunto/fourdvar"
)

// TestRotationMeanPreservingOrthogonal checks that the random rotations are orthogonal
// (UᵀU = I), keep the ensemble mean (U 1 = 1), mix the members (U is not the identity) and
// differ from draw to draw; round-off of a QR factorisation of an N×N matrix, 1e-12.
func TestRotationMeanPreservingOrthogonal(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var ro rotation
	for _, n := range []int{2, 5, 40} {
		var u, prev mat.Dense
		for draw := range 2 {
			ro.draw(&u, n, rng)
			var utu mat.Dense
			utu.Mul(u.T(), &u)
			if !mat.EqualApprox(&utu, identity(n), 1e-12) {
				t.Errorf("N = %d: UᵀU ≠ I", n)
			}
			for i := range n {
				var s float64
				for j := range n {
					s += u.At(i, j)
				}
				if math.Abs(s-1) > 1e-12 {
					t.Errorf("N = %d: (U 1)[%d] = %.15g, want 1", n, i, s)
				}
			}
			if n > 2 && mat.EqualApprox(&u, identity(n), 1e-3) {
				t.Errorf("N = %d: U is the identity", n)
			}
			if draw == 1 && mat.EqualApprox(&u, &prev, 1e-3) {
				t.Errorf("N = %d: two draws gave the same rotation", n)
			}
			prev.CloneFrom(&u)
		}
	}
}

// TestIEnKSRotateKeepsMeanAndCovariance checks on the linear case that rotating the
// analysis transform changes the members but not the analysis mean or covariance
// (round-off, 1e-10).
func TestIEnKSRotateKeepsMeanAndCovariance(t *testing.T) {
	const n, members, sigma = 5, 8, 0.6
	lm := newLinearModel(n)
	p := NewPropagator(func() Model { return lm }, 1)
	e, b, _ := linearCase(29, members, n, []int{0, 3}, sigma)
	b.Step = 2
	obs := []fourdvar.Batch{b}
	a := (&IEnKS{}).Analyse(p, e, 3, obs, 1)
	r := (&IEnKS{Rotate: true, Rand: rand.New(rand.NewPCG(1, 2))}).Analyse(p, e, 3, obs, 1)
	if mat.EqualApprox(a.Start, r.Start, 1e-6) {
		t.Error("the rotated analysis ensemble has the same members")
	}
	for name, pair := range map[string][2]*mat.Dense{"start": {a.Start, r.Start}, "keep": {a.Keep, r.Keep}, "end": {a.End, r.End}} {
		if !floats.EqualApprox(meanOf(pair[0]), meanOf(pair[1]), 1e-10) {
			t.Errorf("%s: rotated mean %v, plain %v", name, meanOf(pair[1]), meanOf(pair[0]))
		}
		if !mat.EqualApprox(sampleCov(pair[0]), sampleCov(pair[1]), 1e-10) {
			t.Errorf("%s: the rotated covariance differs", name)
		}
	}
}

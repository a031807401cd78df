package ensemble

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/adjunto/adjunto/fourdvar"
)

// kalman returns the Kalman analysis mean and covariance of the prior (xb, P) given y = Hx + ε,
// ε ~ N(0, σ² I), H linear (given as a matrix).
func kalman(xb []float64, p *mat.SymDense, h *mat.Dense, y []float64, sigma float64) ([]float64, *mat.SymDense) {
	m, n := h.Dims()
	var hp mat.Dense
	hp.Mul(h, p)
	var s mat.Dense
	s.Mul(&hp, h.T())
	for i := range m {
		s.Set(i, i, s.At(i, i)+sigma*sigma)
	}
	var sinv mat.Dense
	if err := sinv.Inverse(&s); err != nil {
		panic(err)
	}
	var k mat.Dense // K = P Hᵀ S⁻¹
	k.Mul(hp.T(), &sinv)
	innov := mat.NewVecDense(m, nil)
	innov.MulVec(h, mat.NewVecDense(n, xb))
	innov.SubVec(mat.NewVecDense(m, y), innov)
	xa := mat.NewVecDense(n, nil)
	xa.MulVec(&k, innov)
	xa.AddVec(xa, mat.NewVecDense(n, xb))
	var khp mat.Dense
	khp.Mul(&k, &hp)
	pa := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			pa.SetSym(i, j, p.At(i, j)-0.5*(khp.At(i, j)+khp.At(j, i)))
		}
	}
	return xa.RawVector().Data, pa
}

// sampleCov returns the ensemble covariance (over N−1) of e.
func sampleCov(e *mat.Dense) *mat.SymDense {
	r, n := e.Dims()
	mean := make([]float64, n)
	var a mat.Dense
	Anomalies(&a, mean, e)
	c := mat.NewSymDense(n, nil)
	c.SymOuterK(1/float64(r-1), a.T())
	return c
}

// linearCase is a prior ensemble and observations of the subset obs of n variables.
func linearCase(seed uint64, members, n int, obs []int, sigma float64) (*mat.Dense, fourdvar.Batch, *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 1))
	e := mat.NewDense(members, n, nil)
	for i := range members {
		for j := range n {
			// Correlated prior: a smooth field plus noise.
			e.Set(i, j, 1+0.1*float64(j)+rng.NormFloat64()+0.5*math.Sin(float64(i+j)))
		}
	}
	h := mat.NewDense(len(obs), n, nil)
	y := make([]float64, len(obs))
	sig := make([]float64, len(obs))
	for k, j := range obs {
		h.Set(k, j, 1)
		y[k] = 2 + rng.NormFloat64()
		sig[k] = sigma
	}
	return e, fourdvar.Batch{H: fourdvar.Subset(n, obs), Y: y, Sigma: sig}, h
}

// TestDeterministicFiltersMatchKalman: the ETKF's and the EnKF's analysis means are the Kalman
// analysis of the ensemble's mean and covariance exactly (up to round-off: the EnKF's
// perturbations are centred), and the ETKF's analysis covariance is the Kalman one.
func TestFiltersMatchKalmanMean(t *testing.T) {
	const n, members, sigma = 6, 5, 0.7
	obs := []int{0, 2, 3, 5}
	for _, tc := range []struct {
		name string
		f    Filter
		cov  bool
	}{
		{"etkf", &ETKF{}, true},
		{"enkf", &EnKF{Rand: rand.New(rand.NewPCG(3, 3))}, false},
		{"letkf-wide", &LETKF{Radius: 1e9}, true}, // a taper of 1 − O(1e-17) over the ring: the global ETKF
	} {
		e, b, h := linearCase(7, members, n, obs, sigma)
		xb := make([]float64, n)
		Mean(xb, e)
		xa, pa := kalman(xb, sampleCov(e), h, b.Y, sigma)
		tc.f.Analyse(e, []fourdvar.Batch{b})
		got := make([]float64, n)
		Mean(got, e)
		for i := range n {
			if math.Abs(got[i]-xa[i]) > 1e-12*(1+math.Abs(xa[i])) {
				t.Errorf("%s: analysis mean[%d] = %.15g, Kalman %.15g", tc.name, i, got[i], xa[i])
			}
		}
		if !tc.cov {
			continue
		}
		gc := sampleCov(e)
		for i := range n {
			for j := range n {
				if math.Abs(gc.At(i, j)-pa.At(i, j)) > 1e-12 {
					t.Errorf("%s: analysis covariance (%d,%d) = %.15g, Kalman %.15g", tc.name, i, j, gc.At(i, j), pa.At(i, j))
				}
			}
		}
	}
}

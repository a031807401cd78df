package ensemble

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// rotation draws random mean-preserving orthogonal N×N matrices U (U 1 = 1, Uᵀ U = I):
// U = V diag(1, Q) Vᵀ with V an orthonormal basis whose first vector is 1/√N and Q a
// Haar-distributed (N−1)×(N−1) orthogonal matrix (the QR factor of a Gaussian matrix, its
// columns' signs fixed by R's diagonal; Mezzadri, 2007). Left-multiplying an analysis
// transform T by U mixes the members without changing the ensemble's mean or covariance;
// it undoes the slow build-up of non-Gaussian ensembles (one outlier member, the others
// clustered) that deterministic square-root analyses produce in nonlinear cycling (Lawson
// and Hansen, 2004; Sakov and Oke, 2008).
type rotation struct {
	v   *mat.Dense // the basis V, N×N
	tmp mat.Dense
}

// draw sets u to a new random rotation of size n.
func (ro *rotation) draw(u *mat.Dense, n int, rng *rand.Rand) {
	if ro.v == nil || ro.v.RawMatrix().Rows != n {
		// V from the QR factorisation of [1 | e_2 … e_N]: its first column is ±1/√N.
		m := identity(n)
		for i := range n {
			m.Set(i, 0, 1)
		}
		var qr mat.QR
		qr.Factorize(m)
		ro.v = &mat.Dense{}
		qr.QTo(ro.v)
		if ro.v.At(0, 0) < 0 {
			ro.v.Scale(-1, ro.v)
		}
	}
	g := mat.NewDense(n-1, n-1, nil)
	for i := range n - 1 {
		for j := range n - 1 {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q, r mat.Dense
	qr.QTo(&q)
	qr.RTo(&r)
	d := identity(n)
	for j := range n - 1 {
		s := math.Copysign(1, r.At(j, j))
		for i := range n - 1 {
			d.Set(i+1, j+1, s*q.At(i, j))
		}
	}
	ro.tmp.Reset()
	ro.tmp.Mul(ro.v, d)
	u.Reset()
	u.Mul(&ro.tmp, ro.v.T())
}

package adjoint_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/adjunto/adjunto/adjoint"
)

// TestGaussNewtonLinear: for y = A x the Gauss-Newton product is Aᵀ W A v exactly (up to
// round-off), whatever x is.
func TestGaussNewtonLinear(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	const m, n = 5, 3
	a := make([]float64, m*n)
	for i := range a {
		a[i] = rnd.NormFloat64()
	}
	w := []float64{1, 2, 3, 4, 5}
	v := []float64{0.5, -1, 2}

	tp := adjoint.NewTape()
	x := tp.Vector([]float64{1, 2, 3})
	y := adjoint.MatVec(tp.Constant(a, m, n), x)
	got := make([]float64, n)
	tp.GaussNewton(got, x, y, v, func(dst, src []float64) {
		for i := range dst {
			dst[i] = w[i] * src[i]
		}
	})

	A := mat.NewDense(m, n, a)
	var av, want mat.VecDense
	av.MulVec(A, mat.NewVecDense(n, v))
	for i := range m {
		av.SetVec(i, w[i]*av.AtVec(i))
	}
	want.MulVec(A.T(), &av)
	// Tolerance: a handful of round-offs in sums of 5 terms of order 10.
	assert.True(t, floats.EqualApprox(got, want.RawVector().Data, 1e-13), "got %v want %v", got, want.RawVector().Data)
}

// TestHessVecCubic: J = 1/2 xᵀ A x + Σ c_i x_i³ has Hessian A + 6 diag(c ⊙ x);
// central differences of exact gradients are exact for a quadratic and O(h²) for the cubic.
func TestHessVecCubic(t *testing.T) {
	xd := []float64{0.3, -0.2}
	a := []float64{4, 1, 1, 3}
	c := []float64{0.5, -0.25}
	tp := adjoint.NewTape()
	x := tp.Vector(xd)
	quad := adjoint.Scale(0.5, adjoint.Dot(x, adjoint.MatVec(tp.Constant(a, 2, 2), x)))
	cubic := adjoint.Dot(tp.Constant(c, 1, 2), adjoint.Pow(x, 3))
	J := adjoint.Add(quad, cubic)
	before := J.Scalar()

	v := []float64{1, -2}
	got := make([]float64, 2)
	tp.HessVec(got, x, J, v, 0)
	want := []float64{
		(a[0]+6*c[0]*xd[0])*v[0] + a[1]*v[1],
		a[2]*v[0] + (a[3]+6*c[1]*xd[1])*v[1],
	}
	// Tolerance 1e-8: the O(h²) truncation of the cubic term at h = 5e-6 is ~1e-10 and the
	// round-off of a difference of gradients divided by 2h is ~1e-16/1e-5 = 1e-11.
	assert.True(t, floats.EqualApprox(got, want, 1e-8), "got %v want %v", got, want)
	assert.Equal(t, []float64{0.3, -0.2}, x.Data, "x restored")
	assert.Equal(t, before, J.Scalar(), "tape replayed at x")
}

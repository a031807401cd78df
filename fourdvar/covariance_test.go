package fourdvar

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// denseOf returns the matrix of a linear map given as f(dst, v).
func denseOf(n int, f func(dst, v []float64)) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	e := make([]float64, n)
	col := make([]float64, n)
	for j := range n {
		e[j] = 1
		f(col, e)
		e[j] = 0
		m.SetCol(j, col)
	}
	return m
}

func TestCovariances(t *testing.T) {
	n := 16
	rng := rand.New(rand.NewPCG(1, 2))
	diag := make([]float64, n)
	for i := range diag {
		diag[i] = 0.5 + rng.Float64()
	}
	clim := Climatology(newTestL96(n, 8, 0.05), spunUpL96(newTestL96(n, 8, 0.05), 3), 100, 300, 5)
	dense, err := NewDense(clim, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		c    Covariance
		want func(i, j int) float64
	}{
		{"identity", ScaledIdentity{N: n, Sigma: 0.7}, func(i, j int) float64 {
			if i == j {
				return 0.49
			}
			return 0
		}},
		{"identity-zero-sigma-means-1", ScaledIdentity{N: n}, func(i, j int) float64 {
			if i == j {
				return 1
			}
			return 0
		}},
		{"diagonal", Diagonal{Sigma: diag}, func(i, j int) float64 {
			if i == j {
				return diag[i] * diag[i]
			}
			return 0
		}},
		{"gaussian", NewGaussianCircle(n, 0.5, 2), func(i, j int) float64 {
			// The periodised Gaussian: the images at ±n, ±2n matter at the 1e-9 level.
			g := func(d int) float64 {
				var s float64
				for m := -3; m <= 3; m++ {
					x := float64(d + m*n)
					s += math.Exp(-x * x / 8)
				}
				return s
			}
			return 0.25 * g(i-j) / g(0)
		}},
		{"dense", dense, func(i, j int) float64 { return 0.1 * clim.At(i, j) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := denseOf(n, tc.c.SqrtMul)
			si := denseOf(n, tc.c.SqrtSolve)
			var c, id mat.Dense
			c.Mul(s, s)
			id.Mul(s, si)
			scale := 0.0
			for i := range n {
				scale = math.Max(scale, tc.want(i, i))
			}
			for i := range n {
				for j := range n {
					// S S reproduces C to round-off relative to its largest entry; the
					// eigenvalue floor (1e-12 of the largest) changes nothing visible.
					if got, want := c.At(i, j), tc.want(i, j); math.Abs(got-want) > 1e-10*scale {
						t.Fatalf("C[%d,%d] = %v, want %v", i, j, got, want)
					}
					// S is symmetric, as the gradient's Sᵀ = S relies on.
					if math.Abs(s.At(i, j)-s.At(j, i)) > 1e-14*math.Sqrt(scale) {
						t.Fatalf("S not symmetric at (%d, %d): %v vs %v", i, j, s.At(i, j), s.At(j, i))
					}
				}
			}
			// S^{-1} S = I where C is well conditioned; the Gaussian's condition number
			// (~1e5 here) loses digits in proportion.
			for i := range n {
				for j := range n {
					want := 0.0
					if i == j {
						want = 1
					}
					if math.Abs(id.At(i, j)-want) > 1e-7 {
						t.Fatalf("S S⁻¹ [%d,%d] = %v, want %v", i, j, id.At(i, j), want)
					}
				}
			}
		})
	}
}

// circulantEigen returns the eigenvalues of the symmetric circulant matrix with first row r.
func circulantEigen(r []float64) []float64 {
	n := len(r)
	e := make([]float64, n)
	for k := range n {
		for d, v := range r {
			e[k] += v * math.Cos(2*math.Pi*float64(k*d%n)/float64(n))
		}
	}
	return e
}

// TestGaussianCircleIsPositiveDefiniteForLongScales guards the periodisation: the Gaussian of
// the shortest distance around the circle is indefinite once L is a sizeable fraction of the
// circle, the periodised Gaussian never is.
func TestGaussianCircleIsPositiveDefiniteForLongScales(t *testing.T) {
	n := 40
	for _, l := range []float64{0.5, 2, 5, 10, 20} {
		c := NewGaussianCircle(n, 1, l)
		if got := c.Correlation(0); got != 1 {
			t.Errorf("L = %v: ρ(0) = %v", l, got)
		}
		raw := circulantEigen(c.row)
		for k, e := range raw {
			// Exact eigenvalues are positive; round-off in the cosine sums is ~1e-15·n.
			if e < -1e-13 {
				t.Errorf("L = %v: eigenvalue %d = %v < 0", l, k, e)
			}
		}
	}
	plain := make([]float64, n)
	for d := range n {
		dd := float64(min(d, n-d))
		plain[d] = math.Exp(-dd * dd / (2 * 10 * 10))
	}
	minEig := math.Inf(1)
	for _, e := range circulantEigen(plain) {
		minEig = math.Min(minEig, e)
	}
	if !(minEig < -1e-3) {
		t.Errorf("the plain Gaussian at L = 10 has smallest eigenvalue %v: the contrast this test relies on is gone", minEig)
	}
}

func TestNewDenseRejectsIndefinite(t *testing.T) {
	c := mat.NewSymDense(2, []float64{1, 2, 2, 1}) // eigenvalues 3 and -1
	if _, err := NewDense(c, 1); err == nil {
		t.Fatal("NewDense accepted an indefinite matrix")
	}
}

package optimize

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// spdWithEigenvalues returns a dense symmetric matrix with the given
// eigenvalues: diag(eig) rotated by three random Householder reflections
// H = I - 2uuᵀ, each applied as A ← HAH in O(n²). The eigenvectors are dense,
// so CG sees a generic matrix.
func spdWithEigenvalues(rnd *rand.Rand, eig []float64) *mat.SymDense {
	n := len(eig)
	a := mat.NewSymDense(n, nil)
	for i, e := range eig {
		a.SetSym(i, i, e)
	}
	u := mat.NewVecDense(n, nil)
	au := mat.NewVecDense(n, nil)
	for range 3 {
		for i := range n {
			u.SetVec(i, rnd.NormFloat64())
		}
		u.ScaleVec(1/mat.Norm(u, 2), u)
		au.MulVec(a, u)
		c := mat.Dot(u, au)
		// HAH = A - 2u(Au)ᵀ - 2(Au)uᵀ + 4(uᵀAu)uuᵀ.
		for i := range n {
			for j := i; j < n; j++ {
				ui, uj, ai, aj := u.AtVec(i), u.AtVec(j), au.AtVec(i), au.AtVec(j)
				a.SetSym(i, j, a.At(i, j)-2*ui*aj-2*ai*uj+4*c*ui*uj)
			}
		}
	}
	return a
}

func matVec(a *mat.SymDense) func(dst, v []float64) {
	return func(dst, v []float64) {
		mat.NewVecDense(len(dst), dst).MulVec(a, mat.NewVecDense(len(v), v))
	}
}

func trueRelResidual(a *mat.SymDense, x, b []float64) float64 {
	r := make([]float64, len(b))
	matVec(a)(r, x)
	floats.Sub(r, b)
	return floats.Norm(r, 2) / floats.Norm(b, 2)
}

// TestLinearCGSPD1000 solves an SPD system of size 1000 with eigenvalues
// log-spaced in [1, 1e3] to a true relative residual of 1e-10 within n
// iterations (the target), and checks the Lanczos estimates of the
// extreme eigenvalues.
func TestLinearCGSPD1000(t *testing.T) {
	const n = 1000
	rnd := rand.New(rand.NewPCG(1, 2))
	eig := make([]float64, n)
	for i := range eig {
		eig[i] = math.Pow(1e3, float64(i)/(n-1))
	}
	a := spdWithEigenvalues(rnd, eig)
	b := make([]float64, n)
	for i := range b {
		b[i] = rnd.NormFloat64()
	}
	x := make([]float64, n)
	res, err := LinearCG(x, matVec(a), b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged || res.Iterations > n {
		t.Fatalf("converged %v in %d iterations, want ≤ %d", res.Converged, res.Iterations, n)
	}
	// The recurrence residual drifts from the true one by O(ε κ ‖x‖‖A‖/‖b‖);
	// allow a factor 10 over the tolerance for it.
	if rr := trueRelResidual(a, x, b); rr > 1e-9 {
		t.Errorf("true relative residual %.3g, want ≤ 1e-9", rr)
	}
	if got := res.Residuals[len(res.Residuals)-1] / floats.Norm(b, 2); got > 1e-10 {
		t.Errorf("final recurrence residual %.3g > 1e-10", got)
	}
	if len(res.Residuals) != res.Iterations+1 {
		t.Errorf("%d residuals for %d iterations", len(res.Residuals), res.Iterations)
	}
	// Ritz values lie inside the spectrum [1, 1e3] up to rounding, and the
	// extreme ones converge first, each at a rate set by its gap to the next
	// eigenvalue. Log-spaced eigenvalues are 0.7% apart in ratio: in absolute
	// terms the gaps are 1000 times wider at the top, so EigMax resolves λ_max
	// tightly while EigMin, by the time the residual is 1e-10, has resolved
	// the bottom cluster to within a few of its neighbours (≈1.5% here).
	if res.EigMin < 1-1e-9 || res.EigMin > 1.05 {
		t.Errorf("EigMin = %.10g, want in [1, 1.05]", res.EigMin)
	}
	if res.EigMax > 1e3*(1+1e-9) || res.EigMax < 1e3*0.995 {
		t.Errorf("EigMax = %.10g, want in [995, 1000]", res.EigMax)
	}
	t.Logf("n=%d κ=1e3: %d iterations, κ estimate %.6g", n, res.Iterations, res.Condition())
}

// TestLinearCGDistinctEigenvalues checks that CG ends in k steps when A has k
// distinct eigenvalues (Krylov space of dimension k) and that the Ritz values
// are then exactly those eigenvalues.
func TestLinearCGDistinctEigenvalues(t *testing.T) {
	const n = 300
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, distinct := range [][]float64{{2}, {1, 10}, {0.5, 3, 7, 40, 100}, {1, 2, 3, 4, 5, 6, 7, 8}} {
		k := len(distinct)
		eig := make([]float64, n)
		for i := range eig {
			eig[i] = distinct[i%k]
		}
		a := spdWithEigenvalues(rnd, eig)
		b := make([]float64, n)
		for i := range b {
			b[i] = rnd.NormFloat64()
		}
		x := make([]float64, n)
		res, err := LinearCG(x, matVec(a), b, &LinearCGSettings{Tolerance: 1e-10})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Converged || res.Iterations > k {
			t.Errorf("k=%d: converged %v in %d iterations, want ≤ %d", k, res.Converged, res.Iterations, k)
		}
		// Rounding of the Householder rotations perturbs the eigenvalues by
		// O(ε‖A‖); 1e-8 relative is far above that and far below any gap.
		if ritz := res.Ritz(); len(ritz) != k || !floats.EqualApprox(ritz, distinct, 1e-8*distinct[k-1]) {
			t.Errorf("k=%d: Ritz values %v, want %v", k, ritz, distinct)
		}
		if rr := trueRelResidual(a, x, b); rr > 1e-9 {
			t.Errorf("k=%d: true relative residual %.3g", k, rr)
		}
	}
}

// TestLinearCGPreconditioner: on a badly scaled diagonal-dominant system a
// Jacobi preconditioner must cut the iterations and still solve it.
func TestLinearCGPreconditioner(t *testing.T) {
	const n = 400
	rnd := rand.New(rand.NewPCG(5, 6))
	// A = D^{1/2} (I + 0.1 S) D^{1/2}, S symmetric with small entries, D over 6 decades.
	d := make([]float64, n)
	for i := range d {
		d[i] = math.Pow(10, 6*rnd.Float64())
	}
	a := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			v := 0.0
			if i == j {
				v = 1
			} else if j-i <= 2 {
				v = 0.2 * (rnd.Float64() - 0.5)
			}
			a.SetSym(i, j, v*math.Sqrt(d[i]*d[j]))
		}
	}
	b := make([]float64, n)
	for i := range b {
		b[i] = rnd.NormFloat64()
	}
	plain := make([]float64, n)
	rp, err := LinearCG(plain, matVec(a), b, &LinearCGSettings{MaxIterations: 5 * n})
	if err != nil {
		t.Fatal(err)
	}
	prec := make([]float64, n)
	jacobi := func(dst, r []float64) {
		for i := range r {
			dst[i] = r[i] / d[i]
		}
	}
	rj, err := LinearCG(prec, matVec(a), b, &LinearCGSettings{Precond: jacobi})
	if err != nil {
		t.Fatal(err)
	}
	if !rj.Converged || rj.Iterations >= rp.Iterations/5 {
		t.Errorf("Jacobi: converged %v in %d iterations; plain CG %d: want 5 times fewer", rj.Converged, rj.Iterations, rp.Iterations)
	}
	if rr := trueRelResidual(a, prec, b); rr > 1e-9 {
		t.Errorf("preconditioned: true relative residual %.3g", rr)
	}
	// The Ritz values of M⁻¹A lie in the spectrum of I + 0.1 S, in [0.6, 1.4]
	// by Gershgorin (off-diagonal row sums ≤ 4·0.1).
	if rj.EigMin < 0.6 || rj.EigMax > 1.4 {
		t.Errorf("preconditioned spectrum estimate [%g, %g], want inside [0.6, 1.4]", rj.EigMin, rj.EigMax)
	}
	t.Logf("plain CG %d iterations (κ est %.3g), Jacobi %d (κ est %.3g)", rp.Iterations, rp.Condition(), rj.Iterations, rj.Condition())
}

// TestLinearCGNotPositiveDefinite guards the curvature test: an indefinite
// operator must give ErrNotPositiveDefinite, not a wrong answer.
func TestLinearCGNotPositiveDefinite(t *testing.T) {
	diag := []float64{1, 2, -3, 4}
	a := func(dst, v []float64) {
		for i := range v {
			dst[i] = diag[i] * v[i]
		}
	}
	x := make([]float64, 4)
	_, err := LinearCG(x, a, []float64{1, 1, 1, 1}, nil)
	if !errors.Is(err, ErrNotPositiveDefinite) {
		t.Fatalf("error %v, want ErrNotPositiveDefinite", err)
	}
}

// TestLinearCGWarmStart: starting at the solution makes no iteration.
func TestLinearCGWarmStart(t *testing.T) {
	a := func(dst, v []float64) { dst[0], dst[1] = 2*v[0]+v[1], v[0]+3*v[1] }
	x := []float64{0.2, 0.6} // solves [[2,1],[1,3]] x = [1, 2]
	res, err := LinearCG(x, a, []float64{1, 2}, nil)
	if err != nil || res.Iterations != 0 || !res.Converged {
		t.Fatalf("iterations %d, converged %v, err %v; want 0, true, nil", res.Iterations, res.Converged, err)
	}
	if !math.IsNaN(res.EigMin) || slices.Compare(x, []float64{0.2, 0.6}) != 0 {
		t.Errorf("EigMin %v, x %v", res.EigMin, x)
	}
}

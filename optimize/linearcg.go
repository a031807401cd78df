package optimize

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/lapack/gonum"
)

// LinearCGSettings holds the settings of LinearCG. The zero value (or a nil
// pointer) selects the defaults documented on each field.
type LinearCGSettings struct {
	// MaxIterations bounds the number of CG iterations. Zero means n, the
	// bound of exact arithmetic; more can help when rounding has slowed CG.
	MaxIterations int
	// Tolerance on the relative residual ‖b - A x_k‖₂ / ‖b‖₂ (as updated by
	// the CG recurrence). Zero means 1e-10.
	Tolerance float64
	// Precond, if not nil, applies the inverse of a symmetric positive
	// definite preconditioner M ≈ A: dst = M⁻¹ r. It must not modify r.
	Precond func(dst, r []float64)
}

// LinearCGResult describes a LinearCG run.
type LinearCGResult struct {
	// Iterations made; x_k is the returned solution.
	Iterations int
	// Converged reports whether the tolerance was met.
	Converged bool
	// Residuals[k] is ‖r_k‖₂ = ‖b - A x_k‖₂ (by the recurrence), k = 0..Iterations.
	Residuals []float64
	// Alpha[k] and Beta[k] are the CG coefficients α_k and β_k of iteration
	// k; they define the Lanczos tridiagonal matrix of M⁻¹A (see Ritz).
	Alpha, Beta []float64
	// EigMin and EigMax are the smallest and largest Ritz values: estimates
	// from inside of the extreme eigenvalues of M⁻¹A (A without Precond).
	// They are NaN if no iteration was made.
	EigMin, EigMax float64
}

// Condition returns the estimate EigMax/EigMin of the condition number of
// M⁻¹A; it is a lower bound that tightens as CG proceeds.
func (r *LinearCGResult) Condition() float64 { return r.EigMax / r.EigMin }

// Ritz returns the eigenvalues, in increasing order, of the k×k Lanczos
// tridiagonal matrix T_k built from the CG coefficients (k = Iterations):
//
//	T[j,j] = 1/α_j + β_{j-1}/α_{j-1},  T[j,j+1] = T[j+1,j] = √β_j / α_j.
//
// They are the Ritz values of M⁻¹A on the Krylov space of the run; the
// extreme ones converge first to the extreme eigenvalues. When A has k
// distinct eigenvalues and CG ends in k steps they are those eigenvalues.
func (r *LinearCGResult) Ritz() []float64 {
	k := len(r.Alpha)
	if k == 0 {
		return nil
	}
	d := make([]float64, k)
	e := make([]float64, k)
	for j := range k {
		d[j] = 1 / r.Alpha[j]
		if j > 0 {
			d[j] += r.Beta[j-1] / r.Alpha[j-1]
		}
		if j < k-1 {
			e[j] = math.Sqrt(r.Beta[j]) / r.Alpha[j]
		}
	}
	if !(gonum.Implementation{}).Dsterf(k, d, e[:k-1]) {
		// The QL iteration did not converge: fall back to the diagonal's
		// range, a cruder but honest estimate (never happens in the tests).
		slices.Sort(d)
	}
	return d
}

// LinearCG solves A x = b by the (preconditioned) conjugate gradient method of
// Hestenes and Stiefel (1952), for a symmetric positive definite A given as a
// function a(dst, v) that writes Av into dst (it must not modify v). x holds
// the starting guess on entry (zero for none) and the solution on return.
//
// LinearCG returns an error wrapping ErrNotPositiveDefinite if it meets a
// direction p with pᵀAp ≤ 0 or a residual with rᵀM⁻¹r ≤ 0, and one wrapping
// ErrDiverged on NaN or Inf; x then holds the last iterate, and the result
// describes the run up to there. Not meeting the tolerance within
// MaxIterations is not an error: Converged is false. LinearCG panics if x and
// b differ in length.
func LinearCG(x []float64, a func(dst, v []float64), b []float64, s *LinearCGSettings) (*LinearCGResult, error) {
	n := len(b)
	if len(x) != n {
		panic(fmt.Sprintf("optimize: LinearCG: len(x) = %d, len(b) = %d", len(x), n))
	}
	if s == nil {
		s = &LinearCGSettings{}
	}
	maxIter := s.MaxIterations
	if maxIter <= 0 {
		maxIter = n
	}
	tol := s.Tolerance
	if tol == 0 {
		tol = 1e-10
	}
	res := &LinearCGResult{EigMin: math.NaN(), EigMax: math.NaN()}

	r := make([]float64, n)
	ap := make([]float64, n)
	a(ap, x)
	floats.SubTo(r, b, ap)
	z := r
	if s.Precond != nil {
		z = make([]float64, n)
		s.Precond(z, r)
	}
	p := append([]float64(nil), z...)
	rz := floats.Dot(r, z)
	rnorm := floats.Norm(r, 2)
	bnorm := floats.Norm(b, 2)
	if bnorm == 0 {
		// The solution of A x = 0 is x = 0; measure against ‖r₀‖ instead.
		bnorm = 1
	}
	res.Residuals = append(res.Residuals, rnorm)

	var err error
	for k := 0; ; k++ {
		if rnorm <= tol*bnorm {
			res.Converged = true
			break
		}
		if k >= maxIter {
			break
		}
		if math.IsNaN(rnorm) || math.IsInf(rnorm, 0) {
			err = fmt.Errorf("%w: LinearCG: ‖r‖ = %v at iteration %d", ErrDiverged, rnorm, k)
			break
		}
		if !(rz > 0) {
			err = fmt.Errorf("%w: LinearCG: rᵀM⁻¹r = %g at iteration %d: preconditioner not positive definite",
				ErrNotPositiveDefinite, rz, k)
			break
		}
		a(ap, p)
		pap := floats.Dot(p, ap)
		if math.IsNaN(pap) || math.IsInf(pap, 0) {
			err = fmt.Errorf("%w: LinearCG: pᵀAp = %v at iteration %d", ErrDiverged, pap, k)
			break
		}
		if pap <= 0 {
			err = fmt.Errorf("%w: LinearCG: pᵀAp = %g ≤ 0 at iteration %d", ErrNotPositiveDefinite, pap, k)
			break
		}
		alpha := rz / pap
		floats.AddScaled(x, alpha, p)
		floats.AddScaled(r, -alpha, ap)
		if s.Precond != nil {
			s.Precond(z, r)
		}
		rzNew := floats.Dot(r, z)
		beta := rzNew / rz
		rz = rzNew
		// p ← z + β p
		for i, zi := range z {
			p[i] = zi + beta*p[i]
		}
		rnorm = floats.Norm(r, 2)
		res.Iterations = k + 1
		res.Alpha = append(res.Alpha, alpha)
		res.Beta = append(res.Beta, beta)
		res.Residuals = append(res.Residuals, rnorm)
	}
	if ritz := res.Ritz(); len(ritz) > 0 {
		res.EigMin, res.EigMax = ritz[0], ritz[len(ritz)-1]
	}
	return res, err
}

package fourdvar

import (
	"fmt"
	"math"
)

// Varying is a homogeneous correlation R (a Circulant) with a standard deviation σ_i of its
// own for each variable, in the symmetric square-root form that Covariance needs:
//
//	S = Σ^{1/2} R^{1/2} Σ^{1/2},   C = S S = Σ^{1/2} R^{1/2} Σ R^{1/2} Σ^{1/2},
//
// Σ = diag(σ_i). S is symmetric, so 4DVar's control-variable transform x = x_b + S v and
// its gradient v + S ∇J_o hold unchanged; S⁻¹ = Σ^{-1/2} R^{-1/2} Σ^{-1/2}. For a constant σ
// it is σ² R; where σ varies slowly over the correlation length, C_ii ≈ σ_i² and C ≈ Σ R Σ
// (the usual D R D form, whose square roots D R^{1/2} are not symmetric). Applying S costs
// one FFT multiplier and two scalings, O(N log N).
type Varying struct {
	corr      *Circulant
	sqrtSigma []float64
	scale     float64 // 1/σ of corr, so that only its correlation is used
	tmp       []float64
}

var _ Covariance = (*Varying)(nil)

// NewVarying returns the covariance of the correlation of corr (its σ is divided out) with
// the standard deviations sigma, one per variable. It returns an error wrapping ErrInput if
// the lengths differ or a σ_i is not positive and finite.
func NewVarying(corr *Circulant, sigma []float64) (*Varying, error) {
	if len(sigma) != corr.Dim() {
		return nil, fmt.Errorf("%w: %d standard deviations for a covariance of size %d", ErrInput, len(sigma), corr.Dim())
	}
	v := &Varying{corr: corr, sqrtSigma: make([]float64, len(sigma)), scale: 1 / corr.Sigma(), tmp: make([]float64, len(sigma))}
	for i, s := range sigma {
		if !(s > 0) || math.IsInf(s, 0) {
			return nil, fmt.Errorf("%w: standard deviation %d is %v, want > 0", ErrInput, i, s)
		}
		v.sqrtSigma[i] = math.Sqrt(s)
	}
	return v, nil
}

// Dim returns the number of variables.
func (c *Varying) Dim() int { return len(c.sqrtSigma) }

// SqrtMul sets dst = Σ^{1/2} R^{1/2} Σ^{1/2} v.
func (c *Varying) SqrtMul(dst, v []float64) {
	checkCov("Varying.SqrtMul", c, dst, v)
	for i, x := range v {
		c.tmp[i] = c.sqrtSigma[i] * x
	}
	c.corr.SqrtMul(dst, c.tmp)
	for i, s := range c.sqrtSigma {
		dst[i] *= s * c.scale
	}
}

// SqrtSolve sets dst = Σ^{-1/2} R^{-1/2} Σ^{-1/2} x.
func (c *Varying) SqrtSolve(dst, x []float64) {
	checkCov("Varying.SqrtSolve", c, dst, x)
	for i, v := range x {
		c.tmp[i] = v / c.sqrtSigma[i]
	}
	c.corr.SqrtSolve(dst, c.tmp)
	for i, s := range c.sqrtSigma {
		dst[i] /= s * c.scale
	}
}

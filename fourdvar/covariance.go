package fourdvar

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Covariance is an error covariance matrix C (B, Q, or a parameter covariance) given by its
// symmetric square root S = C^{1/2}, Sᵀ = S, S S = C. 4DVar needs no more: with the
// control-variable transform x = x_b + S v the background term is ½ vᵀv and the gradient
// with respect to v is v + S ∇_x J_o, so C^{-1} is never formed. SqrtSolve, S^{-1} x, serves
// the untransformed cost ½ (x−x_b)ᵀ C^{-1} (x−x_b) = ½ ‖S^{-1}(x−x_b)‖².
//
// dst and the input must not overlap. Implementations may keep scratch space and need not be
// safe for concurrent use.
type Covariance interface {
	// Dim returns the size n of the n×n matrix.
	Dim() int
	// SqrtMul sets dst = C^{1/2} v.
	SqrtMul(dst, v []float64)
	// SqrtSolve sets dst = C^{-1/2} x.
	SqrtSolve(dst, x []float64)
}

var (
	_ Covariance = ScaledIdentity{}
	_ Covariance = Diagonal{}
	_ Covariance = (*Circulant)(nil)
	_ Covariance = (*Dense)(nil)
)

func checkCov(op string, c Covariance, dst, v []float64) {
	if len(dst) != c.Dim() || len(v) != c.Dim() {
		panic(fmt.Sprintf("fourdvar: %s: vectors of length %d and %d for a %dx%d covariance", op, len(dst), len(v), c.Dim(), c.Dim()))
	}
}

// ScaledIdentity is C = σ² I of size N.
type ScaledIdentity struct {
	N     int     // size
	Sigma float64 // standard deviation σ; zero means 1
}

func (c ScaledIdentity) sigma() float64 {
	if c.Sigma == 0 {
		return 1
	}
	return c.Sigma
}

// Dim returns N.
func (c ScaledIdentity) Dim() int { return c.N }

// SqrtMul sets dst = σ v.
func (c ScaledIdentity) SqrtMul(dst, v []float64) {
	checkCov("ScaledIdentity.SqrtMul", c, dst, v)
	s := c.sigma()
	for i, x := range v {
		dst[i] = s * x
	}
}

// SqrtSolve sets dst = x / σ.
func (c ScaledIdentity) SqrtSolve(dst, x []float64) {
	checkCov("ScaledIdentity.SqrtSolve", c, dst, x)
	s := c.sigma()
	for i, v := range x {
		dst[i] = v / s
	}
}

// Diagonal is C = diag(σ_i²): independent errors with their own standard deviations.
type Diagonal struct {
	Sigma []float64 // standard deviations σ_i > 0
}

// Dim returns len(Sigma).
func (c Diagonal) Dim() int { return len(c.Sigma) }

// SqrtMul sets dst_i = σ_i v_i.
func (c Diagonal) SqrtMul(dst, v []float64) {
	checkCov("Diagonal.SqrtMul", c, dst, v)
	for i, x := range v {
		dst[i] = c.Sigma[i] * x
	}
}

// SqrtSolve sets dst_i = x_i / σ_i.
func (c Diagonal) SqrtSolve(dst, x []float64) {
	checkCov("Diagonal.SqrtSolve", c, dst, x)
	for i, v := range x {
		dst[i] = v / c.Sigma[i]
	}
}

// eigenFloor is the relative floor, times the largest eigenvalue, below which eigenvalues of
// a covariance are raised: a Gaussian correlation has eigenvalues that fall like exp(-k²)
// and round-off makes the smallest ones zero or negative. The floor keeps S^{-1} finite; it
// changes C by at most 1e-12 of its norm.
const eigenFloor = 1e-12

// Dense is a general covariance C, stored with its symmetric square root S = V Λ^{1/2} Vᵀ
// and S^{-1} = V Λ^{-1/2} Vᵀ from the eigendecomposition C = V Λ Vᵀ, computed once
// (gonum mat.EigenSym). For large n, prefer a structured Covariance.
type Dense struct {
	sqrt, invSqrt *mat.Dense
	eigen         []float64
}

// NewDense returns C = scale · c as a Dense covariance. Eigenvalues below 1e-12 of the
// largest are raised to that floor; it returns an error wrapping ErrInput if c is not
// symmetric positive semi-definite to within 1e-8 of its largest eigenvalue, or has
// non-finite entries.
func NewDense(c mat.Symmetric, scale float64) (*Dense, error) {
	n := c.SymmetricDim()
	if n == 0 || !(scale > 0) || math.IsInf(scale, 0) {
		return nil, fmt.Errorf("%w: covariance of size %d with scale %v", ErrInput, n, scale)
	}
	for i := range n {
		for j := 0; j <= i; j++ {
			if v := c.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%w: covariance entry (%d, %d) = %v", ErrInput, i, j, v)
			}
		}
	}
	var es mat.EigenSym
	if !es.Factorize(c, true) {
		return nil, fmt.Errorf("%w: eigendecomposition of the %dx%d covariance failed", ErrInput, n, n)
	}
	eig := es.Values(nil)
	var v mat.Dense
	es.VectorsTo(&v)
	maxEig := 0.0
	for _, e := range eig {
		maxEig = math.Max(maxEig, e)
	}
	if !(maxEig > 0) {
		return nil, fmt.Errorf("%w: covariance has no positive eigenvalue", ErrInput)
	}
	for _, e := range eig {
		if e < -1e-8*maxEig {
			return nil, fmt.Errorf("%w: covariance not positive semi-definite: eigenvalue %g (largest %g)", ErrInput, e, maxEig)
		}
	}
	floor := eigenFloor * maxEig
	d := &Dense{eigen: make([]float64, n)}
	sq := make([]float64, n)
	isq := make([]float64, n)
	for i, e := range eig {
		e = math.Max(e, floor) * scale
		d.eigen[i] = e
		sq[i] = math.Sqrt(e)
		isq[i] = 1 / sq[i]
	}
	build := func(w []float64) *mat.Dense {
		var vw mat.Dense
		vw.Apply(func(_, j int, x float64) float64 { return x * w[j] }, &v)
		var out mat.Dense
		out.Mul(&vw, v.T())
		// Symmetrise away round-off so that S is exactly symmetric.
		for i := range n {
			for j := range i {
				m := 0.5 * (out.At(i, j) + out.At(j, i))
				out.Set(i, j, m)
				out.Set(j, i, m)
			}
		}
		return &out
	}
	d.sqrt = build(sq)
	d.invSqrt = build(isq)
	return d, nil
}

// Dim returns n.
func (d *Dense) Dim() int { r, _ := d.sqrt.Dims(); return r }

// Eigenvalues returns the eigenvalues of C in increasing order, after flooring and scaling.
func (d *Dense) Eigenvalues() []float64 { return append([]float64(nil), d.eigen...) }

// SqrtMul sets dst = C^{1/2} v.
func (d *Dense) SqrtMul(dst, v []float64) {
	checkCov("Dense.SqrtMul", d, dst, v)
	gemv(dst, d.sqrt, v)
}

// SqrtSolve sets dst = C^{-1/2} x.
func (d *Dense) SqrtSolve(dst, x []float64) {
	checkCov("Dense.SqrtSolve", d, dst, x)
	gemv(dst, d.invSqrt, x)
}

func gemv(dst []float64, a *mat.Dense, x []float64) {
	raw := a.RawMatrix()
	blas64.Gemv(blas.NoTrans, 1, raw, blas64.Vector{N: len(x), Inc: 1, Data: x}, 0, blas64.Vector{N: len(dst), Inc: 1, Data: dst})
}

// Climatology returns the sample covariance of the states of a free run of m: from x0, after
// spinUp steps, samples states every every steps. It is the "climatological" static B
// that DAPPER's 4D-Var uses by default; scale it (NewDense) to tune.
func Climatology(m Model, x0 []float64, spinUp, samples, every int) *mat.SymDense {
	n := m.Dim()
	if len(x0) != n || samples < 2 || every < 1 || spinUp < 0 {
		panic(fmt.Sprintf("fourdvar: Climatology: state length %d for dimension %d, %d samples every %d steps after %d",
			len(x0), n, samples, every, spinUp))
	}
	x := append([]float64(nil), x0...)
	work := make([]float64, 2*n)
	Forecast(m, x, x, spinUp, work)
	mean := make([]float64, n)
	data := mat.NewDense(samples, n, nil)
	for s := range samples {
		Forecast(m, x, x, every, work)
		data.SetRow(s, x)
		for i, v := range x {
			mean[i] += v / float64(samples)
		}
	}
	for s := range samples {
		for i := range n {
			data.Set(s, i, data.At(s, i)-mean[i])
		}
	}
	cov := mat.NewSymDense(n, nil)
	cov.SymOuterK(1/float64(samples-1), data.T())
	return cov
}

// Sample sets dst = C^{1/2} ε with ε a standard normal vector drawn from rng: a draw from
// N(0, C).
func Sample(dst []float64, c Covariance, rng *rand.Rand) {
	eps := make([]float64, len(dst))
	for i := range eps {
		eps[i] = rng.NormFloat64()
	}
	c.SqrtMul(dst, eps)
}

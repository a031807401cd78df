package fourdvar

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
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

// Circulant is a homogeneous, isotropic covariance on a periodic 1-D domain such as the
// Lorenz-96 circle: C_ij = σ² ρ(d(i, j)) with d the distance around the circle. A circulant
// matrix is diagonalised by the discrete Fourier transform, its eigenvalues being the DFT of
// its first row; C^{1/2} and C^{-1/2} are then circulant too, and applying them is a circular
// convolution with kernels computed once.
type Circulant struct {
	sigma    float64
	row      []float64 // correlation ρ(d), d = 0..n-1
	sqrt     []float64 // first row of C^{1/2}
	invSqrt  []float64 // first row of C^{-1/2}
	convSqrt []float64 // sqrt and invSqrt laid out for circConv
	convInv  []float64
	eigen    []float64 // eigenvalues of C after flooring, k = 0..n-1
	floored  int
	length   float64
	describe string
}

// NewCirculant returns C = σ² R where R is the symmetric circulant correlation matrix with
// first row row (row[0] = 1, row[d] = row[n-d]). Eigenvalues below 1e-12 of the largest
// are raised to that floor. It panics if σ ≤ 0 or row is not symmetric with row[0] = 1.
func NewCirculant(sigma float64, row []float64) *Circulant {
	n := len(row)
	if n == 0 || !(sigma > 0) || row[0] != 1 {
		panic(fmt.Sprintf("fourdvar: NewCirculant: σ = %v, row of length %d starting %v", sigma, n, row))
	}
	for d := 1; d < n; d++ {
		if math.Abs(row[d]-row[n-d]) > 1e-12 {
			panic(fmt.Sprintf("fourdvar: NewCirculant: row not symmetric: row[%d] = %v, row[%d] = %v", d, row[d], n-d, row[n-d]))
		}
	}
	c := &Circulant{sigma: sigma, row: append([]float64(nil), row...)}
	c.eigen = make([]float64, n)
	maxEig := 0.0
	for k := range n {
		var s float64
		for d, r := range row {
			s += r * math.Cos(2*math.Pi*float64(k*d%n)/float64(n))
		}
		c.eigen[k] = sigma * sigma * s
		maxEig = math.Max(maxEig, c.eigen[k])
	}
	floor := eigenFloor * maxEig
	for k, e := range c.eigen {
		if e < floor {
			c.eigen[k] = floor
			c.floored++
		}
	}
	c.sqrt = make([]float64, n)
	c.invSqrt = make([]float64, n)
	for d := range n {
		var s, si float64
		for k, e := range c.eigen {
			cs := math.Cos(2 * math.Pi * float64(k*d%n) / float64(n))
			s += math.Sqrt(e) * cs
			si += cs / math.Sqrt(e)
		}
		c.sqrt[d] = s / float64(n)
		c.invSqrt[d] = si / float64(n)
	}
	c.convSqrt = convKernel(c.sqrt)
	c.convInv = convKernel(c.invSqrt)
	c.describe = fmt.Sprintf("circulant(n=%d, σ=%g)", n, sigma)
	return c
}

// NewGaussianCircle returns the Gaussian covariance on a circle of n points with unit
// spacing, C_ij = σ² ρ(d_ij) with ρ the periodised Gaussian
//
//	ρ(d) ∝ Σ_m exp(−(d + m n)² / (2 L²)),  ρ(0) = 1,
//
// the correlation of a Gaussian-smoothed white noise on the circle. Periodising (rather than
// using the Gaussian of the shortest distance) keeps C positive definite for every length
// scale L: its eigenvalues are samples of a Gaussian. L = 0 gives σ² I.
func NewGaussianCircle(n int, sigma, length float64) *Circulant {
	if n <= 0 || !(sigma > 0) || !(length >= 0) || math.IsInf(length, 0) {
		panic(fmt.Sprintf("fourdvar: NewGaussianCircle: n = %d, σ = %v, L = %v", n, sigma, length))
	}
	row := make([]float64, n)
	if length == 0 {
		row[0] = 1
	} else {
		images := 2 + int(math.Ceil(6*length/float64(n)))
		for d := range n {
			var s float64
			for m := -images; m <= images; m++ {
				x := float64(d + m*n)
				s += math.Exp(-x * x / (2 * length * length))
			}
			row[d] = s
		}
		r0 := row[0]
		for d := range row {
			row[d] /= r0
		}
		for d := 1; d < n; d++ { // exact symmetry despite round-off
			if n-d > d {
				row[n-d] = row[d]
			}
		}
	}
	c := NewCirculant(sigma, row)
	c.length = length
	c.describe = fmt.Sprintf("gaussian(n=%d, σ=%g, L=%g)", n, sigma, length)
	return c
}

// Dim returns n.
func (c *Circulant) Dim() int { return len(c.row) }

// Sigma returns the standard deviation σ.
func (c *Circulant) Sigma() float64 { return c.sigma }

// Correlation returns ρ(d), the correlation of two points d apart.
func (c *Circulant) Correlation(d int) float64 {
	n := len(c.row)
	return c.row[((d%n)+n)%n]
}

// Eigenvalues returns the eigenvalues of C, the k-th being the variance of Fourier mode k,
// after flooring.
func (c *Circulant) Eigenvalues() []float64 { return append([]float64(nil), c.eigen...) }

// String describes C.
func (c *Circulant) String() string { return c.describe }

// SqrtMul sets dst = C^{1/2} v by circular convolution.
func (c *Circulant) SqrtMul(dst, v []float64) {
	checkCov("Circulant.SqrtMul", c, dst, v)
	circConv(dst, c.convSqrt, v)
}

// SqrtSolve sets dst = C^{-1/2} x by circular convolution.
func (c *Circulant) SqrtSolve(dst, x []float64) {
	checkCov("Circulant.SqrtSolve", c, dst, x)
	circConv(dst, c.convInv, x)
}

// convKernel lays out the first row k of a circulant matrix so that row i of the matrix is
// the contiguous slice r[n-1-i : 2n-1-i]: r[t] = k[(n-1-t) mod n]. A circular convolution
// is then n dot products of contiguous slices, which gonum's assembly kernels vectorise.
func convKernel(k []float64) []float64 {
	n := len(k)
	r := make([]float64, 2*n-1)
	for t := range r {
		r[t] = k[((n-1-t)%n+n)%n]
	}
	return r
}

// circConv sets dst_i = Σ_j k_{(i-j) mod n} v_j, r being k laid out by convKernel.
func circConv(dst, r, v []float64) {
	n := len(v)
	for i := range n {
		dst[i] = floats.Dot(r[n-1-i:2*n-1-i], v)
	}
}

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

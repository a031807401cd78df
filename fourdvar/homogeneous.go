package fourdvar

import (
	"fmt"
	"math"

	"github.com/adjunto/adjunto/adjoint"
	"gonum.org/v1/gonum/dsp/fourier"
)

// Circulant is a homogeneous covariance on a periodic grid: a ring of n points such as the
// Lorenz-96 circle, or a doubly periodic Ny×Nx grid (row-major) such as the QG model's.
// C_ij = σ² ρ(d_ij) with d_ij the offset between the points, wrapped around the domain. Such
// a matrix (block-circulant with circulant blocks in 2-D) is diagonalised by the discrete
// Fourier transform, its eigenvalues being the DFT of its first row; C^{1/2} and C^{-1/2}
// are Fourier multipliers too, with the symbols λ^{1/2} and λ^{-1/2}, and are applied by FFT
// (adjoint.Spectral) in O(N log N): 10⁶ points take milliseconds.
type Circulant struct {
	sigma         float64
	nx, ny        int
	row           []float64 // correlation ρ at offset (dy, dx), row[dy·nx + dx]
	eigen         []float64 // eigenvalues of C after flooring, at (ky, kx), ky·(nx/2+1) + kx
	sqrt, invSqrt *adjoint.Spectral
	floored       int
	describe      string
}

// NewCirculant returns C = σ² R on a ring, R being the symmetric circulant correlation
// matrix with first row row (row[0] = 1, row[d] = row[n-d]). Eigenvalues below 1e-12 of the
// largest are raised to that floor. It panics if σ ≤ 0 or row is not symmetric with
// row[0] = 1.
func NewCirculant(sigma float64, row []float64) *Circulant {
	return NewCirculantGrid(sigma, len(row), 1, row)
}

// NewCirculantGrid returns C = σ² R on a doubly periodic ny×nx grid, the correlation of
// points (dy, dx) apart being row[dy·nx + dx], which must be 1 at (0, 0) and even:
// row(dy, dx) = row(−dy, −dx) wrapped. Eigenvalues below 1e-12 of the largest are raised to
// that floor. It panics on a row that is not such a correlation, or σ ≤ 0.
func NewCirculantGrid(sigma float64, nx, ny int, row []float64) *Circulant {
	n := nx * ny
	if nx < 1 || ny < 1 || len(row) != n || !(sigma > 0) || math.IsInf(sigma, 0) || row[0] != 1 {
		panic(fmt.Sprintf("fourdvar: NewCirculant: σ = %v, %dx%d grid, row of length %d", sigma, ny, nx, len(row)))
	}
	for dy := range ny {
		for dx := range nx {
			a, b := row[dy*nx+dx], row[((ny-dy)%ny)*nx+(nx-dx)%nx]
			if math.Abs(a-b) > 1e-12 || math.IsNaN(a) {
				panic(fmt.Sprintf("fourdvar: NewCirculant: row not even: ρ(%d, %d) = %v, ρ(%d, %d) = %v", dy, dx, a, -dy, -dx, b))
			}
		}
	}
	c := &Circulant{sigma: sigma, nx: nx, ny: ny, row: append([]float64(nil), row...)}
	c.eigen = evenSpectrum(row, nx, ny)
	maxEig := 0.0
	for k := range c.eigen {
		c.eigen[k] *= sigma * sigma
		maxEig = math.Max(maxEig, c.eigen[k])
	}
	floor := eigenFloor * maxEig
	for k, e := range c.eigen {
		if e < floor {
			c.eigen[k] = floor
			c.floored++
		}
	}
	m := nx/2 + 1
	symbol := func(f func(float64) float64) func(kx, ky int) float64 {
		return func(kx, ky int) float64 {
			if kx < 0 { // λ(kx, ky) = λ(−kx, −ky): read the half spectrum
				kx, ky = -kx, -ky
			}
			return f(c.eigen[((ky%ny+ny)%ny)*m+kx])
		}
	}
	c.sqrt = adjoint.NewSpectral(nx, ny, symbol(math.Sqrt))
	c.invSqrt = adjoint.NewSpectral(nx, ny, symbol(func(e float64) float64 { return 1 / math.Sqrt(e) }))
	c.describe = fmt.Sprintf("circulant(n=%d, σ=%g)", n, sigma)
	if ny > 1 {
		c.describe = fmt.Sprintf("circulant(%dx%d, σ=%g)", ny, nx, sigma)
	}
	return c
}

// evenSpectrum returns the 2-D DFT of the real, even field row on an ny×nx grid at
// (ky, kx), kx ≤ nx/2, as ky·(nx/2+1) + kx. An even field has a real, even transform, and so
// has each of its row transforms along the columns: two passes of real FFTs.
func evenSpectrum(row []float64, nx, ny int) []float64 {
	m := nx/2 + 1
	spec := make([]float64, ny*m)
	rf := fourier.NewFFT(nx)
	coef := make([]complex128, m)
	for j := range ny {
		rf.Coefficients(coef, row[j*nx:(j+1)*nx])
		for k, v := range coef {
			spec[j*m+k] = real(v)
		}
	}
	if ny == 1 {
		return spec
	}
	cf := fourier.NewFFT(ny)
	col := make([]float64, ny)
	ccoef := make([]complex128, ny/2+1)
	for k := range m {
		for j := range ny {
			col[j] = spec[j*m+k]
		}
		cf.Coefficients(ccoef, col)
		for j := range ny {
			jj := j
			if jj > ny/2 {
				jj = ny - j
			}
			spec[j*m+k] = real(ccoef[jj])
		}
	}
	return spec
}

// periodised returns Σ_m f(|d + m·n|) over the images m with |m| ≤ images.
func periodised(f func(float64) float64, d, n, images int) float64 {
	var s float64
	for m := -images; m <= images; m++ {
		s += f(math.Abs(float64(d + m*n)))
	}
	return s
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
	c := NewCirculant(sigma, gaussianRow(n, length))
	c.describe = fmt.Sprintf("gaussian(n=%d, σ=%g, L=%g)", n, sigma, length)
	return c
}

// gaussianRow returns the periodised Gaussian correlation of length scale L on a ring of n.
func gaussianRow(n int, length float64) []float64 {
	row := make([]float64, n)
	if length == 0 {
		row[0] = 1
		return row
	}
	images := 2 + int(math.Ceil(6*length/float64(n)))
	g := func(x float64) float64 { return math.Exp(-x * x / (2 * length * length)) }
	// Only offsets up to where the Gaussian underflows matter; the rest stay zero.
	reach := min(n, int(math.Ceil(40*length))+1)
	for d := range n {
		if d > reach && n-d > reach && images == 2 {
			continue
		}
		row[d] = periodised(g, d, n, images)
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
	return row
}

// NewGaussianGrid returns the Gaussian covariance on a doubly periodic ny×nx grid of unit
// spacing, the product of the periodised Gaussians of NewGaussianCircle along x and y: the
// isotropic Gaussian exp(−r²/(2L²)) periodised over the torus, positive definite for every
// L.
func NewGaussianGrid(nx, ny int, sigma, length float64) *Circulant {
	if nx <= 0 || ny <= 0 || !(sigma > 0) || !(length >= 0) || math.IsInf(length, 0) {
		panic(fmt.Sprintf("fourdvar: NewGaussianGrid: %dx%d, σ = %v, L = %v", ny, nx, sigma, length))
	}
	gx, gy := gaussianRow(nx, length), gaussianRow(ny, length)
	row := make([]float64, nx*ny)
	for j, a := range gy {
		for i, b := range gx {
			row[j*nx+i] = a * b
		}
	}
	c := NewCirculantGrid(sigma, nx, ny, row)
	c.describe = fmt.Sprintf("gaussian(%dx%d, σ=%g, L=%g)", ny, nx, sigma, length)
	return c
}

// NewSOAR returns the second-order auto-regressive covariance on a periodic ny×nx grid
// (ny = 1: a ring) of unit spacing, ρ(r) = (1 + r/L) e^{−r/L}, periodised over the images
// of the domain that contribute above 1e-16. SOAR is positive definite in one, two and three
// dimensions, and so is its periodisation (its eigenvalues are samples of its Fourier
// transform); its tails are heavier than the Gaussian's. L > 0.
func NewSOAR(nx, ny int, sigma, length float64) *Circulant {
	if nx <= 0 || ny <= 0 || !(sigma > 0) || !(length > 0) || math.IsInf(length, 0) {
		panic(fmt.Sprintf("fourdvar: NewSOAR: %dx%d, σ = %v, L = %v", ny, nx, sigma, length))
	}
	reach := 40 * length // e^{−40}·41 < 1e-16
	soar := func(r float64) float64 {
		if r > reach {
			return 0
		}
		return (1 + r/length) * math.Exp(-r/length)
	}
	imx, imy := 1+int(reach)/nx, 1+int(reach)/ny
	if ny == 1 {
		imy = 0
	}
	row := make([]float64, nx*ny)
	for dy := range ny {
		for dx := range nx {
			var s float64
			for my := -imy; my <= imy; my++ {
				y := float64(dy + my*ny)
				for mx := -imx; mx <= imx; mx++ {
					x := float64(dx + mx*nx)
					s += soar(math.Sqrt(x*x + y*y))
				}
			}
			row[dy*nx+dx] = s
		}
	}
	r0 := row[0]
	for i := range row {
		row[i] /= r0
	}
	// Exact evenness despite round-off.
	for dy := range ny {
		for dx := range nx {
			k := ((ny-dy)%ny)*nx + (nx-dx)%nx
			if k > dy*nx+dx {
				row[k] = row[dy*nx+dx]
			}
		}
	}
	c := NewCirculantGrid(sigma, nx, ny, row)
	c.describe = fmt.Sprintf("soar(%dx%d, σ=%g, L=%g)", ny, nx, sigma, length)
	return c
}

// Dim returns the number of points.
func (c *Circulant) Dim() int { return c.nx * c.ny }

// Sigma returns the standard deviation σ.
func (c *Circulant) Sigma() float64 { return c.sigma }

// Correlation returns ρ(d), the correlation of two points d apart on a ring (on a grid: d
// columns apart in the same row).
func (c *Circulant) Correlation(d int) float64 {
	return c.row[((d%c.nx)+c.nx)%c.nx]
}

// Eigenvalues returns the eigenvalues of C after flooring, the variances of the Fourier
// modes: on a ring the n of modes k = 0..n−1; on a grid those of (ky, kx) for kx ≤ Nx/2, at
// ky·(Nx/2+1) + kx (the others follow from λ(kx, ky) = λ(−kx, −ky)).
func (c *Circulant) Eigenvalues() []float64 {
	if c.ny > 1 {
		return append([]float64(nil), c.eigen...)
	}
	n := c.nx
	out := make([]float64, n)
	for k := range out {
		out[k] = c.eigen[min(k, n-k)]
	}
	return out
}

// String describes C.
func (c *Circulant) String() string { return c.describe }

// SqrtMul sets dst = C^{1/2} v by FFT.
func (c *Circulant) SqrtMul(dst, v []float64) {
	checkCov("Circulant.SqrtMul", c, dst, v)
	c.sqrt.Apply(dst, v)
}

// SqrtSolve sets dst = C^{-1/2} x by FFT.
func (c *Circulant) SqrtSolve(dst, x []float64) {
	checkCov("Circulant.SqrtSolve", c, dst, x)
	c.invSqrt.Apply(dst, x)
}

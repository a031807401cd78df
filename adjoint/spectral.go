package adjoint

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// Spectral is a real, even Fourier multiplier on a doubly periodic grid of Ny rows and Nx
// columns (row-major, x along a row): the linear map
//
//	S v = F⁻¹ diag(s) F v,
//
// F being the 2-D discrete Fourier transform and s(kx, ky) a real symbol with
// s(kx, ky) = s(−kx, −ky). Such a map is a circular convolution with a real, even kernel, so
// its matrix is real and symmetric: S is its own adjoint. Inverting a discrete Laplacian or
// Helmholtz operator (PV inversion in a quasi-geostrophic model), a Gaussian smoothing and
// the square root of a homogeneous covariance are all of this kind. Ny = 1 is a ring of Nx
// points.
//
// Applying S costs O(N log N) for N = Nx·Ny, with gonum's dsp/fourier (FFTPACK): a real
// transform of each row, then a complex transform of each of the Nx/2+1 columns of the
// half spectrum. A Spectral owns scratch space and is not safe for concurrent use.
type Spectral struct {
	nx, ny int
	symbol []float64 // ny × (nx/2+1), divided by nx·ny so that the round trip is normalised
	row    *fourier.FFT
	col    *fourier.CmplxFFT
	spec   []complex128 // ny × (nx/2+1)
	column []complex128
	acc    []float64 // the adjoint rule's S ỹ before it is accumulated
}

// NewSpectral returns the multiplier with symbol s on an ny×nx grid. s receives the signed
// wavenumbers kx in [0, nx/2] and ky in (−ny/2, ny/2]; it is evaluated at (kx, ky) and
// (−kx, −ky) and averaged, so that the symbol is exactly even even where s is not. It
// panics if nx or ny is below 1 or s returns a non-finite value.
func NewSpectral(nx, ny int, s func(kx, ky int) float64) *Spectral {
	if nx < 1 || ny < 1 {
		panic(fmt.Sprintf("adjoint: NewSpectral: grid %dx%d", ny, nx))
	}
	m := nx/2 + 1
	sp := &Spectral{
		nx: nx, ny: ny, symbol: make([]float64, ny*m),
		row: fourier.NewFFT(nx), col: fourier.NewCmplxFFT(ny),
		spec: make([]complex128, ny*m), column: make([]complex128, ny),
	}
	signed := func(k, n int) int {
		if k > n/2 {
			return k - n
		}
		return k
	}
	norm := 1 / float64(nx*ny)
	for j := range ny {
		ky := signed(j, ny)
		for kx := range m {
			v := 0.5 * (s(kx, ky) + s(-kx, -ky))
			if math.IsNaN(v) || math.IsInf(v, 0) {
				panic(fmt.Sprintf("adjoint: NewSpectral: symbol(%d, %d) = %v", kx, ky, v))
			}
			sp.symbol[j*m+kx] = v * norm
		}
	}
	return sp
}

// Nx returns the number of columns of the grid.
func (s *Spectral) Nx() int { return s.nx }

// Ny returns the number of rows of the grid.
func (s *Spectral) Ny() int { return s.ny }

// Apply sets dst = S v. dst and v may be the same slice. It panics unless both have
// length Nx·Ny.
func (s *Spectral) Apply(dst, v []float64) {
	n := s.nx * s.ny
	if len(dst) != n || len(v) != n {
		panic(fmt.Sprintf("adjoint: Spectral.Apply: vectors of length %d and %d for a %dx%d grid", len(dst), len(v), s.ny, s.nx))
	}
	m := s.nx/2 + 1
	for j := range s.ny {
		s.row.Coefficients(s.spec[j*m:(j+1)*m], v[j*s.nx:(j+1)*s.nx])
	}
	if s.ny == 1 {
		for k, w := range s.symbol {
			s.spec[k] *= complex(w, 0)
		}
	} else {
		col := s.column
		for kx := range m {
			for j := range s.ny {
				col[j] = s.spec[j*m+kx]
			}
			s.col.Coefficients(col, col)
			for j := range s.ny {
				col[j] *= complex(s.symbol[j*m+kx], 0)
			}
			s.col.Sequence(col, col)
			for j := range s.ny {
				s.spec[j*m+kx] = col[j]
			}
		}
	}
	for j := range s.ny {
		s.row.Sequence(dst[j*s.nx:(j+1)*s.nx], s.spec[j*m:(j+1)*m])
	}
}

// spectralOp records y = S x; S is symmetric, so its adjoint rule applies S again.
type spectralOp struct{ s *Spectral }

func (spectralOp) Name() string { return "Filter" }

// Filter returns S x, the Fourier multiplier s applied to x as a field on s's grid. x may
// have any shape with Nx·Ny elements, read row-major; the result has x's shape. Its TL is
// S δx and, S being symmetric, its AD is x̃ += S ỹ.
func Filter(x *Value, s *Spectral) *Value {
	if x.Len() != s.nx*s.ny {
		panic(fmt.Sprintf("adjoint: Filter: value of shape %s for a %dx%d grid", x.shape(), s.ny, s.nx))
	}
	return apply(spectralOp{s}, x.rows, x.cols, x)
}

func (p spectralOp) Forward(out *Value, in []*Value) { p.s.Apply(out.Data, in[0].Data) }

func (p spectralOp) Tangent(out *Value, in []*Value) {
	if dx := in[0].Tan; dx != nil {
		p.s.Apply(out.Tan, dx)
		return
	}
	clear(out.Tan)
}

func (p spectralOp) Adjoint(out *Value, in []*Value) {
	ax := in[0].Adj
	if ax == nil {
		return
	}
	if len(p.s.acc) != len(ax) {
		p.s.acc = make([]float64, len(ax))
	}
	p.s.Apply(p.s.acc, out.Adj)
	for i, v := range p.s.acc {
		ax[i] += v
	}
}

var _ SecondOrder = spectralOp{}

// AdjointTangent: Filter is linear, so the tangent of its adjoint rule is the rule applied
// to the adjoint tangents.
func (p spectralOp) AdjointTangent(out *Value, in []*Value) { adjointOfTangents(p, out, in) }

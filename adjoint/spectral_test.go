package adjoint_test

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/adjunto/adjunto/adjoint"
)

// TestSpectralMatchesNaiveDFT checks Spectral.Apply against the 2-D transform written out
// as a double sum, on grids with even and odd sides. Tolerance 1e-12 relative: both are
// sums of N terms of size one, rounded differently.
func TestSpectralMatchesNaiveDFT(t *testing.T) {
	for _, g := range []struct{ nx, ny int }{{8, 6}, {5, 7}, {9, 1}, {1, 4}} {
		sym := func(kx, ky int) float64 { return 1 / (1 + float64(kx*kx) + 0.5*float64(ky*ky)) }
		s := adjoint.NewSpectral(g.nx, g.ny, sym)
		rnd := rand.New(rand.NewPCG(1, uint64(g.nx*100+g.ny)))
		n := g.nx * g.ny
		v := make([]float64, n)
		for i := range v {
			v[i] = rnd.NormFloat64()
		}
		got := make([]float64, n)
		s.Apply(got, v)
		want := naiveFilter(v, g.nx, g.ny, sym)
		var num, den float64
		for i := range got {
			num += (got[i] - want[i]) * (got[i] - want[i])
			den += want[i] * want[i]
		}
		if e := math.Sqrt(num / den); !(e < 1e-12) {
			t.Errorf("%dx%d: relative error %g against the naive DFT", g.ny, g.nx, e)
		}
		// In place gives the same bits.
		s.Apply(v, v)
		for i := range v {
			if v[i] != got[i] {
				t.Fatalf("%dx%d: in-place Apply differs at %d: %v != %v", g.ny, g.nx, i, v[i], got[i])
			}
		}
	}
}

func naiveFilter(v []float64, nx, ny int, sym func(kx, ky int) float64) []float64 {
	signed := func(k, n int) int {
		if k > n/2 {
			return k - n
		}
		return k
	}
	spec := make([]complex128, nx*ny)
	for ky := range ny {
		for kx := range nx {
			var c complex128
			for j := range ny {
				for i := range nx {
					ph := -2 * math.Pi * (float64(kx*i)/float64(nx) + float64(ky*j)/float64(ny))
					c += complex(v[j*nx+i], 0) * cmplx.Exp(complex(0, ph))
				}
			}
			sx, sy := signed(kx, nx), signed(ky, ny)
			spec[ky*nx+kx] = c * complex(0.5*(sym(sx, sy)+sym(-sx, -sy)), 0)
		}
	}
	out := make([]float64, nx*ny)
	for j := range ny {
		for i := range nx {
			var c complex128
			for ky := range ny {
				for kx := range nx {
					ph := 2 * math.Pi * (float64(kx*i)/float64(nx) + float64(ky*j)/float64(ny))
					c += spec[ky*nx+kx] * cmplx.Exp(complex(0, ph))
				}
			}
			out[j*nx+i] = real(c) / float64(nx*ny)
		}
	}
	return out
}

// TestFilterHessVecExact: J = ‖S x‖²/2 has the Hessian SᵀS = S², so the exact
// Hessian-vector product through Filter is S(S v); tolerance 1e-12 relative.
func TestFilterHessVecExact(t *testing.T) {
	s := adjoint.NewSpectral(6, 4, func(kx, ky int) float64 { return 1 / (1 + float64(kx*kx+ky*ky)) })
	rnd := rand.New(rand.NewPCG(5, 6))
	x, v := make([]float64, 24), make([]float64, 24)
	for i := range x {
		x[i], v[i] = rnd.NormFloat64(), rnd.NormFloat64()
	}
	tp := adjoint.NewTape()
	xv := tp.Vector(x)
	J := adjoint.Scale(0.5, adjoint.SumSquares(adjoint.Filter(xv, s)))
	got := make([]float64, 24)
	tp.HessVecExact(got, xv, J, v)
	want := make([]float64, 24)
	s.Apply(want, v)
	s.Apply(want, want)
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-12*(1+math.Abs(want[i])) {
			t.Fatalf("H v [%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

package fourdvar

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestCirculantGrid builds C = S S and S S⁻¹ densely for 2-D Gaussian and SOAR covariances
// on a 6×5 torus (odd and even sides) and a SOAR ring, and compares them with σ² ρ of the
// offsets, ρ written out with its periodic images, and with I. Tolerance 1e-10 of σ²: the
// FFTs round at 1e-16, S⁻¹ amplifies by the square root of C's condition number (≤ 1e5
// here).
func TestCirculantGrid(t *testing.T) {
	const nx, ny, sigma = 5, 6, 0.7
	images := func(rho func(x, y float64) float64, dx, dy, nx, ny int) float64 {
		var s float64
		for my := -40; my <= 40; my++ {
			for mx := -40; mx <= 40; mx++ {
				s += rho(float64(dx+mx*nx), float64(dy+my*ny))
			}
		}
		return s
	}
	gauss := func(x, y float64) float64 { return math.Exp(-(x*x + y*y) / (2 * 1.3 * 1.3)) }
	soar := func(x, y float64) float64 { r := math.Hypot(x, y) / 1.1; return (1 + r) * math.Exp(-r) }
	for _, tc := range []struct {
		name   string
		c      *Circulant
		nx, ny int
		rho    func(x, y float64) float64
	}{
		{"gaussian-grid", NewGaussianGrid(nx, ny, sigma, 1.3), nx, ny, gauss},
		{"soar-grid", NewSOAR(nx, ny, sigma, 1.1), nx, ny, soar},
		{"soar-ring", NewSOAR(9, 1, sigma, 1.1), 9, 1, func(x, y float64) float64 {
			if y != 0 {
				return 0
			}
			return soar(x, 0)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.nx * tc.ny
			s := denseOf(n, tc.c.SqrtMul)
			si := denseOf(n, tc.c.SqrtSolve)
			var c, id mat.Dense
			c.Mul(s, s)
			id.Mul(s, si)
			r0 := images(tc.rho, 0, 0, tc.nx, tc.ny)
			for p := range n {
				for q := range n {
					dx, dy := q%tc.nx-p%tc.nx, q/tc.nx-p/tc.nx
					want := sigma * sigma * images(tc.rho, dx, dy, tc.nx, tc.ny) / r0
					if got := c.At(p, q); math.Abs(got-want) > 1e-10*sigma*sigma {
						t.Fatalf("C(%d, %d) = %v, want %v", p, q, got, want)
					}
					if got, want := id.At(p, q), b2f(p == q); math.Abs(got-want) > 1e-10 {
						t.Fatalf("(S S⁻¹)(%d, %d) = %v, want %v", p, q, got, want)
					}
				}
			}
		})
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

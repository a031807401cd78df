package main

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAddBackgroundError checks the background errors observe draws on a 64² grid against
// the covariance they are drawn from: standard deviation σ_b, and the correlation between
// neighbours along x and along y, exp(−1/(2L²)) for the Gaussian of length L (0.8825 at
// L = 2), none for white errors. The tolerances are about three standard errors: 4096
// independent values estimate σ to 1.1% and a correlation to ±0.016; the correlated field
// has about 4096/(2πL²) ≈ 160 independent patches, which estimate σ to about 6% and a
// neighbour correlation to about ±0.04.
func TestAddBackgroundError(t *testing.T) {
	const n, sigma = 64, 0.2
	for _, tc := range []struct {
		length        float64
		corr, corrTol float64
		sigmaTol      float64 // relative
	}{
		{0, 0, 0.05, 0.04},
		{2, math.Exp(-1.0 / 8), 0.1, 0.2},
	} {
		x := make([]float64, n*n)
		addBackgroundError(x, rand.New(rand.NewPCG(1, 3)), sigma, tc.length, n)
		var ss, sx, sy float64
		for j := range n {
			for i := range n {
				v := x[j*n+i]
				ss += v * v
				sx += v * x[j*n+(i+1)%n]
				sy += v * x[((j+1)%n)*n+i]
			}
		}
		std := math.Sqrt(ss / float64(n*n))
		if math.Abs(std/sigma-1) > tc.sigmaTol {
			t.Errorf("L = %g: standard deviation %.4f, want %g within %g%%", tc.length, std, sigma, 100*tc.sigmaTol)
		}
		for _, c := range []struct {
			axis string
			r    float64
		}{{"x", sx / ss}, {"y", sy / ss}} {
			if math.Abs(c.r-tc.corr) > tc.corrTol {
				t.Errorf("L = %g: neighbour correlation along %s %.4f, want %.4f ± %g", tc.length, c.axis, c.r, tc.corr, tc.corrTol)
			}
		}
	}
}

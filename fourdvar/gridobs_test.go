package fourdvar

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/adjunto/adjunto/verify"
)

// TestBilinearExactOnBilinearFields checks the interpolation against a field it must
// reproduce exactly, f = 1 + 2x − y + 0.5xy, at points whose cells do not wrap, and the grid
// values at the nodes; tolerance 1e-13 (a few roundings of values of order 10).
func TestBilinearExactOnBilinearFields(t *testing.T) {
	const nx, ny = 7, 5
	f := func(x, y float64) float64 { return 1 + 2*x - y + 0.5*x*y }
	field := make([]float64, nx*ny)
	for j := range ny {
		for i := range nx {
			field[j*nx+i] = f(float64(i), float64(j))
		}
	}
	pts := []Point{{0, 0}, {2.5, 1.25}, {5.9, 3.99}, {3, 2}, {0.1, 3.7}}
	h, err := Bilinear(nx, ny, pts)
	if err != nil {
		t.Fatal(err)
	}
	y := make([]float64, len(pts))
	h.Apply(y, field)
	for p, pt := range pts {
		if want := f(pt.X, pt.Y); math.Abs(y[p]-want) > 1e-13 {
			t.Errorf("point %v: H x = %v, want %v", pt, y[p], want)
		}
	}
}

// TestBilinearWraps checks that a point past the last column interpolates towards the first
// one: the grid is periodic.
func TestBilinearWraps(t *testing.T) {
	field := make([]float64, 4*3)
	field[0] = 1 // (0, 0)
	h, err := Bilinear(4, 3, []Point{{3.5, 0}, {-0.5, 0}, {4.5, 3}})
	if err != nil {
		t.Fatal(err)
	}
	y := make([]float64, 3)
	h.Apply(y, field)
	for p, want := range []float64{0.5, 0.5, 0.5} {
		if math.Abs(y[p]-want) > 1e-15 {
			t.Errorf("point %d: %v, want %v", p, y[p], want)
		}
	}
}

func TestGridOperatorsAdjoint(t *testing.T) {
	const nx, ny = 16, 12
	rnd := rand.New(rand.NewPCG(3, 4))
	pts := make([]Point, 40)
	for i := range pts {
		pts[i] = Point{rnd.Float64() * nx, rnd.Float64() * ny}
	}
	bl, err := Bilinear(nx, ny, pts)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []*Operator{bl, Subsample(nx, ny, 3, 2, 1, 1)} {
		x := make([]float64, nx*ny)
		r := verify.DotProduct(h.Name(), h.In(), h.Out(),
			func(dy, dx []float64) { h.Tangent(dy, x, dx) },
			func(ax, ay []float64) { h.Adjoint(ax, x, ay) }, rnd, 1e-12)
		if !r.Pass {
			t.Errorf("%v", r)
		}
	}
	if got := Subsample(nx, ny, 3, 2, 1, 1).Out(); got != 5*6 {
		t.Errorf("subsample every 3 columns from 1 and 2 rows from 1 of 16x12: %d points, want 30", got)
	}
}

func TestBilinearRejectsNonFinite(t *testing.T) {
	if _, err := Bilinear(4, 4, []Point{{1, 1}, {math.NaN(), 2}}); !errors.Is(err, ErrInput) {
		t.Errorf("NaN position: %v, want ErrInput", err)
	}
}

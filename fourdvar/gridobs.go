package fourdvar

import (
	"fmt"
	"math"

	"github.com/adjunto/adjunto/adjoint"
)

// Point is a position on a doubly periodic grid, in grid units: X in [0, Nx) along a row,
// Y in [0, Ny) across rows; grid point (i, j) is at (i, j) and holds state index j·Nx + i.
type Point struct{ X, Y float64 }

// Bilinear returns the operator that observes a field on a doubly periodic ny×nx grid
// (row-major state of length nx·ny) at the points pts by bilinear interpolation between the
// four surrounding grid points,
//
//	H(x)_p = (1−a)(1−b) x_{i,j} + a(1−b) x_{i+1,j} + (1−a) b x_{i,j+1} + a b x_{i+1,j+1},
//
// i = ⌊X⌋, a = X − i, j = ⌊Y⌋, b = Y − j, indices wrapped. It is composed from the engine's
// Gather and elementwise products with the constant weights, so its TL and AD are exact;
// it is linear. Positions outside [0, Nx)×[0, Ny) are wrapped onto the domain. It returns
// an error wrapping ErrInput naming the first non-finite position.
func Bilinear(nx, ny int, pts []Point) (*Operator, error) {
	if nx < 1 || ny < 1 || len(pts) == 0 {
		return nil, fmt.Errorf("%w: bilinear operator on a %dx%d grid with %d points", ErrInput, ny, nx, len(pts))
	}
	var idx [4][]int
	var wt [4][]float64
	for p, pt := range pts {
		if math.IsNaN(pt.X) || math.IsInf(pt.X, 0) || math.IsNaN(pt.Y) || math.IsInf(pt.Y, 0) {
			return nil, fmt.Errorf("%w: observation point %d at (%v, %v): not finite", ErrInput, p, pt.X, pt.Y)
		}
		x, y := wrapCoord(pt.X, nx), wrapCoord(pt.Y, ny)
		i, j := int(x), int(y)
		a, b := x-float64(i), y-float64(j)
		i1, j1 := (i+1)%nx, (j+1)%ny
		for c, v := range [4]struct {
			k int
			w float64
		}{{j*nx + i, (1 - a) * (1 - b)}, {j*nx + i1, a * (1 - b)}, {j1*nx + i, (1 - a) * b}, {j1*nx + i1, a * b}} {
			idx[c] = append(idx[c], v.k)
			wt[c] = append(wt[c], v.w)
		}
	}
	name := fmt.Sprintf("bilinear(%d points on %dx%d)", len(pts), ny, nx)
	return NewOperator(name, nx*ny, true, func(x *adjoint.Value) *adjoint.Value {
		t := x.Tape()
		var y *adjoint.Value
		for c := range 4 {
			term := adjoint.Mul(adjoint.Gather(x, idx[c]), t.Constant(wt[c], 1, len(wt[c])))
			if y == nil {
				y = term
			} else {
				y = adjoint.Add(y, term)
			}
		}
		return y
	}), nil
}

// wrapCoord maps v onto [0, n).
func wrapCoord(v float64, n int) float64 {
	v = math.Mod(v, float64(n))
	if v < 0 {
		v += float64(n)
	}
	if v >= float64(n) { // −tiny + n rounds to n
		v = 0
	}
	return v
}

// Subsample returns the operator that observes every kx-th column of every ky-th row of a
// field on an ny×nx grid, starting at column ox and row oy: a regular observing network on
// the grid. It panics unless 1 ≤ k and 0 ≤ offset < k on each axis.
func Subsample(nx, ny, kx, ky, ox, oy int) *Operator {
	if kx < 1 || ky < 1 || ox < 0 || oy < 0 || ox >= min(kx, nx) || oy >= min(ky, ny) {
		panic(fmt.Sprintf("fourdvar: Subsample: every (%d, %d) from (%d, %d) on a %dx%d grid", kx, ky, ox, oy, ny, nx))
	}
	var idx []int
	for j := oy; j < ny; j += ky {
		for i := ox; i < nx; i += kx {
			idx = append(idx, j*nx+i)
		}
	}
	return NewOperator(fmt.Sprintf("subsample(%dx%d every %d,%d)", ny, nx, ky, kx), nx*ny, true, func(x *adjoint.Value) *adjoint.Value {
		return adjoint.Gather(x, idx)
	})
}

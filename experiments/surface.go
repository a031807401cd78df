package experiments

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/optimize"

	"github.com/adjunto/adjunto/internal/figure"
)

// surface is a cost J: ℝ² → ℝ recorded on the engine's tape, with what a race on it needs to
// know: where to start, where the minima are, the plotting window, and the learning rate
// each stepping method uses on it.
type surface struct {
	name    string
	formula string
	build   func(x0, x1 *adjoint.Value) *adjoint.Value
	start   [2]float64
	minima  [][2]float64
	jmin    float64
	xr, yr  [2]float64
	lr      map[string]float64
}

// tapeCost is J recorded once on a tape and replayed at each new point: the gradient is a
// reverse sweep, the Hessian-vector product central differences of two of them.
type tapeCost struct {
	t    *adjoint.Tape
	x, J *adjoint.Value
}

func newTapeCost(s *surface) *tapeCost {
	t := adjoint.NewTape()
	x := t.Vector([]float64{s.start[0], s.start[1]})
	J := s.build(adjoint.Slice(x, 0, 1), adjoint.Slice(x, 1, 2))
	return &tapeCost{t: t, x: x, J: J}
}

func (c *tapeCost) value(x []float64) float64 {
	copy(c.x.Data, x)
	c.t.Forward()
	return c.J.Scalar()
}

func (c *tapeCost) funcGrad(grad, x []float64) float64 {
	f := c.value(x)
	c.t.Gradient(c.J)
	copy(grad, c.x.Adj)
	return f
}

func (c *tapeCost) hessVec(dst, x, v []float64) {
	c.value(x)
	c.t.HessVec(dst, c.x, c.J, v, 0)
}

// hessian returns the 2×2 Hessian at x from two Hessian-vector products.
func (c *tapeCost) hessian(x []float64) [2][2]float64 {
	var h [2][2]float64
	col := make([]float64, 2)
	for j := range 2 {
		e := []float64{0, 0}
		e[j] = 1
		c.hessVec(col, x, e)
		h[0][j], h[1][j] = col[0], col[1]
	}
	return h
}

func (c *tapeCost) problem() optimize.Problem {
	return optimize.Problem{FuncGrad: c.funcGrad, HessVec: c.hessVec}
}

// quadraticSurface is J = ½ (x, y) A (x, y)ᵀ with A of eigenvalues 1 and kappa, its stiff
// axis turned by angle degrees from the y axis.
func quadraticSurface(kappa, angle float64) *surface {
	th := angle * math.Pi / 180
	c, s := math.Cos(th), math.Sin(th)
	// A = Q diag(1, κ) Qᵀ with Q the rotation by θ.
	a := c*c + kappa*s*s
	b := (1 - kappa) * c * s
	d := s*s + kappa*c*c
	return &surface{
		name:    "quadratic",
		formula: fmt.Sprintf("J = ½(%.3g x² %s %.3g xy + %.3g y²), κ = %g", a, sign(b), math.Abs(2*b), d, kappa),
		build: func(x, y *adjoint.Value) *adjoint.Value {
			xx := adjoint.Scale(0.5*a, adjoint.Square(x))
			xy := adjoint.Scale(b, adjoint.Mul(x, y))
			yy := adjoint.Scale(0.5*d, adjoint.Square(y))
			return adjoint.Add(adjoint.Add(xx, xy), yy)
		},
		start:  [2]float64{-4, 2.5},
		minima: [][2]float64{{0, 0}},
		jmin:   0,
		xr:     [2]float64{-5, 5}, yr: [2]float64{-3.5, 3.5},
		lr: map[string]float64{
			"gd": 1.6 / kappa, "momentum": 0.3 / kappa, "nesterov": 0.3 / kappa,
			"adagrad": 1, "rmsprop": 0.05, "adam": 0.2, "adamw": 0.2,
		},
	}
}

// rosenbrockSurface is J = (1 − x)² + 100 (y − x²)², the banana valley of Rosenbrock (1960).
func rosenbrockSurface() *surface {
	return &surface{
		name:    "rosenbrock",
		formula: "J = (1 − x)² + 100 (y − x²)²",
		build: func(x, y *adjoint.Value) *adjoint.Value {
			one := x.Tape().Scalar(1)
			a := adjoint.Square(adjoint.Sub(one, x))
			b := adjoint.Square(adjoint.Sub(y, adjoint.Square(x)))
			return adjoint.Add(a, adjoint.Scale(100, b))
		},
		start:  [2]float64{-1.5, 2},
		minima: [][2]float64{{1, 1}},
		jmin:   0,
		xr:     [2]float64{-2, 2}, yr: [2]float64{-1, 3},
		lr: map[string]float64{
			"gd": 1.5e-3, "momentum": 2e-4, "nesterov": 2e-4,
			"adagrad": 0.5, "rmsprop": 1e-2, "adam": 0.1, "adamw": 0.1,
		},
	}
}

// saddleSurface is J = ½x² + ¼y⁴ − ½y², a saddle at the origin between two minima (0, ±1).
// The race starts almost on the ridge y = 0, where the gradient hardly points off it.
func saddleSurface() *surface {
	return &surface{
		name:    "saddle",
		formula: "J = ½x² + ¼y⁴ − ½y²",
		build: func(x, y *adjoint.Value) *adjoint.Value {
			xx := adjoint.Scale(0.5, adjoint.Square(x))
			y2 := adjoint.Square(y)
			y4 := adjoint.Scale(0.25, adjoint.Square(y2))
			return adjoint.Sub(adjoint.Add(xx, y4), adjoint.Scale(0.5, y2))
		},
		start:  [2]float64{-2.5, 1e-3},
		minima: [][2]float64{{0, 1}, {0, -1}},
		jmin:   -0.25,
		xr:     [2]float64{-3, 3}, yr: [2]float64{-1.8, 1.8},
		lr: map[string]float64{
			"gd": 0.1, "momentum": 0.02, "nesterov": 0.02,
			"adagrad": 0.3, "rmsprop": 0.02, "adam": 0.05, "adamw": 0.05,
		},
	}
}

// distToMin returns the distance from x to the nearest minimum of s.
func (s *surface) distToMin(x []float64) float64 {
	d := math.Inf(1)
	for _, m := range s.minima {
		d = math.Min(d, math.Hypot(x[0]-m[0], x[1]-m[1]))
	}
	return d
}

// costGrid samples J on an n×n grid over the surface's window, for contour plots.
type costGrid struct {
	xs, ys []float64
	z      [][]float64 // z[i][j] = J(xs[i], ys[j])
}

func (g *costGrid) Dims() (c, r int)   { return len(g.xs), len(g.ys) }
func (g *costGrid) Z(c, r int) float64 { return g.z[c][r] }
func (g *costGrid) X(c int) float64    { return g.xs[c] }
func (g *costGrid) Y(r int) float64    { return g.ys[r] }

func newCostGrid(c *tapeCost, xr, yr [2]float64, n int) *costGrid {
	g := &costGrid{xs: linspace(xr[0], xr[1], n), ys: linspace(yr[0], yr[1], n)}
	g.z = make([][]float64, n)
	for i, x := range g.xs {
		g.z[i] = make([]float64, n)
		for j, y := range g.ys {
			g.z[i][j] = c.value([]float64{x, y})
		}
	}
	return g
}

// contourLevels returns levels jmin + d·q^k, geometric in the height above the minimum, so
// that the narrow floor of a valley gets as many contours as its steep walls.
func contourLevels(g *costGrid, jmin float64, n int) []float64 {
	hi := math.Inf(-1)
	for _, col := range g.z {
		for _, v := range col {
			hi = math.Max(hi, v)
		}
	}
	top := hi - jmin
	if !(top > 0) {
		return []float64{jmin}
	}
	lv := make([]float64, n)
	for k := range lv {
		lv[k] = jmin + top*math.Pow(1e-3, float64(n-1-k)/float64(n-1))*0.8
	}
	return lv
}

// contourPlot returns a plot of the contour lines of J over the window of s.
func contourPlot(s *surface, g *costGrid, levels []float64, title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "x"
	p.Y.Label.Text = "y"
	p.X.Min, p.X.Max = s.xr[0], s.xr[1]
	p.Y.Min, p.Y.Max = s.yr[0], s.yr[1]
	p.X.Tick.Marker = figure.Ticks{}
	p.Y.Tick.Marker = figure.Ticks{}
	ct := plotter.NewContour(g, levels, nil)
	ct.LineStyles = []draw.LineStyle{{Color: color.Gray{Y: 185}, Width: vg.Points(0.6)}}
	p.Add(ct)
	return p
}

// sign returns the operator that joins a term of sign v to a formula.
func sign(v float64) string {
	if v < 0 {
		return "−"
	}
	return "+"
}

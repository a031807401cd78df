package experiments

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/adjunto/adjunto/internal/figure"
)

// tab10 is the ten-colour qualitative palette of matplotlib and d3 ("category10"), whose
// colours stay distinguishable on a contour background and in a 256-colour GIF.
var tab10 = []color.RGBA{
	{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
	{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255},
	{188, 189, 34, 255}, {23, 190, 207, 255},
}

// seriesColor returns the i-th colour of tab10, wrapping.
func seriesColor(i int) color.RGBA { return tab10[i%len(tab10)] }

// newPlot returns a plot with a title, axis labels and a light grid.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{Y: 225}
	g.Horizontal.Color = color.Gray{Y: 225}
	p.Add(g)
	p.X.Tick.Marker = figure.Ticks{}
	p.Y.Tick.Marker = figure.Ticks{}
	return p
}

// xys pairs xs and ys as plotter points, skipping pairs with a non-finite member, which
// gonum/plot refuses (a diverged loss curve stops where it diverged).
func xys(xs, ys []float64) plotter.XYs {
	pts := make(plotter.XYs, 0, len(xs))
	for i := range xs {
		if finite(xs[i]) && finite(ys[i]) {
			pts = append(pts, plotter.XY{X: xs[i], Y: ys[i]})
		}
	}
	return pts
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// addLine draws ys against xs in colour c, dashed if dashed, with a legend entry unless name
// is empty. Nothing is drawn when no point is finite.
func addLine(p *plot.Plot, name string, xs, ys []float64, c color.Color, dashed bool) {
	pts := xys(xs, ys)
	if len(pts) == 0 {
		return
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		panic("experiments: addLine: " + err.Error()) // xys removed what NewLine rejects
	}
	l.Color = c
	l.Width = vg.Points(1.5)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	}
	p.Add(l)
	if name != "" {
		p.Legend.Add(name, l)
	}
}

// addPoints draws markers at (xs, ys).
func addPoints(p *plot.Plot, name string, xs, ys []float64, c color.Color, shape draw.GlyphDrawer, radius vg.Length) {
	pts := xys(xs, ys)
	if len(pts) == 0 {
		return
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		panic("experiments: addPoints: " + err.Error())
	}
	s.Color = c
	s.Shape = shape
	s.Radius = radius
	p.Add(s)
	if name != "" {
		p.Legend.Add(name, s)
	}
}

// setLogY makes the y axis of p logarithmic.
func setLogY(p *plot.Plot) {
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = figure.LogTicks{}
}

// linspace returns n evenly spaced values from a to b inclusive.
func linspace(a, b float64, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		if n == 1 {
			xs[i] = a
			continue
		}
		xs[i] = a + (b-a)*float64(i)/float64(n-1)
	}
	return xs
}

// newTileGrid returns rows×cols nil plots for Output.SaveTiles.
func newTileGrid(rows, cols int) [][]*plot.Plot {
	g := make([][]*plot.Plot, rows)
	for i := range g {
		g[i] = make([]*plot.Plot, cols)
	}
	return g
}

type colorRGBA = color.RGBA

var plotBlack = color.RGBA{A: 255}

var (
	plotGray    = color.RGBA{R: 120, G: 120, B: 120, A: 255}
	circleGlyph = draw.CircleGlyph{}
)

type plotPlot = plot.Plot

var plotLogScale = plot.LogScale{}

type (
	drawCanvas = draw.Canvas
	vgPoint    = vg.Point
)

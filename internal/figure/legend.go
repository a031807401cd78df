package figure

import (
	"image"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// legendDPI is the resolution of the sketch placeLegend draws to find the empty corners.
const legendDPI = 36

// Fractions of the legend's area drawn on below which a corner counts as empty, and above
// which every corner of the plot is taken to be filled by design (a contour map, a heat map),
// where raising the axis would not help.
const (
	emptyInk = 0.003
	fullInk  = 0.25
)

// placeLegend moves p's legend, drawn w×h, to the corner of the data area where it covers
// the least of what is drawn: the corner it is in first, then the other three. Where every
// corner covers data, it raises the y axis's maximum until the legend fits above the data,
// at the top. It finds what is drawn by drawing p without its legend on a small raster, so
// it sees every kind of plotter; a plot filled with data everywhere keeps its legend.
func placeLegend(p *plot.Plot, w, h vg.Length) {
	saved := p.Legend
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(legendDPI))
	size := saved.Rectangle(draw.New(img)).Size()
	if size.X == 0 || size.Y == 0 {
		return // no entries
	}
	p.Legend = plot.NewLegend()
	defer func() { p.Legend = saved }()

	type corner struct{ top, left bool }
	corners := []corner{{saved.Top, saved.Left}}
	for _, c := range []corner{{true, false}, {true, true}, {false, false}, {false, true}} {
		if c != corners[0] {
			corners = append(corners, c)
		}
	}
	inks := func() []float64 {
		img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(legendDPI))
		c := draw.New(img)
		p.Draw(c)
		dc := p.DataCanvas(c)
		fs := make([]float64, len(corners))
		for i, k := range corners {
			r := vg.Rectangle{Min: dc.Min, Max: dc.Max}
			if k.left {
				r.Max.X = r.Min.X + size.X
			} else {
				r.Min.X = r.Max.X - size.X
			}
			if k.top {
				r.Min.Y = r.Max.Y - size.Y
			} else {
				r.Max.Y = r.Min.Y + size.Y
			}
			fs[i] = inkFraction(img.Image(), r, h)
		}
		return fs
	}
	fs := inks()
	best := 0
	for i, f := range fs {
		if f < fs[best]-emptyInk {
			best = i
		}
	}
	if fs[best] > emptyInk && fs[best] < fullInk {
		// Raise the top of the y axis so that the data stay below the legend.
		dc := p.DataCanvas(draw.New(img))
		frac := float64(size.Y+vg.Points(10)) / float64(dc.Max.Y-dc.Min.Y)
		if frac < 0.5 {
			raiseMax(&p.Y, frac)
			fs = inks()
			best = -1
			for i, f := range fs {
				if corners[i].top && (best < 0 || f < fs[best]-emptyInk) {
					best = i
				}
			}
		}
	}
	saved.Top, saved.Left = corners[best].top, corners[best].left
}

// raiseMax raises a.Max so that the data range takes the lower 1−frac of the axis, in the
// axis's own scale (linear or logarithmic).
func raiseMax(a *plot.Axis, frac float64) {
	if _, ok := a.Scale.(plot.LogScale); ok && a.Min > 0 {
		lo, hi := math.Log10(a.Min), math.Log10(a.Max)
		a.Max = math.Pow(10, lo+(hi-lo)/(1-frac))
		return
	}
	a.Max = a.Min + (a.Max-a.Min)/(1-frac)
}

// inkFraction returns the fraction of the pixels of r (in points, y up, on a canvas of height
// h) that are drawn on: darker than the light grid, or coloured.
func inkFraction(img image.Image, r vg.Rectangle, h vg.Length) float64 {
	scale := legendDPI / 72.0
	b := img.Bounds()
	x0, x1 := int(float64(r.Min.X)*scale), int(math.Ceil(float64(r.Max.X)*scale))
	y0, y1 := int(float64(h-r.Max.Y)*scale), int(math.Ceil(float64(h-r.Min.Y)*scale))
	x0, y0, x1, y1 = max(x0, b.Min.X), max(y0, b.Min.Y), min(x1, b.Max.X), min(y1, b.Max.Y)
	var ink, all int
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			all++
			cr, cg, cb, _ := img.At(x, y).RGBA()
			r, g, b := cr>>8, cg>>8, cb>>8
			if (r+g+b)/3 < 200 || max(r, g, b)-min(r, g, b) > 60 {
				ink++
			}
		}
	}
	if all == 0 {
		return 0
	}
	return float64(ink) / float64(all)
}

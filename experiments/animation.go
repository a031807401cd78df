package experiments

import (
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// animator draws growing paths over a background plot as an animated GIF with the standard
// library's image/gif. The background (axes, contours, legend) is rasterised once by
// gonum/plot; each later frame holds only the pixels of the new path segments, over a
// transparent rectangle, and leaves the earlier frames in place (disposal "none"), so the
// file stays small however long the race.
type animator struct {
	g     gif.GIF
	pal   color.Palette
	index map[color.RGBA]uint8
	// toPix maps data coordinates to pixel coordinates; clip is the data area in pixels.
	toPix func(x, y float64) (float64, float64)
	clip  image.Rectangle
	// pending is the current frame's drawing: a full-size scratch image and the
	// bounding box of what has been drawn on it since the last frame.
	pending *image.Paletted
	dirty   image.Rectangle
	transp  uint8
}

// gifDPI is the resolution of the animation: a small file that still reads on screen.
const gifDPI = 72

// newAnimator rasterises p at w×h and sets it as the first frame.
func newAnimator(p *plot.Plot, w, h vg.Length, colors []color.RGBA) *animator {
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(gifDPI))
	dc := draw.New(c)
	p.Draw(dc)
	data := p.DataCanvas(dc)
	trX, trY := p.Transforms(&data)
	img := c.Image()
	b := img.Bounds()
	scale := float64(gifDPI) / 72
	hpx := float64(b.Dy())

	a := &animator{index: map[color.RGBA]uint8{}}
	// The palette: the web-safe cube for the background, sixteen greys for antialiased
	// contours and text, the series colours exactly, and one transparent entry.
	a.pal = append(a.pal, palette.WebSafe...)
	for i := range 16 {
		v := uint8(i * 17)
		a.pal = append(a.pal, color.RGBA{v, v, v, 255})
	}
	for _, c := range colors {
		a.pal = append(a.pal, c)
	}
	a.pal = append(a.pal, color.RGBA{})
	a.transp = uint8(len(a.pal) - 1)

	base := image.NewPaletted(b, a.pal)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			base.SetColorIndex(x, y, a.colorIndex(color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)))
		}
	}
	a.toPix = func(x, y float64) (float64, float64) {
		return trX(x).Points() * scale, hpx - trY(y).Points()*scale
	}
	x0, y0 := data.Min.X.Points()*scale, hpx-data.Max.Y.Points()*scale
	x1, y1 := data.Max.X.Points()*scale, hpx-data.Min.Y.Points()*scale
	a.clip = image.Rect(int(math.Ceil(x0)), int(math.Ceil(y0)), int(x1), int(y1))
	a.g.Image = append(a.g.Image, base)
	a.g.Delay = append(a.g.Delay, 50)
	a.g.Disposal = append(a.g.Disposal, gif.DisposalNone)
	a.g.Config = image.Config{ColorModel: a.pal, Width: b.Dx(), Height: b.Dy()}
	a.pending = image.NewPaletted(b, a.pal)
	a.clearPending()
	return a
}

func (a *animator) colorIndex(c color.RGBA) uint8 {
	if i, ok := a.index[c]; ok {
		return i
	}
	// Search the opaque entries only: the transparent one is for frame deltas.
	i := uint8(a.pal[:len(a.pal)-1].Index(c))
	a.index[c] = i
	return i
}

func (a *animator) clearPending() {
	for i := range a.pending.Pix {
		a.pending.Pix[i] = a.transp
	}
	a.dirty = image.Rectangle{}
}

// segment draws the segment from (x0, y0) to (x1, y1), in data coordinates, in colour c,
// two pixels wide, clipped to the data area.
func (a *animator) segment(x0, y0, x1, y1 float64, c color.RGBA) {
	if !finite(x0) || !finite(y0) || !finite(x1) || !finite(y1) {
		return
	}
	px0, py0 := a.toPix(x0, y0)
	px1, py1 := a.toPix(x1, y1)
	// A run away to 1e300 would make the loop below endless: clamp far outside the image.
	lim := float64(4 * (a.g.Config.Width + a.g.Config.Height))
	px0, py0, px1, py1 = clampf(px0, lim), clampf(py0, lim), clampf(px1, lim), clampf(py1, lim)
	ci := a.colorIndex(c)
	n := int(math.Max(math.Abs(px1-px0), math.Abs(py1-py0))) + 1
	for k := 0; k <= n; k++ {
		t := float64(k) / float64(n)
		x := int(math.Round(px0 + t*(px1-px0)))
		y := int(math.Round(py0 + t*(py1-py0)))
		for _, d := range [4][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
			p := image.Pt(x+d[0], y+d[1])
			if !p.In(a.clip) {
				continue
			}
			a.pending.SetColorIndex(p.X, p.Y, ci)
			a.dirty = a.dirty.Union(image.Rectangle{Min: p, Max: p.Add(image.Pt(1, 1))})
		}
	}
}

func clampf(v, lim float64) float64 { return math.Max(-lim, math.Min(lim, v)) }

// frame ends the current frame, shown for delay hundredths of a second. A frame with nothing
// new adds delay to the previous one instead.
func (a *animator) frame(delay int) {
	if a.dirty.Empty() {
		a.g.Delay[len(a.g.Delay)-1] += delay
		return
	}
	f := image.NewPaletted(a.dirty, a.pal)
	for y := a.dirty.Min.Y; y < a.dirty.Max.Y; y++ {
		copy(f.Pix[f.PixOffset(a.dirty.Min.X, y):f.PixOffset(a.dirty.Max.X, y)],
			a.pending.Pix[a.pending.PixOffset(a.dirty.Min.X, y):a.pending.PixOffset(a.dirty.Max.X, y)])
	}
	a.g.Image = append(a.g.Image, f)
	a.g.Delay = append(a.g.Delay, delay)
	a.g.Disposal = append(a.g.Disposal, gif.DisposalNone)
	a.clearPending()
}

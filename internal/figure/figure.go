// Package figure renders gonum/plot figures to the two formats adjunto writes, PNG for viewing
// and SVG for print, each written atomically. A figure is a grid of plots whose axes are
// aligned, so the panels of one figure (a trajectory above its error, one activation per
// panel) line up.
package figure

import (
	"bytes"
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/adjunto/adjunto/internal/atomicfile"
)

// dpi is the resolution of the PNG figures: enough to read on a screen, small on disk.
const dpi = 96

// Encode draws plots, a grid of rows of equal length (a nil plot leaves its tile empty),
// w×h in total, and returns the PNG and SVG encodings. It first gives every plot adjunto's
// defaults (tick labels, title spacing, a legend placed where it covers no data), and draws
// the panel titles of each row at one height.
func Encode(plots [][]*plot.Plot, w, h vg.Length) (png, svg []byte, err error) {
	if len(plots) == 0 || len(plots[0]) == 0 {
		panic("figure: Encode: no plots")
	}
	tw, th := w/vg.Length(len(plots[0])), h/vg.Length(len(plots))
	for _, row := range plots {
		for _, p := range row {
			if p != nil {
				prepare(p, tw, th)
			}
		}
	}
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi))
	draw1(draw.New(img), plots)
	var pb bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&pb); err != nil {
		return nil, nil, fmt.Errorf("figure: PNG: %w", err)
	}
	s := vgsvg.New(w, h)
	draw1(draw.New(s), plots)
	var sb bytes.Buffer
	if _, err := s.WriteTo(&sb); err != nil {
		return nil, nil, fmt.Errorf("figure: SVG: %w", err)
	}
	return pb.Bytes(), sb.Bytes(), nil
}

// prepare gives p, to be drawn w×h, the defaults every adjunto figure shares: axes left
// with gonum's default tick markers get Ticks and LogTicks (shortest labels, one format on
// a log axis), the title keeps its distance from the data, and the legend moves to where it
// covers no data (see placeLegend). Encode calls it; it is idempotent.
func prepare(p *plot.Plot, w, h vg.Length) {
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		switch a.Tick.Marker.(type) {
		case plot.DefaultTicks:
			a.Tick.Marker = Ticks{}
		case plot.LogTicks:
			a.Tick.Marker = LogTicks{}
		}
	}
	if p.Title.Text != "" && p.Title.Padding < titlePadding {
		p.Title.Padding = titlePadding
	}
	placeLegend(p, w, h)
}

// titlePadding separates a title from the plot below it.
const titlePadding = vg.Length(6)

// Save draws plots as Encode does and writes them to base.png and base.svg, atomically. It
// returns the paths written.
func Save(base string, plots [][]*plot.Plot, w, h vg.Length) ([]string, error) {
	png, svg, err := Encode(plots, w, h)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, f := range []struct {
		ext  string
		data []byte
	}{{".png", png}, {".svg", svg}} {
		if err := atomicfile.WriteBytes(base+f.ext, f.data); err != nil {
			return paths, err
		}
		paths = append(paths, base+f.ext)
	}
	return paths, nil
}

// margin is left around a figure, so that a glyph at the end of an axis or the title is
// not cut by the border.
const margin = 2 * vg.Millimeter

func draw1(c draw.Canvas, plots [][]*plot.Plot) {
	if len(plots) == 1 && len(plots[0]) == 1 {
		plots[0][0].Draw(draw.Crop(c, margin, -margin, margin, -margin))
		return
	}
	// The titles are drawn here rather than by each plot, at one height per row: a plot
	// draws its title at the top of its tile, which plot.Align moves with the extent of
	// the tick labels, so that panels with different labels had titles out of line.
	titles := make([][]string, len(plots))
	var titleH vg.Length
	for i, row := range plots {
		titles[i] = make([]string, len(row))
		for j, p := range row {
			if p != nil && p.Title.Text != "" {
				titles[i][j], p.Title.Text = p.Title.Text, ""
				titleH = max(titleH, p.Title.TextStyle.Rectangle(titles[i][j]).Size().Y+p.Title.Padding)
			}
		}
	}
	defer func() {
		for i, row := range plots {
			for j, p := range row {
				if p != nil {
					p.Title.Text = titles[i][j]
				}
			}
		}
	}()
	t := draw.Tiles{Rows: len(plots), Cols: len(plots[0]), PadX: 2 * margin, PadY: 2*margin + titleH,
		PadTop: margin + titleH, PadBottom: margin, PadLeft: margin, PadRight: margin}
	canvases := plot.Align(plots, t, c)
	for i, row := range plots {
		var top vg.Length
		for j, p := range row {
			if p != nil {
				top = max(top, canvases[i][j].Max.Y)
			}
		}
		for j, p := range row {
			if p == nil {
				continue
			}
			p.Draw(canvases[i][j])
			if titles[i][j] != "" {
				sty := p.Title.TextStyle
				dc := p.DataCanvas(canvases[i][j])
				// As plot.Draw places it: the point is the text's top, raised by the descent.
				y := top + p.Title.Padding + sty.Rectangle(titles[i][j]).Size().Y + sty.FontExtents().Descent
				c.FillText(sty, vg.Point{X: dc.Center().X, Y: y}, titles[i][j])
			}
		}
	}
}

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

// DPI is the resolution of the PNG figures: enough to read on a screen, small on disk.
const DPI = 96

// Encode draws plots, a grid of rows of equal length (a nil plot leaves its tile empty),
// w×h in total, and returns the PNG and SVG encodings.
func Encode(plots [][]*plot.Plot, w, h vg.Length) (png, svg []byte, err error) {
	if len(plots) == 0 || len(plots[0]) == 0 {
		panic("figure: Encode: no plots")
	}
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(DPI))
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

func draw1(c draw.Canvas, plots [][]*plot.Plot) {
	if len(plots) == 1 && len(plots[0]) == 1 {
		plots[0][0].Draw(c)
		return
	}
	pad := vg.Millimeter * 2
	t := draw.Tiles{Rows: len(plots), Cols: len(plots[0]), PadX: 2 * pad, PadY: 2 * pad,
		PadTop: pad, PadBottom: pad, PadLeft: pad, PadRight: pad}
	canvases := plot.Align(plots, t, c)
	for i, row := range plots {
		for j, p := range row {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
}

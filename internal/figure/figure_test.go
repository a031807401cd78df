package figure

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

func line(t *testing.T) *plot.Plot {
	p := plot.New()
	l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		t.Fatal(err)
	}
	p.Add(l)
	return p
}

func TestSaveWritesPNGAndSVG(t *testing.T) {
	base := filepath.Join(t.TempDir(), "fig")
	paths, err := Save(base, [][]*plot.Plot{{line(t), nil}, {line(t), line(t)}}, 4*vg.Inch, 3*vg.Inch)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 {
		t.Fatalf("paths %v", paths)
	}
	png, _ := os.ReadFile(base + ".png")
	svg, _ := os.ReadFile(base + ".svg")
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Error("base.png is not a PNG")
	}
	if !bytes.Contains(svg, []byte("<svg")) {
		t.Error("base.svg is not an SVG")
	}
}

func TestLogTicksOneFormat(t *testing.T) {
	for _, c := range []struct {
		min, max float64
		want     []string
	}{
		{3e-4, 6e-3, []string{"5e-4", "1e-3", "2e-3", "5e-3"}},
		{0.02, 0.9, []string{"0.02", "0.05", "0.1", "0.2", "0.5"}},
		{0.12, 0.45, []string{"0.2", "0.3", "0.4"}},
		{0.02, 300, []string{"0.1", "1", "10", "100"}},
		{1e-9, 1e3, []string{"1e-9", "1e-7", "1e-5", "1e-3", "1e-1", "1e1", "1e3"}},
	} {
		var got []string
		for _, tk := range (LogTicks{}).Ticks(c.min, c.max) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("LogTicks(%g, %g): labels %q, want %q", c.min, c.max, got, c.want)
		}
	}
}

func TestTicksAreShortest(t *testing.T) {
	for _, tk := range (Ticks{}).Ticks(0, 100) {
		if strings.Contains(tk.Label, ".") {
			t.Errorf("tick %v labelled %q on an axis of 0 … 100", tk.Value, tk.Label)
		}
	}
}

// TestLegendLeavesTheData draws a line rising to the top right, where gonum puts the legend
// by default, and checks that prepare moves the legend to the empty top left; a legend over a
// plot drawn on in every corner (zigzags along the top and the bottom) goes above the data.
func TestLegendLeavesTheData(t *testing.T) {
	p := plot.New()
	l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 0.2}, {X: 2, Y: 1}})
	if err != nil {
		t.Fatal(err)
	}
	p.Add(l)
	p.Legend.Add("a rising line with a long name", l)
	p.Legend.Top = true
	prepare(p, 4*vg.Inch, 3*vg.Inch)
	if !p.Legend.Top || !p.Legend.Left {
		t.Errorf("legend at top %v, left %v; want the empty top left", p.Legend.Top, p.Legend.Left)
	}

	q := plot.New()
	for _, y := range []float64{0, 1} { // zigzags along the bottom and the top
		var zz plotter.XYs
		for i := range 41 {
			zz = append(zz, plotter.XY{X: float64(i) / 20, Y: y + 0.03*float64(i%2)})
		}
		z, err := plotter.NewLine(zz)
		if err != nil {
			t.Fatal(err)
		}
		q.Add(z)
		q.Legend.Add("zigzag", z)
	}
	prepare(q, 4*vg.Inch, 3*vg.Inch)
	if !q.Legend.Top || !(q.Y.Max > 1.1) {
		t.Errorf("legend at top %v with the y axis up to %g; want it at the top, above the data (max > 1.1)", q.Legend.Top, q.Y.Max)
	}
}

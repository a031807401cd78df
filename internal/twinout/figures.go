package twinout

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/internal/figure"
)

// seriesSteps is the number of steps, the last ones, the time-series figure shows: enough
// for many windows, few enough to see them.
const seriesSteps = 400

var (
	colTruth      = color.RGBA{A: 255}
	colBackground = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	colAnalysis   = color.RGBA{R: 214, G: 39, B: 40, A: 255}
	colForecast   = color.RGBA{R: 44, G: 160, B: 44, A: 255}
	colAnalysis0  = color.RGBA{R: 148, G: 103, B: 189, A: 255}
	colObs        = color.RGBA{R: 127, G: 127, B: 127, A: 255}
)

// writeFigures writes the figures of a twin experiment into dir, each as PNG and SVG:
// series (truth, background and analysis of the recorded variables against time, with the
// observations), rmse (RMSE of background, analysis and forecast against cycle) and cost
// (J against iteration for a few cycles).
func writeFigures(dir string, res *fourdvar.Result) error {
	if err := writeSeries(filepath.Join(dir, "series"), &res.Series); err != nil {
		return err
	}
	if err := writeRMSE(filepath.Join(dir, "rmse"), res.Cycles); err != nil {
		return err
	}
	return writeCost(filepath.Join(dir, "cost"), res.Histories)
}

func line(xy plotter.XYs, c color.Color, dashed bool) *plotter.Line {
	l, err := plotter.NewLine(xy)
	if err != nil {
		panic(fmt.Sprintf("fourdvar: plot line: %v", err)) // XYs are finite by construction
	}
	l.Color = c
	l.Width = vg.Points(1)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
	}
	return l
}

// finiteXY drops non-finite points, which plotter refuses.
func finiteXY(x []float64, y []float64) plotter.XYs {
	xy := make(plotter.XYs, 0, len(x))
	for i := range x {
		if finite(x[i]) && finite(y[i]) {
			xy = append(xy, plotter.XY{X: x[i], Y: y[i]})
		}
	}
	return xy
}

func writeSeries(base string, s *fourdvar.Series) error {
	if len(s.Steps) == 0 || len(s.Record) == 0 {
		return nil
	}
	from := max(0, len(s.Steps)-seriesSteps)
	steps := make([]float64, len(s.Steps)-from)
	for i, k := range s.Steps[from:] {
		steps[i] = float64(k)
	}
	first := s.Steps[from]
	rows := make([][]*plot.Plot, len(s.Record))
	for v, idx := range s.Record {
		p := plot.New()
		p.Y.Label.Text = fmt.Sprintf("x%d", idx)
		if v == 0 {
			p.Title.Text = "Truth, background and analysis"
		}
		if v == len(s.Record)-1 {
			p.X.Label.Text = "time step"
		}
		var ox, oy []float64
		for j, k := range s.ObsSteps[v] {
			if k >= first {
				ox = append(ox, float64(k))
				oy = append(oy, s.Obs[v][j])
			}
		}
		if len(ox) > 0 {
			sc, err := plotter.NewScatter(finiteXY(ox, oy))
			if err == nil {
				sc.GlyphStyle.Color = colObs
				sc.GlyphStyle.Radius = vg.Points(1.2)
				p.Add(sc)
				if v == 0 {
					p.Legend.Add("observations", sc)
				}
			}
		}
		lt := line(finiteXY(steps, s.Truth[v][from:]), colTruth, false)
		lb := line(finiteXY(steps, s.Background[v][from:]), colBackground, true)
		la := line(finiteXY(steps, s.Analysis[v][from:]), colAnalysis, false)
		p.Add(lt, lb, la)
		if v == 0 {
			p.Legend.Add("truth", lt)
			p.Legend.Add("background", lb)
			p.Legend.Add("analysis", la)
			p.Legend.Top = true
			// Headroom above the curves for the legend.
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, y := range [][]float64{s.Truth[v][from:], s.Background[v][from:], s.Analysis[v][from:], oy} {
				for _, u := range y {
					if finite(u) {
						lo, hi = math.Min(lo, u), math.Max(hi, u)
					}
				}
			}
			if lo < hi {
				p.Y.Min, p.Y.Max = lo, hi+0.6*(hi-lo)
			}
		}
		rows[v] = []*plot.Plot{p}
	}
	w, h := 9*vg.Inch, vg.Length(len(rows))*2.2*vg.Inch
	return writePlots(base, rows, w, h)
}

func writeRMSE(base string, cycles []fourdvar.Cycle) error {
	p := plot.New()
	p.Title.Text = "RMSE against cycle"
	p.X.Label.Text = "cycle"
	p.Y.Label.Text = "RMSE"
	x := make([]float64, len(cycles))
	bg := make([]float64, len(cycles))
	an := make([]float64, len(cycles))
	fc := make([]float64, len(cycles))
	a0 := make([]float64, len(cycles))
	for i, c := range cycles {
		x[i] = float64(c.Cycle)
		bg[i], an[i], fc[i], a0[i] = c.RMSEBackground, c.RMSEAnalysis, c.RMSEForecast, c.RMSEAnalysisStart
	}
	for _, l := range []struct {
		name string
		y    []float64
		c    color.Color
	}{
		// Background and analysis at the window's start compare like with like; the analysis
		// at the window's end is the filter analysis the setups are scored by.
		{"background (window start)", bg, colBackground}, {"analysis (window start)", a0, colAnalysis0},
		{"analysis (window end)", an, colAnalysis}, {"forecast", fc, colForecast},
	} {
		xy := finiteXY(x, l.y)
		if len(xy) == 0 {
			continue
		}
		ln := line(xy, l.c, false)
		p.Add(ln)
		p.Legend.Add(l.name, ln)
	}
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return writePlots(base, [][]*plot.Plot{{p}}, 8*vg.Inch, 4*vg.Inch)
}

func writeCost(base string, hist [][]float64) error {
	p := plot.New()
	p.Title.Text = "Cost J against iteration"
	p.X.Label.Text = "iteration"
	p.Y.Label.Text = "J"
	// A handful of cycles spread over the run: the first, the last and three between.
	var picks []int
	if n := len(hist); n > 0 {
		for _, f := range []float64{0, 0.25, 0.5, 0.75, 1} {
			c := int(math.Round(f * float64(n-1)))
			if len(picks) == 0 || picks[len(picks)-1] != c {
				picks = append(picks, c)
			}
		}
	}
	palette := []color.Color{colAnalysis, colBackground, colForecast, color.RGBA{R: 148, G: 103, B: 189, A: 255}, colTruth}
	added := false
	for i, c := range picks {
		var xy plotter.XYs
		for it, j := range hist[c] {
			if finite(j) {
				xy = append(xy, plotter.XY{X: float64(it), Y: j})
			}
		}
		if len(xy) < 1 {
			continue
		}
		ln := line(xy, palette[i%len(palette)], false)
		p.Add(ln)
		p.Legend.Add(fmt.Sprintf("cycle %d", c), ln)
		added = true
	}
	if !added {
		return nil
	}
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return writePlots(base, [][]*plot.Plot{{p}}, 8*vg.Inch, 4*vg.Inch)
}

// writePlots draws a column of plots, aligned, into base.png and base.svg, atomically.
func writePlots(base string, rows [][]*plot.Plot, w, h vg.Length) error {
	_, err := figure.Save(base, rows, w, h)
	return err
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

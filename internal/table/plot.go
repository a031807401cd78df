package table

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Plot draws the table's metric against its column axis, one line per row (per combination of
// the other axes), with the 95 % intervals as error bars. Numeric column labels are placed at
// their values, others at equal spacing.
func (t *Table) Plot() (*plot.Plot, error) {
	if t.Col == "" {
		return nil, errors.New("a figure needs an axis for x")
	}
	xs := make([]float64, len(t.ColKey))
	numeric := true
	for j, l := range t.ColKey {
		v, err := strconv.ParseFloat(l, 64)
		if err != nil {
			numeric = false
			break
		}
		xs[j] = v
	}
	p := plot.New()
	p.X.Label.Text = t.Col
	p.Y.Label.Text = t.Metric
	if !numeric {
		for j := range xs {
			xs[j] = float64(j)
		}
		p.NominalX(t.ColKey...)
	}
	// The interval is there only where a cell has two values or more.
	for _, row := range t.Cells {
		for _, c := range row {
			if t.Over != "" && c.N >= 2 {
				p.Title.Text = "mean and 95 % interval over " + t.Over
			}
		}
	}
	p.Legend.Top, p.Legend.Left = true, true
	// The legend names the axes that tell the lines apart, not those with one value.
	var vary []int
	for k := range t.Rows {
		for _, labels := range t.RowKey {
			if labels[k] != t.RowKey[0][k] {
				vary = append(vary, k)
				break
			}
		}
	}
	for i, labels := range t.RowKey {
		var pts plotter.XYs
		var errs plotter.YErrors
		for j, c := range t.Cells[i] {
			if math.IsNaN(c.Mean) {
				continue
			}
			pts = append(pts, plotter.XY{X: xs[j], Y: c.Mean})
			h := c.CI95
			if math.IsNaN(h) {
				h = 0
			}
			errs = append(errs, struct{ Low, High float64 }{h, h})
		}
		if len(pts) == 0 {
			continue
		}
		line, dots, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, err
		}
		line.Color = plotutil.Color(i)
		dots.Color = plotutil.Color(i)
		dots.Shape = plotutil.Shape(i)
		bars, err := plotter.NewYErrorBars(struct {
			plotter.XYer
			plotter.YErrorer
		}{pts, errs})
		if err != nil {
			return nil, err
		}
		bars.Color = plotutil.Color(i)
		bars.CapWidth = vg.Points(4)
		p.Add(line, dots, bars)
		if len(vary) > 0 {
			parts := make([]string, len(vary))
			for i, k := range vary {
				parts[i] = t.Rows[k] + "=" + labels[k]
			}
			p.Legend.Add(strings.Join(parts, " "), line, dots)
		}
	}
	return p, nil
}

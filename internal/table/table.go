package table

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Record is one run: the labels of its levels by axis and its metrics by name.
type Record struct {
	Params  map[string]string
	Metrics map[string]float64
	Failed  bool // the run failed: it counts in Cell.Failed, not in the mean
}

// Cell is one point of the table: the metric over the runs that differ only on the averaged
// axis.
type Cell struct {
	Mean   float64 // mean of the finite values; NaN when there is none
	CI95   float64 // half-width of the 95 % Student-t interval of the mean; NaN below 2 values
	N      int     // finite values averaged
	Failed int     // runs that failed or gave a non-finite value
}

// MeanCI returns the mean of xs and the half-width of its 95 % confidence interval,
// t_{0.975, n−1} s/√n with s the sample standard deviation (n−1 in its denominator). The
// half-width is NaN for fewer than two values.
func MeanCI(xs []float64) (mean, half float64) {
	n := len(xs)
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	mean = stat.Mean(xs, nil)
	if n < 2 {
		return mean, math.NaN()
	}
	s := stat.StdDev(xs, nil)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
	return mean, t * s / math.Sqrt(float64(n))
}

// Table is a metric over a grid: rows are the combinations of the row axes, columns the
// levels of one axis, and each cell averages over the levels of Over.
type Table struct {
	Metric string
	Rows   []string   // the row axes, in the plan's order
	Col    string     // the column axis; empty for a single column
	Over   string     // the averaged axis, such as seed; empty when nothing is averaged
	RowKey [][]string // each row's labels, one per row axis, in the order first seen
	ColKey []string   // the column labels in the order first seen; one empty label without Col
	Cells  [][]Cell   // [row][column]
}

// New groups recs into a table of metric. axes lists every axis of the runs in order; col
// (may be empty) names the column axis and over (may be empty, or absent from axes) the
// averaged one; every other axis is a row axis. A record that did not fail and lacks the
// metric is an error that lists the metrics there are.
func New(recs []Record, axes []string, metric, col, over string) (*Table, error) {
	if metric == "" {
		return nil, fmt.Errorf("no metric chosen: give --metric (%s)", available(recs))
	}
	t := &Table{Metric: metric, Col: col, Over: over}
	if col != "" && !slices.Contains(axes, col) {
		return nil, fmt.Errorf("column axis %q: not an axis of the sweep (axes: %s)", col, strings.Join(axes, ", "))
	}
	if col != "" && col == over {
		return nil, fmt.Errorf("axis %q cannot be both the columns and the averaged axis", col)
	}
	for _, a := range axes {
		if a != col && a != over {
			t.Rows = append(t.Rows, a)
		}
	}
	rowIdx, colIdx := map[string]int{}, map[string]int{}
	var vals [][][]float64
	var failed [][]int
	for _, r := range recs {
		v, ok := r.Metrics[metric]
		if !ok && !r.Failed {
			return nil, fmt.Errorf("metric %q: not in a run's metrics (%s)", metric, available(recs))
		}
		labels := make([]string, len(t.Rows))
		for i, a := range t.Rows {
			labels[i] = r.Params[a]
		}
		rk := strings.Join(labels, "\x00")
		ri, ok := rowIdx[rk]
		if !ok {
			ri = len(t.RowKey)
			rowIdx[rk] = ri
			t.RowKey = append(t.RowKey, labels)
			vals = append(vals, make([][]float64, len(t.ColKey)))
			failed = append(failed, make([]int, len(t.ColKey)))
		}
		cl := r.Params[col]
		ci, ok := colIdx[cl]
		if !ok {
			ci = len(t.ColKey)
			colIdx[cl] = ci
			t.ColKey = append(t.ColKey, cl)
			for i := range vals {
				vals[i] = append(vals[i], nil)
				failed[i] = append(failed[i], 0)
			}
		}
		if r.Failed || math.IsNaN(v) || math.IsInf(v, 0) {
			failed[ri][ci]++
			continue
		}
		vals[ri][ci] = append(vals[ri][ci], v)
	}
	t.Cells = make([][]Cell, len(vals))
	for i := range vals {
		t.Cells[i] = make([]Cell, len(t.ColKey))
		for j, xs := range vals[i] {
			m, h := MeanCI(xs)
			t.Cells[i][j] = Cell{Mean: m, CI95: h, N: len(xs), Failed: failed[i][j]}
		}
	}
	return t, nil
}

// available lists the metrics of the first successful record, for an error message.
func available(recs []Record) string {
	for _, r := range recs {
		if r.Failed {
			continue
		}
		keys := make([]string, 0, len(r.Metrics))
		for k := range r.Metrics {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return "metrics there are: " + strings.Join(keys, ", ")
	}
	return "no run succeeded"
}

// Format writes a mean and its interval as DAPPER prints an uncertain quantity: the
// half-width rounded to one significant digit and the mean to the same decimal place
// ("0.37 ±0.02", "1 ±1"); the mean alone, to 4 significant digits, without an interval
// (a single seed).
func Format(mean, half float64) string {
	switch {
	case math.IsNaN(mean):
		return "—"
	case math.IsNaN(half) || math.IsInf(half, 0):
		return sig4(mean)
	case half == 0:
		return sig4(mean) + " ±0"
	}
	e := math.Floor(math.Log10(half))
	h := math.Round(half/math.Pow(10, e)) * math.Pow(10, e) // one significant digit; 0.96 → 1
	e = math.Floor(math.Log10(h))
	dec := max(0, int(-e))
	return strconv.FormatFloat(mean, 'f', dec, 64) + " ±" + strconv.FormatFloat(h, 'f', dec, 64)
}

// sig4 writes x with 4 significant digits, trailing zeros kept (0.4550), as the tables of
// fourdvar/RESULTS.md print single runs.
func sig4(x float64) string {
	if x == 0 || math.IsInf(x, 0) || math.Abs(x) >= 1e6 || math.Abs(x) < 1e-4 {
		return strconv.FormatFloat(x, 'g', 4, 64)
	}
	return strconv.FormatFloat(x, 'f', max(0, 3-int(math.Floor(math.Log10(math.Abs(x))))), 64)
}

// String formats the cell as Format does, with the failed runs counted after it.
func (c Cell) String() string {
	s := Format(c.Mean, c.CI95)
	if c.Failed > 0 {
		s += fmt.Sprintf(" (%d failed)", c.Failed)
	}
	return s
}

func (t *Table) colHeader(j int) string {
	if t.Col == "" {
		return t.Metric
	}
	return t.Col + "=" + t.ColKey[j]
}

// Markdown writes the table as a Markdown table, with a line saying what the cells are.
func (t *Table) Markdown(w io.Writer) error {
	var b strings.Builder
	head := slices.Clone(t.Rows)
	for j := range t.ColKey {
		head = append(head, t.colHeader(j))
	}
	if t.Col == "" && t.Over != "" {
		head = append(head, "n")
	}
	b.WriteString("| " + strings.Join(head, " | ") + " |\n|")
	b.WriteString(strings.Repeat("---|", len(head)) + "\n")
	for i, labels := range t.RowKey {
		cells := slices.Clone(labels)
		for _, c := range t.Cells[i] {
			cells = append(cells, c.String())
		}
		if t.Col == "" && t.Over != "" {
			cells = append(cells, strconv.Itoa(t.Cells[i][0].N))
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	if t.Over != "" {
		fmt.Fprintf(&b, "\n%s: mean ± half-width of the 95 %% confidence interval over %s (Student t, n−1 degrees of freedom).\n", t.Metric, t.Over)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// CSV writes one line per cell, in full precision: the axes' labels, the mean, the half-width
// of its interval, the values averaged and the failures.
func (t *Table) CSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := slices.Clone(t.Rows)
	if t.Col != "" {
		head = append(head, t.Col)
	}
	head = append(head, t.Metric+"_mean", t.Metric+"_ci95", "n", "failed")
	cw.Write(head)
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	for i, labels := range t.RowKey {
		for j, c := range t.Cells[i] {
			rec := slices.Clone(labels)
			if t.Col != "" {
				rec = append(rec, t.ColKey[j])
			}
			rec = append(rec, f(c.Mean), f(c.CI95), strconv.Itoa(c.N), strconv.Itoa(c.Failed))
			cw.Write(rec)
		}
	}
	cw.Flush()
	return cw.Error()
}

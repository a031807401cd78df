package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/adjunto/adjunto/internal/atomicfile"
	"github.com/adjunto/adjunto/internal/figure"
	"github.com/adjunto/adjunto/internal/sweep"
	"github.com/adjunto/adjunto/internal/table"
)

const tableUsage = `DIR|FILE [flags]

Collects the results of a sweep (its folder DIR, or the sweep file FILE whose folder is
out/sweep/NAME) into one table of a metric: a row per combination of the axes, a column per
value of --cols, each cell the mean ± the half-width of the 95 % confidence interval over
--over (Student t, as DAPPER prints it). Prints the Markdown table and writes it with the
CSV (full precision) and a figure (the metric against --x, a line per value of the other
axes) to BASE.md, BASE.csv, BASE.png and BASE.svg. Runs that failed are counted in their
cell, runs not finished are left out and counted on stderr.`

func runTable(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("table", tableUsage, stderr)
	metric := fs.String("metric", "", "the metric, a dotted key of the runs' metrics JSON (default: the sweep's)")
	cols := fs.String("cols", "", "the column axis (default: the last axis but --over when there are two or more; none for one column)")
	over := fs.String("over", sweep.SeedAxis, "the axis averaged over; empty for none")
	x := fs.String("x", "", "the figure's x axis (default: --cols, else the first axis)")
	base := fs.String("out", "", "`base` of the files written (default DIR/table)")
	noFigure := fs.Bool("no-figure", false, "do not write the figure")
	asCSV := fs.Bool("csv", false, "print the CSV instead of the Markdown")
	pos, code, done := parseInterleaved(fs, args, stdout)
	if done {
		return code
	}
	if len(pos) != 1 {
		fs.Usage()
		return exitUsage
	}
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "adjunto table: %v\n", err)
		return code
	}
	dir := pos[0]
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		spec, err := sweep.ReadFile(dir)
		if err != nil {
			return fail(exitUsage, err)
		}
		dir = spec.DefaultDir()
	}
	plan, err := sweep.ReadPlan(dir)
	if err != nil {
		return fail(exitFail, err)
	}
	var recs []table.Record
	missing := 0
	for i := range plan.Runs {
		res, err := sweep.ReadResult(dir, &plan.Runs[i])
		if err != nil {
			return fail(exitFail, err)
		}
		if res == nil {
			missing++
			continue
		}
		recs = append(recs, table.Record{Params: res.Params, Metrics: res.Metrics, Failed: res.Status != sweep.StatusOK})
	}
	if len(recs) == 0 {
		return fail(exitFail, fmt.Errorf("%s: none of the %d runs has finished (run adjunto sweep first)", dir, len(plan.Runs)))
	}
	if missing > 0 {
		fmt.Fprintf(stderr, "adjunto table: %d of %d runs have not finished and are left out\n", missing, len(plan.Runs))
	}
	if *metric == "" {
		*metric = plan.Metric
	}
	if !slices.Contains(plan.Axes, *over) {
		*over = ""
	}
	var free []string // the axes not averaged over
	for _, a := range plan.Axes {
		if a != *over {
			free = append(free, a)
		}
	}
	if *cols == "" && len(free) >= 2 {
		*cols = free[len(free)-1]
	}
	t, err := table.New(recs, plan.Axes, *metric, *cols, *over)
	if err != nil {
		return fail(exitUsage, fmt.Errorf("%s: %w", dir, err))
	}
	if *base == "" {
		*base = filepath.Join(dir, "table")
	}
	var md, csv bytes.Buffer
	if err := t.Markdown(&md); err != nil {
		return fail(exitFail, err)
	}
	if err := t.CSV(&csv); err != nil {
		return fail(exitFail, err)
	}
	if err := atomicfile.WriteBytes(*base+".md", md.Bytes()); err != nil {
		return fail(exitFail, err)
	}
	if err := atomicfile.WriteBytes(*base+".csv", csv.Bytes()); err != nil {
		return fail(exitFail, err)
	}
	if *asCSV {
		stdout.Write(csv.Bytes())
	} else {
		stdout.Write(md.Bytes())
	}
	if *noFigure {
		return exitOK
	}
	if *x == "" {
		*x = *cols
	}
	if *x == "" && len(free) > 0 {
		*x = free[0]
	}
	if *x == "" {
		return exitOK // nothing but seeds: no axis to draw against
	}
	ft, err := table.New(recs, plan.Axes, *metric, *x, *over)
	if err != nil {
		return fail(exitUsage, fmt.Errorf("--x: %w", err))
	}
	p, err := ft.Plot()
	if err != nil {
		return fail(exitFail, err)
	}
	if _, err := figure.Save(*base, [][]*plot.Plot{{p}}, 16*vg.Centimeter, 11*vg.Centimeter); err != nil {
		return fail(exitFail, err)
	}
	fmt.Fprintf(stderr, "adjunto table: wrote %s.md, .csv, .png and .svg\n", *base)
	return exitOK
}

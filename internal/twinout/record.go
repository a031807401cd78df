// Package twinout writes what a twin experiment of package fourdvar produces: metrics.json
// (setup, status, summary and one record per cycle; non-finite numbers as internal/jsonnum
// writes them), cycles.csv
// and the figures (PNG and SVG through gonum/plot). It is kept out of fourdvar so that the
// library's maths does not pull the plotting packages into every importer.
package twinout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/internal/atomicfile"
	"github.com/adjunto/adjunto/internal/jsonnum"
)

// Field is one member of an ordered JSON object.
type Field struct {
	Key   string // member name
	Value any    // member value: anything encoding/json takes, or an Object
}

// Object is a JSON object whose members keep their order and whose non-finite float64
// values (a diverged cost, an RMSE without a truth) are written as package jsonnum says,
// which encoding/json refuses to do.
type Object []Field

// MarshalJSON implements json.Marshaler.
func (o Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.Key)
		b.Write(k)
		b.WriteByte(':')
		v, err := marshalValue(f.Value)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.Key, err)
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func marshalValue(v any) ([]byte, error) {
	switch x := v.(type) {
	case float64:
		return jsonnum.Format(x), nil
	case []float64:
		vals := make([]any, len(x))
		for i, f := range x {
			vals[i] = f
		}
		return marshalValue(vals)
	case []any:
		var b bytes.Buffer
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			eb, err := marshalValue(e)
			if err != nil {
				return nil, err
			}
			b.Write(eb)
		}
		b.WriteByte(']')
		return b.Bytes(), nil
	case []Object:
		vals := make([]any, len(x))
		for i, o := range x {
			vals[i] = o
		}
		return marshalValue(vals)
	}
	return json.Marshal(v)
}

// StatsObject returns the fields of an analysis's statistics, in the order metrics.json
// gives them.
func StatsObject(s *fourdvar.Stats) Object {
	o := Object{
		{"cost_initial", s.CostInitial},
		{"grad_norm_initial", s.GradNormInitial},
		{"cost_final", s.CostFinal},
		{"grad_norm_final", s.GradNormFinal},
		{"grad_reduction", s.GradReduction()},
		{"iterations", s.Iterations},
		{"evaluations", s.Evaluations},
		{"status", s.Status},
	}
	if s.OuterLoops > 0 {
		o = append(o, Field{"outer_loops", s.OuterLoops}, Field{"hess_vecs", s.HessVecs})
	}
	if s.Restarts > 0 {
		o = append(o, Field{"restarts", s.Restarts})
	}
	if s.Backtracks > 0 {
		o = append(o, Field{"backtracks", s.Backtracks})
	}
	return o
}

// cycleObject returns the record of one cycle as metrics.json writes it.
func cycleObject(c *fourdvar.Cycle) Object {
	o := Object{{"cycle", c.Cycle}, {"step", c.Step}, {"n_obs", c.NumObs}}
	o = append(o, StatsObject(&c.Stats)...)
	o = append(o,
		Field{"rmse_background", c.RMSEBackground},
		Field{"rmse_analysis", c.RMSEAnalysis},
		Field{"rmse_analysis_start", c.RMSEAnalysisStart},
		Field{"rmse_forecast", c.RMSEForecast},
	)
	if c.Params != nil {
		o = append(o, Field{"params", c.Params})
	}
	o = append(o, Field{"wall_time_s", c.WallSeconds})
	if c.Error != "" {
		o = append(o, Field{"error", c.Error})
	}
	return o
}

// summaryObject returns the averages of a twin experiment as metrics.json writes them.
func summaryObject(s *fourdvar.Summary) Object {
	return Object{
		{"cycles", s.Cycles},
		{"burn_in", s.BurnIn},
		{"rmse_background", s.RMSEBackground},
		{"rmse_analysis", s.RMSEAnalysis},
		{"rmse_analysis_start", s.RMSEAnalysisStart},
		{"rmse_forecast", s.RMSEForecast},
		{"iterations", s.Iterations},
		{"evaluations", s.Evaluations},
		{"grad_reduction", s.GradReduction},
		{"converged", s.Converged},
		{"wall_time_s", s.WallSeconds},
	}
}

// cycleCSVHeader lists the columns of cycles.csv.
var cycleCSVHeader = []string{
	"cycle", "step", "n_obs", "rmse_background", "rmse_analysis", "rmse_analysis_start", "rmse_forecast",
	"cost_initial", "grad_norm_initial", "cost_final", "grad_norm_final", "grad_reduction",
	"iterations", "evaluations", "status", "wall_time_s",
}

// writeCyclesCSV writes one row per cycle with the columns cycle, step, n_obs, the four
// RMSEs, the costs and gradient norms, iterations, evaluations, status and wall time, and
// param_0, param_1, … when parameters were estimated.
func writeCyclesCSV(w io.Writer, cycles []fourdvar.Cycle) error {
	var b strings.Builder
	b.WriteString(strings.Join(cycleCSVHeader, ","))
	np := 0
	if len(cycles) > 0 {
		np = len(cycles[0].Params)
	}
	for i := range np {
		fmt.Fprintf(&b, ",param_%d", i)
	}
	b.WriteByte('\n')
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }
	for i := range cycles {
		c := &cycles[i]
		fmt.Fprintf(&b, "%d,%d,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%d,%d,%s,%s",
			c.Cycle, c.Step, c.NumObs, g(c.RMSEBackground), g(c.RMSEAnalysis), g(c.RMSEAnalysisStart), g(c.RMSEForecast),
			g(c.CostInitial), g(c.GradNormInitial), g(c.CostFinal), g(c.GradNormFinal), g(c.GradReduction()),
			c.Iterations, c.Evaluations, c.Status, g(c.WallSeconds))
		for j := range np {
			v := math.NaN()
			if j < len(c.Params) {
				v = c.Params[j]
			}
			fmt.Fprintf(&b, ",%s", g(v))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Recorder writes a twin experiment's results into a directory as the cycles come, so that
// what was written survives a later failure: metrics.json (setup, status, summary and one
// record per cycle) and cycles.csv, each replaced atomically, at most every FlushEvery and
// always on Finish; and the figures on Finish. Use its Cycle method as fourdvar.Twin.OnCycle.
type Recorder struct {
	// Dir is the output directory; it is created if needed.
	Dir string
	// Setup is written as metrics.json's "setup" member.
	Setup Object
	// FlushEvery bounds how often the files are rewritten during a run; zero means one
	// second. Rewriting whole files keeps every write atomic; the bound keeps long runs
	// from spending their time rewriting.
	FlushEvery time.Duration
	// NoFigures skips the figures.
	NoFigures bool
	// Extra holds members written after the summary (a floor to compare it with, say).
	Extra Object

	cycles    []fourdvar.Cycle
	burnIn    int
	lastFlush time.Time
}

// Start creates the directory and writes metrics.json with status "running".
func (r *Recorder) Start(burnIn int) error {
	r.burnIn = burnIn
	if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		return err
	}
	r.lastFlush = time.Now()
	return r.flush("running", nil)
}

// Cycle records one cycle and rewrites the files if FlushEvery has passed.
func (r *Recorder) Cycle(c *fourdvar.Cycle) error {
	r.cycles = append(r.cycles, *c)
	every := r.FlushEvery
	if every == 0 {
		every = time.Second
	}
	if time.Since(r.lastFlush) < every {
		return nil
	}
	r.lastFlush = time.Now()
	return r.flush("running", nil)
}

// Finish writes the final files: metrics.json with status "complete" (or "failed" and the
// error when runErr is not nil), cycles.csv and, unless NoFigures, the figures of res.
func (r *Recorder) Finish(res *fourdvar.Result, runErr error) error {
	status := "complete"
	if runErr != nil {
		status = "failed"
	}
	if res != nil {
		r.cycles = res.Cycles
	}
	if err := r.flush(status, runErr); err != nil {
		return err
	}
	if r.NoFigures || res == nil || len(res.Cycles) == 0 {
		return nil
	}
	return writeFigures(r.Dir, res)
}

// MetricsObject returns the metrics.json document of a twin experiment; extra members, if
// any, follow the summary.
func MetricsObject(setup Object, status string, runErr error, cycles []fourdvar.Cycle, burnIn int, extra ...Field) Object {
	sum := fourdvar.Summarise(cycles, burnIn)
	recs := make([]Object, len(cycles))
	for i := range cycles {
		recs[i] = cycleObject(&cycles[i])
	}
	o := Object{{"setup", setup}, {"status", status}}
	if runErr != nil {
		o = append(o, Field{"error", runErr.Error()})
	}
	o = append(o, Field{"summary", summaryObject(&sum)})
	o = append(o, extra...)
	return append(o, Field{"cycles", recs})
}

func (r *Recorder) flush(status string, runErr error) error {
	doc := MetricsObject(r.Setup, status, runErr, r.cycles, r.burnIn, r.Extra...)
	if err := WriteJSONFile(filepath.Join(r.Dir, "metrics.json"), doc); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(r.Dir, "cycles.csv"), func(w io.Writer) error {
		return writeCyclesCSV(w, r.cycles)
	})
}

// WriteJSONFile writes v, indented, atomically to path.
func WriteJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/internal/atomicfile"
	"github.com/adjunto/adjunto/internal/staging"
)

// runFileCycles cycles 4DVar over an observation file that spans many windows: cycle c
// analyses the window [c·K, (c+1)·K] (K = --window) from its background with the
// observations no earlier window took (steps 0..K in the first, then (c·K, (c+1)·K]), and
// the forecast of its analysis to the window's end is the next background. Every analysis
// (the state at its window's start) goes to analyses.csv and every cycle's statistics to
// cycles.csv, staged beside --out like every run; a failed or interrupted cycle stops the
// run, keeping the cycles done as OUT.failed or OUT.interrupted. It is how
// "fourdvar --obs FILE --background FILE --window K --cycles C" runs.
//
// With a true trajectory truth (steps 0 to at least C·K) every cycle is scored as the twin
// scores its cycles: the RMSE of the background and of the analysis at the window's start,
// and of the analysis at its end (the filter analysis, the next cycle's background), in
// cycles.csv and the printed lines, and their means over the cycles after --burn-in.
func (o *fourdvarOptions) runFileCycles(m fourdvar.Model, xb []float64, obs []fourdvar.Obs, truth [][]float64,
	bcov fourdvar.Covariance, asm fourdvar.Assimilator, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "adjunto fourdvar: %v\n", err)
		return exitFail
	}
	k := o.window
	if asm.Variant != fourdvar.Strong4DVar && asm.Variant != fourdvar.Incremental4DVar {
		return fail(fmt.Errorf("--cycles with --obs: variant %s; cycling over files runs 4dvar or incremental", asm.Variant))
	}
	last := 0
	for _, ob := range obs {
		last = max(last, ob.Step)
	}
	if need := (last + k - 1) / k; o.cycles < need {
		fmt.Fprintf(stderr, "adjunto fourdvar: %s reaches step %d: %d cycles of %d steps assimilate only up to step %d\n",
			o.obsFile, last, o.cycles, k, o.cycles*k)
	}
	st, err := staging.Begin(o.out)
	if err != nil {
		return fail(fmt.Errorf("--out: %w", err))
	}
	defer st.Discard() // a no-op once committed or kept
	var analyses, cycles strings.Builder
	analyses.WriteString("cycle,step,index,value\n")
	cycles.WriteString("cycle,step,n_obs,cost_initial,cost_final,grad_norm_initial,grad_norm_final,iterations,evaluations,status")
	if truth != nil {
		cycles.WriteString(",rmse_background,rmse_analysis_start,rmse_analysis")
	}
	cycles.WriteString("\n")
	var sums [3]float64 // of the three RMSEs over the cycles after the burn-in
	write := func() error {
		for name, b := range map[string]*strings.Builder{"analyses.csv": &analyses, "cycles.csv": &cycles} {
			if err := atomicfile.Write(st.File(name), func(w io.Writer) error {
				_, err := io.WriteString(w, b.String())
				return err
			}); err != nil {
				return err
			}
		}
		return nil
	}
	x := append([]float64(nil), xb...)
	done := 0
	for c := range o.cycles {
		start := c * k
		var in []fourdvar.Obs
		for _, ob := range obs {
			if (ob.Step > start || c == 0 && ob.Step == 0) && ob.Step <= start+k {
				ob.Step -= start
				in = append(in, ob)
			}
		}
		w := &fourdvar.Window{Model: m, Steps: k, Xb: x, B: bcov, Obs: fourdvar.BatchesFromObs(m.Dim(), in)}
		an, err := asm.Analyse(w)
		if cerr := runCtx.Err(); cerr != nil && err == nil {
			err = fmt.Errorf("interrupted: %w", cerr)
		}
		if an == nil || an.Trajectory == nil || runCtx.Err() != nil {
			if werr := write(); werr != nil {
				fmt.Fprintf(stderr, "adjunto fourdvar: writing the %d cycles done: %v\n", done, werr)
			}
			err = fmt.Errorf("cycle %d (steps %d-%d): %w", c, start, start+k, err)
			where, kerr := endStage(st, err, "fourdvar", stderr)
			if kerr != nil {
				return fail(kerr)
			}
			if !interrupted(err, "fourdvar", fmt.Sprintf("the %d cycles before it in %s", done, where), stderr) {
				fail(fmt.Errorf("%v; the %d cycles before it are in %s, earlier results in %s untouched", err, done, where, o.out))
			}
			return exitFail
		}
		for i, v := range an.Trajectory[0] {
			fmt.Fprintf(&analyses, "%d,%d,%d,%s\n", c, start, i, strconv.FormatFloat(v, 'g', -1, 64))
		}
		fmt.Fprintf(&cycles, "%d,%d,%d,%g,%g,%g,%g,%d,%d,%s", c, start, len(in), an.CostInitial, an.CostFinal,
			an.GradNormInitial, an.GradNormFinal, an.Iterations, an.Evaluations, an.Status)
		var scores string
		if truth != nil {
			r := [3]float64{fourdvar.RMSE(x, truth[start]), fourdvar.RMSE(an.Trajectory[0], truth[start]),
				fourdvar.RMSE(an.Trajectory[k], truth[start+k])}
			fmt.Fprintf(&cycles, ",%g,%g,%g", r[0], r[1], r[2])
			scores = fmt.Sprintf(", RMSE background %.4f, analysis %.4f (start) %.4f (end)", r[0], r[1], r[2])
			if c >= o.burnIn {
				for i := range r {
					sums[i] += r[i]
				}
			}
		}
		cycles.WriteString("\n")
		if !o.quiet && !o.json {
			fmt.Fprintf(stdout, "cycle %d: steps %d-%d, %d observations, J %.6g -> %.6g, %d iterations, %s%s\n",
				c, start, start+k, len(in), an.CostInitial, an.CostFinal, an.Iterations, an.Status, scores)
		}
		x = append([]float64(nil), an.Trajectory[k]...)
		done++
	}
	if err := write(); err != nil {
		return fail(err)
	}
	if _, err := endStage(st, nil, "fourdvar", stderr); err != nil {
		return fail(err)
	}
	if truth != nil && done > o.burnIn {
		c := float64(done - o.burnIn)
		fmt.Fprintf(stdout, "Mean RMSE over cycles %d-%d (burn-in %d): background %.4f, analysis %.4f (start) %.4f (end)\n",
			o.burnIn, done-1, o.burnIn, sums[0]/c, sums[1]/c, sums[2]/c)
	}
	fmt.Fprintf(stdout, "Wrote analyses.csv (the analysis at each window's start) and cycles.csv for %d cycles to %s\n", done, o.out)
	return exitOK
}

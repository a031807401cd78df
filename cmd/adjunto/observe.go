package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/internal/atomicfile"
)

// runObserve turns a trajectory written by "adjunto simulate" (CSV step,x0,x1,...) into an
// observation file for "adjunto fourdvar --obs" (CSV step,index,value,sigma): a seeded
// fraction of the variables observed every k steps with Gaussian errors of σ_o, steps
// counted from --from (the background's time). With --background it also writes the state
// at --from plus N(0, σ_b²) errors as the background file, and with --truth the state itself.
func runObserve(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("observe", "--trajectory FILE --out FILE [flags]", stderr)
	traj := fs.String("trajectory", "", "trajectory CSV written by adjunto simulate (required)")
	out := fs.String("out", "", "observation CSV to write (required)")
	density := fs.Float64("density", 1, "fraction of the variables observed at each time, in (0, 1]")
	sigma := fs.Float64("obs-sigma", 1, "observation error standard deviation σ_o > 0")
	every := fs.Int("every", 1, "steps between observation times, ≥ 1")
	from := fs.Int("from", 0, "step of the trajectory that becomes step 0 (the background's time)")
	steps := fs.Int("steps", 0, "observe up to this many steps after --from (0: to the end of the trajectory)")
	rotate := fs.Bool("rotate", false, "draw the observed variables anew at every observation time (default: one fixed network)")
	seed := fs.Uint64("seed", 1, "seed of the network and the errors")
	bg := fs.String("background", "", "also write the background state CSV (index,value): the state at --from plus N(0, σ_b²)")
	bgSigma := fs.Float64("background-sigma", 1, "background error standard deviation σ_b ≥ 0, with --background")
	truth := fs.String("truth", "", "also write the true state at --from (index,value)")
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "adjunto observe: %v\n", err)
		return code
	}
	switch {
	case *traj == "" || *out == "":
		return fail(exitUsage, errors.New("--trajectory and --out are required"))
	case !(*density > 0 && *density <= 1):
		return fail(exitUsage, fmt.Errorf("--density %v: want a fraction in (0, 1]", *density))
	case !(*sigma > 0) || math.IsInf(*sigma, 0):
		return fail(exitUsage, fmt.Errorf("--obs-sigma %v: want a finite value > 0", *sigma))
	case !(*bgSigma >= 0) || math.IsInf(*bgSigma, 0):
		return fail(exitUsage, fmt.Errorf("--background-sigma %v: want a finite value ≥ 0", *bgSigma))
	case *every < 1:
		return fail(exitUsage, fmt.Errorf("--every %d: want ≥ 1", *every))
	case *from < 0 || *steps < 0:
		return fail(exitUsage, fmt.Errorf("--from %d, --steps %d: want ≥ 0", *from, *steps))
	}
	states, err := readTrajectory(*traj)
	if err != nil {
		return fail(exitFail, err)
	}
	if *from >= len(states) {
		return fail(exitUsage, fmt.Errorf("--from %d: %s has steps 0 to %d", *from, *traj, len(states)-1))
	}
	last := len(states) - 1
	if *steps > 0 {
		last = min(last, *from+*steps)
	}
	n := len(states[0])
	nobs := max(1, int(math.Round(*density*float64(n))))
	netRng := rand.New(rand.NewPCG(*seed, 1))
	errRng := rand.New(rand.NewPCG(*seed, 2))
	network := netRng.Perm(n)[:nobs]
	var obs []fourdvar.Obs
	for k := *from; k <= last; k += *every {
		if *rotate {
			network = netRng.Perm(n)[:nobs]
		}
		idx := append([]int(nil), network...)
		slices.Sort(idx)
		for _, i := range idx {
			obs = append(obs, fourdvar.Obs{Step: k - *from, Index: i, Value: states[k][i] + *sigma*errRng.NormFloat64(), Sigma: *sigma})
		}
	}
	// Each file's folder is made as it is written, as the other commands make --out; the
	// error of atomicfile.Write names the file already.
	write := func(path string, f func(w io.Writer) error) error {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		return atomicfile.Write(path, f)
	}
	if err := write(*out, func(w io.Writer) error { return fourdvar.WriteObs(w, obs) }); err != nil {
		return fail(exitFail, err)
	}
	fmt.Fprintf(stdout, "Wrote %d observations (%d variables of %d every %d steps, σ_o=%g, steps 0-%d after step %d of %s) to %s\n",
		len(obs), nobs, n, *every, *sigma, last-*from, *from, *traj, *out)
	if *bg != "" {
		bgRng := rand.New(rand.NewPCG(*seed, 3))
		xb := append([]float64(nil), states[*from]...)
		for i := range xb {
			xb[i] += *bgSigma * bgRng.NormFloat64()
		}
		if err := write(*bg, func(w io.Writer) error { return fourdvar.WriteState(w, xb) }); err != nil {
			return fail(exitFail, err)
		}
		fmt.Fprintf(stdout, "Wrote the background (truth + N(0, %g²)) to %s\n", *bgSigma, *bg)
	}
	if *truth != "" {
		if err := write(*truth, func(w io.Writer) error { return fourdvar.WriteState(w, states[*from]) }); err != nil {
			return fail(exitFail, err)
		}
		fmt.Fprintf(stdout, "Wrote the true state at step %d to %s\n", *from, *truth)
	}
	return exitOK
}

// readTrajectory reads the CSV of "adjunto simulate": a header step,x0,...,x{n-1} and one
// row per step 0, 1, 2, ... Errors name the file, the line and the column.
func readTrajectory(path string) ([][]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--trajectory: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	line := 0
	var n int
	var states [][]float64
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Split(text, ",")
		if n == 0 {
			if fields[0] != "step" || len(fields) < 2 {
				return nil, fmt.Errorf("%s:%d: header %q: want step,x0,x1,... as adjunto simulate writes", path, line, text)
			}
			for i, h := range fields[1:] {
				if h != "x"+strconv.Itoa(i) {
					return nil, fmt.Errorf("%s:%d: column %d is %q, want x%d", path, line, i+2, h, i)
				}
			}
			n = len(fields) - 1
			continue
		}
		if len(fields) != n+1 {
			return nil, fmt.Errorf("%s:%d: %d fields, want %d", path, line, len(fields), n+1)
		}
		if k, err := strconv.Atoi(fields[0]); err != nil || k != len(states) {
			return nil, fmt.Errorf("%s:%d: step %q, want %d (steps must run 0, 1, 2, ...)", path, line, fields[0], len(states))
		}
		x := make([]float64, n)
		for i, s := range fields[1:] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s:%d: column x%d: %q is not a finite number", path, line, i, s)
			}
			x[i] = v
		}
		states = append(states, x)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(states) == 0 {
		return nil, fmt.Errorf("%s: no states after the header", path)
	}
	return states, nil
}

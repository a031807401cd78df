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
// at --from plus N(0, σ_b²) errors as the background file, with --truth the state itself,
// and with --truth-trajectory the states from --from on, renumbered from 0, in the
// trajectory format: fourdvar --truth scores every cycle against it.
//
// Observations are of grid points (state variables), the only kind the observation file
// can express: on the QG model a subset of the grid's points, not the twin's bilinear
// interpolations at arbitrary positions.
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
	bgLength := fs.Float64("background-length", 0, "with --background, the length (grid points) of the background errors' Gaussian correlation: on the circle, or on the --grid (0: uncorrelated)")
	grid := fs.Int("grid", 0, "the trajectory is a square grid of this many points per side, row by row (simulate --model qg --n); checked against its columns")
	truth := fs.String("truth", "", "also write the true state at --from (index,value)")
	truthTraj := fs.String("truth-trajectory", "", "also write the true states from --from to the last observed step, renumbered from 0, as a trajectory CSV (step,x0,...): fourdvar --truth scores every cycle against it")
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
	case !(*bgLength >= 0) || math.IsInf(*bgLength, 0):
		return fail(exitUsage, fmt.Errorf("--background-length %v: want a finite value ≥ 0", *bgLength))
	case *grid < 0:
		return fail(exitUsage, fmt.Errorf("--grid %d: want ≥ 0", *grid))
	case *every < 1:
		return fail(exitUsage, fmt.Errorf("--every %d: want ≥ 1", *every))
	case *from < 0 || *steps < 0:
		return fail(exitUsage, fmt.Errorf("--from %d, --steps %d: want ≥ 0", *from, *steps))
	}
	states, err := readTrajectory("--trajectory", *traj)
	if err != nil {
		return fail(exitUsage, err)
	}
	if *from >= len(states) {
		return fail(exitUsage, fmt.Errorf("--from %d: %s has steps 0 to %d", *from, *traj, len(states)-1))
	}
	last := len(states) - 1
	if *steps > 0 {
		last = min(last, *from+*steps)
	}
	n := len(states[0])
	if *grid > 0 && *grid**grid != n {
		return fail(exitUsage, fmt.Errorf("%s: %d variables (columns x0-x%d), not the %d² = %d of --grid %d", *traj, n, n-1, *grid, *grid**grid, *grid))
	}
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
		xb := append([]float64(nil), states[*from]...)
		addBackgroundError(xb, rand.New(rand.NewPCG(*seed, 3)), *bgSigma, *bgLength, *grid)
		if err := write(*bg, func(w io.Writer) error { return fourdvar.WriteState(w, xb) }); err != nil {
			return fail(exitFail, err)
		}
		corr := ""
		switch {
		case *bgLength > 0 && *grid > 0:
			corr = fmt.Sprintf(", Gaussian correlation of length %g on the %d² grid", *bgLength, *grid)
		case *bgLength > 0:
			corr = fmt.Sprintf(", Gaussian correlation of length %g on the circle", *bgLength)
		}
		fmt.Fprintf(stdout, "Wrote the background (truth + N(0, %g²)%s) to %s\n", *bgSigma, corr, *bg)
	}
	if *truth != "" {
		if err := write(*truth, func(w io.Writer) error { return fourdvar.WriteState(w, states[*from]) }); err != nil {
			return fail(exitFail, err)
		}
		fmt.Fprintf(stdout, "Wrote the true state at step %d to %s\n", *from, *truth)
	}
	if *truthTraj != "" {
		if err := write(*truthTraj, func(w io.Writer) error { return writeTrajectoryCSV(w, states[*from:last+1]) }); err != nil {
			return fail(exitFail, err)
		}
		fmt.Fprintf(stdout, "Wrote the true states of steps %d-%d (as steps 0-%d) to %s\n", *from, last, last-*from, *truthTraj)
	}
	return exitOK
}

// addBackgroundError adds to x an error of standard deviation sigma drawn from rnd: white
// for length 0, else C^{1/2} z with C the Gaussian correlation of that length (in grid
// points) on the circle or, for grid > 0, on the grid × grid square, as fourdvar's
// Gaussian B is, so that the background's error is one that B describes.
func addBackgroundError(x []float64, rnd *rand.Rand, sigma, length float64, grid int) {
	z := make([]float64, len(x))
	for i := range z {
		z[i] = rnd.NormFloat64()
	}
	if length > 0 {
		var c fourdvar.Covariance = fourdvar.NewGaussianCircle(len(x), sigma, length)
		if grid > 0 {
			c = fourdvar.NewGaussianGrid(grid, grid, sigma, length)
		}
		e := make([]float64, len(x))
		c.SqrtMul(e, z)
		for i := range x {
			x[i] += e[i]
		}
		return
	}
	for i := range x {
		x[i] += sigma * z[i]
	}
}

// readTruth reads fourdvar's --truth: one state (index,value), returned as a trajectory of
// one step, or a trajectory in the format of readTrajectory, told apart by the header.
func readTruth(path string) ([][]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--truth: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for sc.Scan() {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if strings.HasPrefix(text, "step,") {
			return readTrajectory("--truth", path)
		}
		break
	}
	x, err := fourdvar.ReadStateFile(path)
	if err != nil {
		return nil, err
	}
	return [][]float64{x}, nil
}

// trajectoryHeader is the header line of a trajectory CSV of n variables: step,x0,...,x{n-1}.
func trajectoryHeader(n int) string {
	var b strings.Builder
	b.WriteString("step")
	for i := range n {
		b.WriteString(",x")
		b.WriteString(strconv.Itoa(i))
	}
	b.WriteByte('\n')
	return b.String()
}

// appendTrajectoryRow appends the row of step k with state x, shortest round-trip decimals.
func appendTrajectoryRow(buf []byte, k int, x []float64) []byte {
	buf = strconv.AppendInt(buf, int64(k), 10)
	for _, v := range x {
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
	}
	return append(buf, '\n')
}

// writeTrajectoryCSV writes states as steps 0, 1, 2, ... in the format of "adjunto simulate".
func writeTrajectoryCSV(w io.Writer, states [][]float64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString(trajectoryHeader(len(states[0])))
	var buf []byte
	for k, x := range states {
		buf = appendTrajectoryRow(buf[:0], k, x)
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// readTrajectory reads the CSV of "adjunto simulate": a header step,x0,...,x{n-1} and one
// row per step 0, 1, 2, ... Errors name the file, the line and the column, or the flag
// that named a file that cannot be opened.
func readTrajectory(flag, path string) ([][]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
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

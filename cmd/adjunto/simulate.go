package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/adjunto/adjunto/internal/atomicfile"
	"github.com/adjunto/adjunto/internal/figure"
	"github.com/adjunto/adjunto/internal/limits"
	"github.com/adjunto/adjunto/internal/staging"
	"github.com/adjunto/adjunto/models/lorenz"
	"github.com/adjunto/adjunto/models/qg"
)

// simulation is a validated "adjunto simulate" run.
type simulation struct {
	name  string // lorenz63, lorenz96 or qg
	model lorenz.Model
	dt    float64
	steps int
	x0    []float64
	// spinUp is the number of steps run from x0 before step 0 of the trajectory (qg).
	spinUp int
	// params describes the model parameters for the summary, in flag names.
	params map[string]float64
	integ  lorenz.Integrator
	// obs, if not nil, samples noisy observations of the run for "adjunto fourdvar --obs".
	obs *obsSampler
}

// obsSampler draws observations of every variable every `every` steps with Gaussian noise of
// standard deviation sigma, in the CSV format of "adjunto fourdvar --obs" (step,index,value,sigma).
type obsSampler struct {
	every int
	sigma float64
	rnd   *rand.Rand
	buf   []byte
}

func (o *obsSampler) add(k int, x []float64) {
	if k%o.every != 0 {
		return
	}
	for i, v := range x {
		o.buf = strconv.AppendInt(o.buf, int64(k), 10)
		o.buf = append(o.buf, ',')
		o.buf = strconv.AppendInt(o.buf, int64(i), 10)
		o.buf = append(o.buf, ',')
		o.buf = strconv.AppendFloat(o.buf, v+o.sigma*o.rnd.NormFloat64(), 'g', 8, 64)
		o.buf = append(o.buf, ',')
		o.buf = strconv.AppendFloat(o.buf, o.sigma, 'g', -1, 64)
		o.buf = append(o.buf, '\n')
	}
}

// hovmollerMax bounds the grid of the Hovmöller figure in each direction; longer or wider
// runs are subsampled evenly for the figure (the CSV has every value).
const hovmollerMax = 1000

// curveMax bounds the points of the Lorenz-63 curve in the figure: a long run is thinned to
// every k-th state, which keeps the PNG and SVG small (a 2·10^6-step run would write a
// 27 MB SVG) while the butterfly looks the same.
const curveMax = 20000

func runSimulate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("simulate", "--model lorenz63|lorenz96|qg [flags]", stderr)
	model := fs.String("model", "", "the model: lorenz63, lorenz96 or qg (required)")
	n := fs.Int("n", lorenz.DefaultL96N, fmt.Sprintf("number of variables of lorenz96 (at least 4); for qg the grid's points per side (default %d: %d² variables)", qg.DefaultN, qg.DefaultN))
	forcing := fs.Float64("forcing", lorenz.DefaultL96Forcing, "forcing F of lorenz96")
	sigma := fs.Float64("sigma", lorenz.DefaultL63Sigma, "σ of lorenz63")
	rho := fs.Float64("rho", lorenz.DefaultL63Rho, "ρ of lorenz63")
	beta := fs.Float64("beta", lorenz.DefaultL63Beta, "β of lorenz63")
	dt := fs.Float64("dt", 0, fmt.Sprintf("time step, positive (default 0.01 for lorenz63, 0.05 for lorenz96, %g for qg)", qg.DefaultDt))
	steps := fs.Int("steps", 0, fmt.Sprintf("number of time steps, ≥ 0 (default 5000 for lorenz63, enough for both wings of the butterfly; 1000 for lorenz96; %d for qg)", qgSimulateSteps))
	spinUp := fs.Int("spinup", qg.DefaultSpinUp, "qg only: steps run from the initial state before step 0 of the trajectory (default: into the turbulent regime; 0 with --x0 unless set)")
	integ := fs.String("integrator", "rk4", "time scheme: rk4 or euler")
	x0 := fs.String("x0", "", "initial state: a file of numbers (separated by commas, spaces or newlines; # starts a comment) or v1,v2,...\n(default (1, 1, 1) for lorenz63; x_i = F with x_{N/2−1} = F + 0.01 for lorenz96; for qg the jets of --seed, row by row)")
	out := fs.String("out", filepath.Join("out", "simulate"), "output directory")
	obsSigma := fs.Float64("obs-sigma", 0, "if positive, also write NAME_obs.csv, every variable observed with noise of this σ_o, and NAME_truth.csv, the initial state: the files \"adjunto fourdvar --obs --truth\" reads")
	obsEvery := fs.Int("obs-every", 1, "with --obs-sigma, steps between observation times")
	seed := fs.Uint64("seed", 1, "with --obs-sigma, seed of the observation noise; for qg also of the initial state")
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	sim, err := newSimulation(set, *model, *n, *forcing, *sigma, *rho, *beta, *dt, *steps, *integ, *x0, *spinUp, *seed)
	if err == nil && *obsSigma != 0 {
		switch {
		case !(*obsSigma > 0) || math.IsInf(*obsSigma, 0):
			err = fmt.Errorf("--obs-sigma %v: must be positive and finite (0: no observations)", *obsSigma)
		case *obsEvery < 1:
			err = fmt.Errorf("--obs-every %d: must be ≥ 1", *obsEvery)
		default:
			sim.obs = &obsSampler{every: *obsEvery, sigma: *obsSigma, rnd: rand.New(rand.NewPCG(*seed, 0x6f6273))} // "obs"
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "adjunto simulate: %v\n", err)
		return exitUsage
	}
	st, err := staging.Begin(*out)
	if err != nil {
		fmt.Fprintf(stderr, "adjunto simulate: --out: %v\n", err)
		return exitFail
	}
	files, runErr := sim.run(st.Path)
	runErr = st.Unstage(runErr) // name the files as the user will find them
	where, err := endStage(st, runErr, "simulate", stderr)
	if err == nil && runErr != nil {
		err = runErr
	}
	if err != nil {
		if !interrupted(runErr, "simulate", where, stderr) {
			fmt.Fprintf(stderr, "adjunto simulate: %v\n", err)
			if where != "" {
				fmt.Fprintf(stderr, "adjunto simulate: what was written is in %s; earlier results in %s untouched\n", where, *out)
			}
		}
		return exitFail
	}
	for i := range files {
		files[i] = st.Final(files[i])
	}
	fmt.Fprintf(stdout, "%s: %d %s steps of dt = %g from x0 = %s\n", sim.name, sim.steps, strings.ToUpper(sim.integ.String()), sim.dt, brief(sim.x0))
	for _, f := range files {
		fmt.Fprintf(stdout, "wrote %s\n", f)
	}
	return exitOK
}

// newSimulation validates the flags. Every error names the flag at fault.
func newSimulation(set map[string]bool, model string, n int, forcing, sigma, rho, beta, dt float64, steps int, integ, x0 string,
	spinUp int, seed uint64) (*simulation, error) {
	finite := func(name string, v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("--%s %v: must be finite", name, v)
		}
		return nil
	}
	s := &simulation{name: model, steps: steps}
	var err error
	if s.integ, err = lorenz.ParseIntegrator(integ); err != nil {
		return nil, fmt.Errorf("--integrator %q: unknown scheme (want rk4 or euler)", integ)
	}
	if !set["steps"] {
		switch model {
		case "lorenz63":
			steps = 5000
		case "qg":
			steps = qgSimulateSteps
		default:
			steps = 1000
		}
	}
	if steps < 0 {
		return nil, fmt.Errorf("--steps %d: must be ≥ 0", steps)
	}
	s.steps = steps
	only := func(model string, names ...string) error {
		for _, name := range names {
			if set[name] {
				return fmt.Errorf("--%s applies to %s only", name, model)
			}
		}
		return nil
	}
	switch model {
	case "lorenz63":
		if err := only("lorenz96", "n", "forcing"); err != nil {
			return nil, err
		}
		if err := only("qg", "spinup"); err != nil {
			return nil, err
		}
		for _, p := range []struct {
			name string
			v    float64
		}{{"sigma", sigma}, {"rho", rho}, {"beta", beta}} {
			if err := finite(p.name, p.v); err != nil {
				return nil, err
			}
		}
		// The x–z figure keeps every step's point.
		if err := limits.Values(fmt.Sprintf("--steps %d", steps), "two coordinates per step for the x–z figure", limits.Product(steps, 2)); err != nil {
			return nil, err
		}
		m := lorenz.NewL63()
		m.Sigma, m.Rho, m.Beta, m.Integrator = sigma, rho, beta, s.integ
		s.model, s.dt = m, m.Dt
		s.params = map[string]float64{"sigma": sigma, "rho": rho, "beta": beta}
	case "lorenz96":
		if err := only("lorenz63", "sigma", "rho", "beta"); err != nil {
			return nil, err
		}
		if err := only("qg", "spinup"); err != nil {
			return nil, err
		}
		if n < 4 {
			return nil, fmt.Errorf("--n %d: Lorenz-96 needs at least 4 variables", n)
		}
		if err := checkStateSize("--n", n); err != nil {
			return nil, err
		}
		if err := finite("forcing", forcing); err != nil {
			return nil, err
		}
		m := &lorenz.L96{N: n, F: forcing, Dt: lorenz.DefaultL96Dt, Integrator: s.integ}
		s.model, s.dt = m, m.Dt
		s.params = map[string]float64{"n": float64(n), "forcing": forcing}
	case "qg":
		m, err := newQGSimulation(set, n, dt, steps, s.integ)
		if err != nil {
			return nil, err
		}
		s.model, s.dt = m, m.Dt
		s.params = map[string]float64{"n": float64(m.N), "F": m.F, "R": m.R, "beta": m.Beta, "bottom": m.Bottom,
			"hyper": m.Hyper, "forcing": m.Forcing, "K": float64(m.K)}
		if spinUp < 0 {
			return nil, fmt.Errorf("--spinup %d: must be ≥ 0", spinUp)
		}
		if x0 == "" {
			s.x0, s.spinUp = m.InitialState(seed), spinUp
			return s, nil
		}
		if set["spinup"] {
			s.spinUp = spinUp
		}
		if s.x0, err = initialState(x0, m); err != nil {
			return nil, err
		}
		return s, nil
	case "":
		return nil, errors.New("--model is required: lorenz63, lorenz96 or qg")
	default:
		return nil, fmt.Errorf("--model %q: unknown model (want lorenz63, lorenz96 or qg)", model)
	}
	if set["dt"] {
		if !(dt > 0) || math.IsInf(dt, 0) {
			return nil, fmt.Errorf("--dt %v: the time step must be positive and finite", dt)
		}
		s.dt = dt
		switch m := s.model.(type) {
		case *lorenz.L63:
			m.Dt = dt
		case *lorenz.L96:
			m.Dt = dt
		}
	}
	if s.x0, err = initialState(x0, s.model); err != nil {
		return nil, err
	}
	return s, nil
}

// qgSimulateSteps is the default length of a qg simulation: the span of the 4DVar twin's
// 20 windows of 20 steps (about 30 MB of CSV at 64²).
const qgSimulateSteps = 400

// newQGSimulation builds the QG model of "simulate --model qg" from the flags and refuses,
// naming the flag, a grid the FFT cannot take, a time step beyond the stability limit and a
// trajectory too large to read back: observe and fourdvar --truth hold all of it in memory.
func newQGSimulation(set map[string]bool, n int, dt float64, steps int, integ lorenz.Integrator) (*qg.Model, error) {
	for _, name := range []string{"forcing", "sigma", "rho", "beta"} {
		if set[name] {
			return nil, fmt.Errorf("--%s applies to the lorenz models only", name)
		}
	}
	if integ != lorenz.RK4 {
		return nil, fmt.Errorf("--integrator %s: the qg model integrates with rk4 only", integ)
	}
	if !set["n"] {
		n = qg.DefaultN
	}
	if n < 1 {
		return nil, fmt.Errorf("--n %d: the qg grid needs at least 8 points per side", n)
	}
	if err := limits.Values(fmt.Sprintf("--n %d", n), fmt.Sprintf("about %d working states of %d² variables", stateCopies, n),
		limits.Product(n, n, stateCopies)); err != nil {
		return nil, err
	}
	if err := limits.Values(fmt.Sprintf("--n %d, --steps %d", n, steps),
		fmt.Sprintf("observe and fourdvar --truth read the trajectory whole: %d states of %d² variables", steps+1, n),
		limits.Product(steps+1, n, n)); err != nil {
		return nil, err
	}
	m, err := qg.New(n)
	if err != nil {
		return nil, fmt.Errorf("--n %d: %w", n, err)
	}
	if set["dt"] {
		if !(dt > 0) || math.IsInf(dt, 0) {
			return nil, fmt.Errorf("--dt %v: the time step must be positive and finite", dt)
		}
		m.Dt = dt
		if err := m.Validate(); err != nil {
			return nil, fmt.Errorf("--dt %v: %w", dt, err)
		}
	}
	return m, nil
}

// initialState reads --x0: empty for the model's default start, the name of an existing file,
// or a comma-separated list of values.
func initialState(spec string, m lorenz.Model) ([]float64, error) {
	n := m.Dim()
	if spec == "" {
		x := make([]float64, n)
		switch m := m.(type) {
		case *lorenz.L63:
			x[0], x[1], x[2] = 1, 1, 1
		case *lorenz.L96:
			// The rest state x_i = F, nudged at one variable: the start of the reference run.
			for i := range x {
				x[i] = m.F
			}
			x[n/2-1] += 0.01
		}
		return x, nil
	}
	var x []float64
	if info, err := os.Stat(spec); err == nil && !info.IsDir() {
		if x, err = readState(spec); err != nil {
			return nil, err
		}
	} else {
		for i, f := range strings.Split(spec, ",") {
			v, perr := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if perr != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				if !strings.Contains(spec, ",") {
					return nil, fmt.Errorf("--x0 %q: no such file, and not a list of numbers v1,v2,...", spec)
				}
				return nil, fmt.Errorf("--x0: value %d, %q, is not a finite number", i+1, strings.TrimSpace(f))
			}
			x = append(x, v)
		}
	}
	if len(x) != n {
		return nil, fmt.Errorf("--x0: %d values for a state of %d variables", len(x), n)
	}
	return x, nil
}

// readState reads the numbers of a state file: separated by commas, spaces or newlines, with
// # starting a comment. Errors name the file and the line.
func readState(path string) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--x0 %s: %w", path, err)
	}
	defer f.Close()
	var x []float64
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<30)
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		for _, field := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == ';' }) {
			v, err := strconv.ParseFloat(field, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("--x0 %s:%d: %q is not a finite number", path, line, field)
			}
			x = append(x, v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--x0 %s: %w", path, err)
	}
	if len(x) == 0 {
		return nil, fmt.Errorf("--x0 %s: no numbers in the file", path)
	}
	return x, nil
}

// run integrates the model, streaming the trajectory to <name>.csv, and draws the figure to
// <name>.png and <name>.svg and a summary to <name>.json, all written atomically. It returns
// the paths written. A blow-up leaves no output and returns the error naming the step.
func (s *simulation) run(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--out %s: %w", dir, err)
	}
	base := filepath.Join(dir, s.name)
	start := time.Now()
	if err := s.spin(); err != nil {
		return nil, err
	}
	fig := newFigureData(s)
	final := make([]float64, len(s.x0))
	err := atomicfile.Write(base+".csv", func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		bw.WriteString(trajectoryHeader(len(s.x0)))
		x, y := append([]float64(nil), s.x0...), make([]float64, len(s.x0))
		buf := make([]byte, 0, 32)
		for k := 0; k <= s.steps; k++ {
			if k%1024 == 0 && runCtx.Err() != nil {
				return fmt.Errorf("interrupted at step %d of %d: %w", k, s.steps, runCtx.Err())
			}
			if k > 0 {
				s.model.Step(y, x)
				x, y = y, x
			}
			for i, v := range x {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("the state became non-finite at step %d (x%d = %v, t = %g); %s", k, i, v, float64(k)*s.dt, s.blowUpAdvice())
				}
			}
			buf = appendTrajectoryRow(buf[:0], k, x)
			if _, err := bw.Write(buf); err != nil {
				return err
			}
			fig.add(k, x)
			if s.obs != nil {
				s.obs.add(k, x)
			}
		}
		copy(final, x)
		return bw.Flush()
	})
	if err != nil {
		return nil, err
	}
	elapsed := time.Since(start)
	files := []string{base + ".csv"}
	if s.obs != nil {
		obs := append([]byte("step,index,value,sigma\n"), s.obs.buf...)
		truth := []byte("index,value\n")
		for i, v := range s.x0 {
			truth = fmt.Appendf(truth, "%d,%s\n", i, strconv.FormatFloat(v, 'g', -1, 64))
		}
		for _, f := range []struct {
			name string
			data []byte
		}{{base + "_obs.csv", obs}, {base + "_truth.csv", truth}} {
			if err := atomicfile.WriteBytes(f.name, f.data); err != nil {
				return files, err
			}
			files = append(files, f.name)
		}
	}
	figs, err := figure.Save(base, [][]*plot.Plot{{fig.plot()}}, 7*vg.Inch, 5*vg.Inch)
	files = append(files, figs...)
	if err != nil {
		return files, err
	}
	summary := map[string]any{
		"model": s.name, "params": s.params, "dt": s.dt, "steps": s.steps,
		"integrator": s.integ.String(), "elapsed_s": elapsed.Seconds(),
	}
	if len(final) <= 1000 {
		summary["x0"], summary["final_state"] = s.x0, final
	}
	err = atomicfile.Write(base+".json", func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(summary)
	})
	if err != nil {
		return files, fmt.Errorf("writing %s.json: %w", base, err)
	}
	return append(files, base+".json"), nil
}

// spin runs the spin-up from x0, which becomes step 0 of the trajectory; a blow-up names
// the step of the spin-up, and an interrupt stops it within 1024 steps.
func (s *simulation) spin() error {
	for k := 0; k < s.spinUp; k += 1024 {
		if err := runCtx.Err(); err != nil {
			return fmt.Errorf("interrupted at step %d of the %d-step spin-up: %w", k, s.spinUp, err)
		}
		if err := lorenz.Integrate(s.model, s.x0, min(1024, s.spinUp-k)); err != nil {
			return fmt.Errorf("--spinup %d: after step %d: %w; %s", s.spinUp, k, err, s.blowUpAdvice())
		}
	}
	return nil
}

// figureData collects what the figure needs while the trajectory streams past: the x–z
// curve of Lorenz-63, an evenly subsampled time × variable grid of Lorenz-96, or the last
// field of the QG model on its grid.
type figureData struct {
	s          *simulation
	xz         plotter.XYs
	rowStride  int
	colStride  int
	grid       [][]float64
	rows, cols []float64 // times and variable indices of the grid
}

func newFigureData(s *simulation) *figureData {
	f := &figureData{s: s}
	if s.name == "lorenz96" {
		f.rowStride = (s.steps + hovmollerMax) / hovmollerMax // ⌈(steps+1)/max⌉
		f.colStride = (len(s.x0) + hovmollerMax - 1) / hovmollerMax
		for c := 0; c < len(s.x0); c += f.colStride {
			f.cols = append(f.cols, float64(c))
		}
	}
	return f
}

func (f *figureData) add(k int, x []float64) {
	if q, ok := f.s.model.(*qg.Model); ok {
		if k == f.s.steps {
			f.grid, f.rows, f.cols = f.grid[:0], f.rows[:0], f.cols[:0]
			for j := range q.N {
				f.grid = append(f.grid, append([]float64(nil), x[j*q.N:(j+1)*q.N]...))
				f.rows, f.cols = append(f.rows, float64(j)), append(f.cols, float64(j))
			}
		}
		return
	}
	if f.s.name == "lorenz63" {
		if k%((f.s.steps+curveMax)/curveMax) == 0 { // every ⌈(steps+1)/curveMax⌉-th state
			f.xz = append(f.xz, plotter.XY{X: x[0], Y: x[2]})
		}
		return
	}
	if k%f.rowStride != 0 {
		return
	}
	row := make([]float64, 0, len(f.cols))
	for c := 0; c < len(x); c += f.colStride {
		row = append(row, x[c])
	}
	f.grid = append(f.grid, row)
	f.rows = append(f.rows, float64(k)*f.s.dt)
}

func (f *figureData) plot() *plot.Plot {
	p := plot.New()
	if f.s.name == "lorenz63" {
		p.Title.Text = fmt.Sprintf("Lorenz-63 (σ=%g, ρ=%g, β=%.4g), %d steps of dt=%g", f.s.params["sigma"], f.s.params["rho"], f.s.params["beta"], f.s.steps, f.s.dt)
		p.X.Label.Text = "x0 (x)"
		p.Y.Label.Text = "x2 (z)"
		if l, err := plotter.NewLine(f.xz); err == nil {
			l.Color = color.RGBA{R: 31, G: 119, B: 180, A: 255}
			l.Width = vg.Points(0.5)
			p.Add(l)
		}
		return p
	}
	g := hovmoller{f}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, row := range f.grid {
		for _, v := range row {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if !(hi > lo) { // a constant field: widen by more than round-off, which ±1 is not at 1e300
		pad := max(1, math.Abs(lo)*1e-3)
		lo, hi = lo-pad, hi+pad
	}
	cmap := moreland.SmoothBlueRed()
	cmap.SetMin(lo)
	cmap.SetMax(hi)
	hm := plotter.NewHeatMap(g, cmap.Palette(255))
	hm.Min, hm.Max = lo, hi
	hm.Rasterized = true
	p.Add(hm)
	if f.s.name == "qg" {
		n := len(f.cols)
		p.Title.Text = fmt.Sprintf("QG %d×%d: ψ at step %d (t=%g), from %.3g (blue) to %.3g (red)", n, n, f.s.steps, float64(f.s.steps)*f.s.dt, lo, hi)
		p.X.Label.Text = fmt.Sprintf("grid column i (x; variable j·%d + i)", n)
		p.Y.Label.Text = "grid row j (y)"
		return p
	}
	p.Title.Text = fmt.Sprintf("Lorenz-96 Hovmöller (N=%d, F=%g): x0 … x(N−1) from %.3g (blue) to %.3g (red)", len(f.s.x0), f.s.params["forcing"], lo, hi)
	p.X.Label.Text = "variable index i (x0 … x(N−1))"
	p.Y.Label.Text = "time"
	return p
}

// hovmoller is the time × variable grid as a plotter.GridXYZ: columns are variables, rows
// are times.
type hovmoller struct{ f *figureData }

func (h hovmoller) Dims() (c, r int)   { return len(h.f.cols), len(h.f.rows) }
func (h hovmoller) Z(c, r int) float64 { return h.f.grid[r][c] }
func (h hovmoller) X(c int) float64    { return h.f.cols[c] }
func (h hovmoller) Y(r int) float64    { return h.f.rows[r] }

// brief formats a state for one line of output: all of it when short, its ends otherwise.
func brief(x []float64) string {
	f := func(v []float64) string {
		s := make([]string, len(v))
		for i, e := range v {
			s[i] = strconv.FormatFloat(e, 'g', 6, 64)
		}
		return strings.Join(s, ", ")
	}
	if len(x) <= 6 {
		return "(" + f(x) + ")"
	}
	return "(" + f(x[:3]) + ", …, " + f(x[len(x)-3:]) + ")"
}

// blowUpAdvice says what may keep the integration finite: a smaller time step, and RK4 when
// another scheme is in use.
func (s *simulation) blowUpAdvice() string {
	if s.integ == lorenz.RK4 {
		return "try a smaller --dt"
	}
	return "try a smaller --dt or --integrator rk4"
}

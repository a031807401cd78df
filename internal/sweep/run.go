package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/adjunto/adjunto/internal/atomicfile"
)

// ResultFile is the record a finished run leaves in its folder. It is written last and
// atomically: a run without it did not finish (it was interrupted) and runs again.
const ResultFile = "result.json"

// Run states in a Result.
const (
	StatusOK     = "ok"
	StatusFailed = "failed"
)

// Result is the record of one finished run.
type Result struct {
	ID          string             `json:"id"`                // the run's Run.ID
	Index       int                `json:"index"`             // the run's Run.Index
	Params      map[string]string  `json:"params"`            // the run's Run.Params
	Args        []string           `json:"args"`              // the run's Run.Args
	Status      string             `json:"status"`            // StatusOK or StatusFailed
	Error       string             `json:"error,omitempty"`   // why the run failed; empty when it succeeded
	ExitCode    int                `json:"exit_code"`         // the exit status of the run's process
	WallSeconds float64            `json:"wall_seconds"`      // wall-clock time of the run
	CPUSeconds  float64            `json:"cpu_seconds"`       // user and system time of the run's process
	Metrics     map[string]float64 `json:"metrics,omitempty"` // the metrics file's numbers, by dotted key
}

// ReadResult reads the result of run r in the sweep folder dir; it returns nil, nil when the
// run has not finished.
func ReadResult(dir string, r *Run) (*Result, error) {
	path := filepath.Join(RunDir(dir, r), ResultFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var res Result
	if err := json.Unmarshal(b, &res); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &res, nil
}

// flatten returns the numbers of a JSON document by dotted key (summary.rmse_analysis),
// booleans as 0 and 1; arrays, such as per-cycle records, are left out.
func flatten(doc []byte) (map[string]float64, error) {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return nil, err
	}
	m := map[string]float64{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(join(prefix, k), e)
			}
		case float64:
			m[prefix] = x
		case bool:
			m[prefix] = 0
			if x {
				m[prefix] = 1
			}
		}
	}
	walk("", v)
	return m, nil
}

// Runner runs the runs of a plan, each in its own process of Executable, Jobs at a time.
type Runner struct {
	Executable  string    // the adjunto binary the runs are processes of
	Jobs        int       // runs at a time; < 1 means 1
	RetryFailed bool      // run again the runs whose result says failed; otherwise they are skipped
	Log         io.Writer // failures, as they come, and the progress Show asks for; nil for nothing
	Show        Show      // how progress goes to Log
}

// Show says how a Runner shows its progress: counts and an estimate of the time left.
type Show int

const (
	ShowNone     Show = iota // failures only
	ShowTerminal             // one status line, redrawn
	ShowLines                // a line per finished run, at most one a second: for a batch task's log
)

// Summary counts what a Runner did.
type Summary struct {
	Total    int      // runs asked for
	Ran      int      // runs started and finished in this call
	Failed   int      // runs whose result, new or earlier, is a failure
	Skipped  int      // runs finished by an earlier call and not run again (failed ones included)
	Busy     int      // runs left to another sweep process that was making them
	Failures []Result // the failures, new and earlier, in the plan's order
}

// Run runs the given runs of p (its runs when nil) whose result is not already there and
// writes each one's output and result in dir/runs/ID. A run that fails is recorded and the
// others go on; the error is only for a sweep that cannot go on (ctx cancelled, dir not
// writable). After a cancellation the runs that were under way have no result and run again
// next time.
func (rn *Runner) Run(ctx context.Context, dir string, p *Plan, runs []Run) (Summary, error) {
	if runs == nil {
		runs = p.Runs
	}
	sum := Summary{Total: len(runs)}
	var todo []Run
	var failures []Result
	for i := range runs {
		res, err := ReadResult(dir, &runs[i])
		if err != nil {
			return sum, err
		}
		switch {
		case res == nil || res.Status == StatusFailed && rn.RetryFailed:
			todo = append(todo, runs[i])
		case res.Status == StatusFailed:
			sum.Skipped++
			failures = append(failures, *res)
		default:
			sum.Skipped++
		}
	}
	if len(failures) > 0 {
		rn.printf("sweep %s: %d runs failed earlier and are skipped (--retry-failed runs them again)\n", p.Name, len(failures))
	}
	prog := progress{rn: rn, name: p.Name, total: len(runs), done: sum.Skipped, failed: len(failures), start: time.Now()}
	jobs := max(rn.Jobs, 1)
	work := make(chan *Run)
	type outcome struct {
		res *Result
		err error
	}
	results := make(chan outcome)
	var wg sync.WaitGroup
	for range min(jobs, max(len(todo), 1)) {
		wg.Go(func() {
			for r := range work {
				res, err := rn.runOne(ctx, dir, p, r)
				results <- outcome{res, err}
			}
		})
	}
	go func() {
		defer close(work)
		for i := range todo {
			select {
			case work <- &todo[i]:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	var firstErr error
	prog.running = min(jobs, len(todo))
	prog.show()
	handled := 0
	for o := range results {
		handled++
		switch {
		case errors.Is(o.err, errBusy):
			sum.Busy++
		case errors.Is(o.err, errFinished):
			sum.Skipped++
			prog.done++
		case o.err != nil:
			if firstErr == nil {
				firstErr = o.err
			}
		default:
			sum.Ran++
			prog.done++
			prog.ran++
			if o.res.Status == StatusFailed {
				prog.failed++
				failures = append(failures, *o.res)
				prog.clear()
				rn.printf("sweep %s: run %d (%s, id %s) failed: %s\n", p.Name, o.res.Index,
					p.Describe(o.res.Params), o.res.ID, o.res.Error)
			}
		}
		prog.running = min(jobs, len(todo)-handled)
		prog.show()
	}
	prog.finish()
	slices.SortFunc(failures, func(a, b Result) int { return a.Index - b.Index })
	sum.Failures = failures
	sum.Failed = len(failures)
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return sum, firstErr
}

// childEnv returns the environment of a run: this process's, with GOMAXPROCS set to the
// run's share of the cores when several runs go at once and the user has not set it, so that
// Jobs runs of Go programs do not each start a scheduler (and a garbage collector) sized for
// the whole machine and then take the cores from one another.
func (rn *Runner) childEnv() []string {
	env := os.Environ()
	jobs := max(rn.Jobs, 1)
	if jobs == 1 || os.Getenv("GOMAXPROCS") != "" {
		return env
	}
	return append(env, fmt.Sprintf("GOMAXPROCS=%d", max(1, runtime.NumCPU()/jobs)))
}

func (rn *Runner) printf(format string, a ...any) {
	if rn.Log != nil {
		fmt.Fprintf(rn.Log, format, a...)
	}
}

// Reasons runOne did not make a run, which are not failures of the sweep.
var (
	errBusy     = errors.New("under way in another sweep process")
	errFinished = errors.New("finished by another sweep process")
)

// runOne runs r in a fresh folder and writes its result. It returns an error, and no result,
// only when the run could not be started or finished for a reason of the sweep's (ctx
// cancelled, the folder not writable): the run is then not finished and runs again later.
func (rn *Runner) runOne(ctx context.Context, dir string, p *Plan, r *Run) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rdir := RunDir(dir, r)
	// Another sweep in this folder (a batch task, a second adjunto sweep) may be making the
	// run, or have made it since this one looked.
	if err := os.MkdirAll(filepath.Dir(rdir), 0o755); err != nil {
		return nil, err
	}
	unlock, ok, err := lockRun(rdir + ".lock")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errBusy
	}
	defer unlock()
	if res, err := ReadResult(dir, r); err != nil || res != nil && !(res.Status == StatusFailed && rn.RetryFailed) {
		if err == nil {
			err = errFinished
		}
		return nil, err
	}
	// What an interrupted attempt left is stale: start from an empty folder.
	if err := os.RemoveAll(rdir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(rdir, 0o755); err != nil {
		return nil, err
	}
	outArgs, metricsPath := outputArgs(p.Command, rdir)
	stdout, err := os.Create(filepath.Join(rdir, "stdout.log"))
	if err != nil {
		return nil, err
	}
	defer stdout.Close()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, rn.Executable, append(slices.Clone(r.Args), outArgs...)...)
	cmd.Dir = p.Workdir
	cmd.Env = rn.childEnv()
	cmd.Stdout = stdout
	cmd.Stderr = &stderr
	start := time.Now()
	runErr := cmd.Run()
	res := &Result{ID: r.ID, Index: r.Index, Params: r.Params, Args: r.Args, Status: StatusOK,
		WallSeconds: time.Since(start).Seconds()}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if ps := cmd.ProcessState; ps != nil {
		res.CPUSeconds = (ps.UserTime() + ps.SystemTime()).Seconds()
	}
	// The log is for reading, not for resuming: no need to sync it as the result is.
	if stderr.Len() > 0 {
		if err := os.WriteFile(filepath.Join(rdir, "stderr.log"), stderr.Bytes(), 0o644); err != nil {
			return nil, err
		}
	}
	if runErr != nil {
		res.Status, res.Error = StatusFailed, runErr.Error()
		if ee, ok := errors.AsType[*exec.ExitError](runErr); ok {
			res.ExitCode = ee.ExitCode()
		} else {
			res.ExitCode = -1
		}
		if tail := lastLines(stderr.String(), 3); tail != "" {
			res.Error += ": " + tail
		}
	} else if b, err := os.ReadFile(metricsPath); err != nil {
		res.Status, res.Error = StatusFailed, fmt.Sprintf("the run wrote no metrics: %v", err)
	} else if res.Metrics, err = flatten(b); err != nil {
		res.Status, res.Error = StatusFailed, fmt.Sprintf("%s: %v", metricsPath, err)
	}
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := atomicfile.WriteBytes(filepath.Join(rdir, ResultFile), append(b, '\n')); err != nil {
		return nil, err
	}
	return res, nil
}

// lastLines returns the last n non-empty lines of s, joined by " | ", at most 600 bytes.
func lastLines(s string, n int) string {
	var keep []string
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0 && len(keep) < n; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			keep = append(keep, l)
		}
	}
	slices.Reverse(keep)
	out := strings.Join(keep, " | ")
	if len(out) > 600 {
		out = "…" + out[len(out)-600:]
	}
	return out
}

// progress shows counts and an estimate of the time left.
type progress struct {
	rn                       *Runner
	name                     string
	total, done, ran, failed int
	running                  int
	start                    time.Time
	shown                    bool
	lastLine                 time.Time
}

func (p *progress) line() string {
	el := time.Since(p.start)
	s := fmt.Sprintf("sweep %s: %d/%d runs done", p.name, p.done, p.total)
	if p.failed > 0 {
		s += fmt.Sprintf(", %d failed", p.failed)
	}
	s += fmt.Sprintf(", %d running, elapsed %s", p.running, el.Round(100*time.Millisecond))
	if left := p.total - p.done; left > 0 && p.ran > 0 {
		eta := time.Duration(float64(el) / float64(p.ran) * float64(left))
		s += ", ETA " + eta.Round(100*time.Millisecond).String()
	}
	return s
}

func (p *progress) show() {
	if p.rn.Log == nil || p.rn.Show == ShowNone {
		return
	}
	if p.rn.Show == ShowTerminal {
		fmt.Fprintf(p.rn.Log, "\r\033[K%s", p.line())
		p.shown = true
		return
	}
	if p.ran > 0 && (time.Since(p.lastLine) >= time.Second || p.done == p.total) {
		p.lastLine = time.Now()
		fmt.Fprintln(p.rn.Log, p.line())
	}
}

func (p *progress) clear() {
	if p.shown {
		fmt.Fprint(p.rn.Log, "\r\033[K")
		p.shown = false
	}
}

func (p *progress) finish() {
	if p.shown {
		fmt.Fprintln(p.rn.Log)
		p.shown = false
	}
}

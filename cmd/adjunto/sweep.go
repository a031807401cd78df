package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/adjunto/adjunto/experiments"
	"github.com/adjunto/adjunto/internal/atomicfile"
	"github.com/adjunto/adjunto/internal/progress"
	"github.com/adjunto/adjunto/internal/sweep"
)

const sweepUsage = `FILE [flags]
       adjunto sweep run [--dir DIR] [--index I] [flags]

The first form expands the sweep file FILE (JSON; see the README) into its runs, each with a
stable id (a hash of its command line), and runs them on this machine, -j at a time, each in
its own process with its own folder DIR/runs/ID. Run it again to resume: finished runs are
skipped, failed ones too unless --retry-failed. With --slurm it writes instead DIR/runs.json
and DIR/sweep.sbatch, a job array whose tasks run "adjunto sweep run --index
$SLURM_ARRAY_TASK_ID" (several runs per task when there are thousands), and submits it with
--submit; with --k8s it writes DIR/k8s-job.json, a Kubernetes Indexed Job whose pods run the
same command with their JOB_COMPLETION_INDEX. "adjunto table DIR" then makes the table.

The second form runs one batch task's runs; its index comes from --index, else from
SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX.`

// sweepFlags are the flags of "adjunto sweep FILE".
type sweepFlags struct {
	out         string
	jobs        int
	retryFailed bool
	quiet       bool
	dryRun      bool

	slurm     bool
	submit    bool
	partition string
	time      string
	arrayMax  int
	perTask   int

	k8s   bool
	image string
	claim string
}

func runSweep(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "run" {
		return sweepTask(args[1:], stdout, stderr)
	}
	var f sweepFlags
	fs := newFlagSet("sweep", sweepUsage, stderr)
	fs.StringVar(&f.out, "out", "", "sweep `folder` (default out/sweep/NAME)")
	fs.IntVar(&f.jobs, "j", runtime.NumCPU(), "runs at a time on this machine")
	fs.BoolVar(&f.retryFailed, "retry-failed", false, "run the failed runs again (finished ones are always skipped)")
	fs.BoolVar(&f.quiet, "q", false, "no progress on stderr (failures are always reported)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "write runs.json and list the runs without running them")
	fs.BoolVar(&f.slurm, "slurm", false, "write an sbatch job-array script instead of running the runs")
	fs.BoolVar(&f.submit, "submit", false, "with --slurm, submit the script with sbatch")
	fs.StringVar(&f.partition, "partition", "", "with --slurm, the partition (default: the cluster's)")
	fs.StringVar(&f.time, "time", "", "with --slurm, the time limit of one array task, such as 01:00:00")
	fs.IntVar(&f.arrayMax, "array-max", 0, "with --slurm or --k8s, array tasks (pods) running at once (0: no limit)")
	fs.IntVar(&f.perTask, "per-task", 0, "with --slurm or --k8s, runs per task (0: one, or as many as keep the tasks ≤ 1000)")
	fs.BoolVar(&f.k8s, "k8s", false, "write a Kubernetes Indexed Job manifest instead of running the runs")
	fs.StringVar(&f.image, "image", "adjunto:latest", "with --k8s, a container image with adjunto on its PATH")
	fs.StringVar(&f.claim, "claim", "adjunto-sweep", "with --k8s, the PersistentVolumeClaim holding the sweep folder")
	pos, code, done := parseInterleaved(fs, args, stdout)
	if done {
		return code
	}
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "adjunto sweep: %v\n", err)
		return code
	}
	if len(pos) != 1 {
		fs.Usage()
		return exitUsage
	}
	switch {
	case f.jobs < 1:
		return fail(exitUsage, fmt.Errorf("-j %d: want ≥ 1", f.jobs))
	case f.arrayMax < 0 || f.perTask < 0:
		return fail(exitUsage, fmt.Errorf("--array-max %d, --per-task %d: want ≥ 0", f.arrayMax, f.perTask))
	case f.submit && !f.slurm:
		return fail(exitUsage, errors.New("--submit goes with --slurm"))
	}
	spec, err := sweep.ReadFile(pos[0])
	if err != nil {
		return fail(exitUsage, err)
	}
	check, err := sweepKeyCheck(spec.Command)
	if err != nil {
		return fail(exitUsage, fmt.Errorf("%s: command: %w", spec.File, err))
	}
	if check != nil {
		if err := spec.CheckKeys(check); err != nil {
			return fail(exitUsage, err)
		}
	}
	plan, err := spec.Expand()
	if err != nil {
		return fail(exitUsage, err)
	}
	if f.out == "" {
		f.out = spec.DefaultDir()
	}
	dir, err := filepath.Abs(f.out)
	if err != nil {
		return fail(exitFail, err)
	}
	if plan.Workdir, err = os.Getwd(); err != nil {
		return fail(exitFail, err)
	}
	plan.PerTask = f.perTask
	if plan.PerTask == 0 {
		plan.PerTask = sweep.PerTaskFor(len(plan.Runs), sweep.MaxArrayTasks)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(exitFail, err)
	}
	if err := sweep.WritePlan(dir, plan); err != nil {
		return fail(exitFail, err)
	}
	switch {
	case f.dryRun:
		for i := range plan.Runs {
			r := &plan.Runs[i]
			fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\n", r.Index, r.ID, plan.Describe(r.Params), strings.Join(r.Args, " "))
		}
		return exitOK
	case f.slurm || f.k8s:
		return writeBatch(&f, plan, dir, stdout, stderr)
	}
	exe, err := os.Executable()
	if err != nil {
		return fail(exitFail, err)
	}
	// Progress as every long command gives it: a redrawn line on a terminal, whole lines in a
	// log (at most one a second, as a batch task's), none with -q.
	rn := &sweep.Runner{Executable: exe, Jobs: f.jobs, RetryFailed: f.retryFailed, Log: stderr, Show: sweep.ShowLines}
	switch {
	case f.quiet:
		rn.Show = sweep.ShowNone
	case progress.IsTerminal(stderr):
		rn.Show = sweep.ShowTerminal
	}
	ctx, stop := interruptContext()
	defer stop()
	sum, err := rn.Run(ctx, dir, plan, nil)
	return sweepReport(stdout, stderr, plan, dir, sum, err)
}

// sweepKeyCheck returns a check of a sweep file's keys against the flags of fourdvar or the
// config keys of an experiment; nil for the commands whose flags it does not know (their
// runs fail on a misspelt flag, each with the command's own message).
func sweepKeyCheck(cmd []string) (func(key string) error, error) {
	switch cmd[0] {
	case "fourdvar":
		fs := flag.NewFlagSet("fourdvar", flag.ContinueOnError)
		new(fourdvarOptions).register(fs)
		return func(key string) error {
			if fs.Lookup(key) == nil {
				return errors.New("not a flag of adjunto fourdvar (see adjunto fourdvar --help)")
			}
			return nil
		}, nil
	case "experiment":
		e, err := experiments.Lookup(cmd[2])
		if err != nil {
			return nil, err
		}
		cfg := e.DefaultConfig()
		return func(key string) error {
			k, ok := strings.CutPrefix(key, sweep.SetPrefix)
			if !ok {
				return fmt.Errorf("experiment run takes its settings as %sKEY (see adjunto experiment show %s)", sweep.SetPrefix, e.Name)
			}
			if !experiments.HasKey(cfg, strings.TrimPrefix(k, e.Name+".")) {
				return fmt.Errorf("not a config key of %s (see adjunto experiment show %s)", e.Name, e.Name)
			}
			return nil
		}, nil
	}
	return nil, nil
}

// sweepReport prints what a Runner did and returns the exit code: 1 when a run failed or the
// sweep stopped.
func sweepReport(stdout, stderr io.Writer, plan *sweep.Plan, dir string, sum sweep.Summary, err error) int {
	fmt.Fprintf(stdout, "sweep %s: %d runs: %d ran now, %d had finished earlier, %d not run; %d failed. Folder %s\n",
		plan.Name, sum.Total, sum.Ran, sum.Skipped, sum.Total-sum.Ran-sum.Skipped, sum.Failed, dir)
	if err != nil {
		fmt.Fprintf(stderr, "adjunto sweep: stopped: %v (run the same command again to resume)\n", err)
		return exitFail
	}
	if sum.Busy > 0 {
		fmt.Fprintf(stderr, "adjunto sweep: %d runs were under way in another sweep process in %s and were left to it\n", sum.Busy, dir)
	}
	const shown = 10 // the progress lines named every new failure as it came
	for i, r := range sum.Failures {
		if i == shown {
			fmt.Fprintf(stderr, "  … and %d more failed runs\n", len(sum.Failures)-shown)
			break
		}
		fmt.Fprintf(stderr, "  failed: run %d (%s, id %s): %s\n", r.Index, plan.Describe(r.Params), r.ID, r.Error)
	}
	if sum.Failed > 0 {
		fmt.Fprintf(stderr, "adjunto sweep: %d runs failed; their logs are in %s/ID/stderr.log (--retry-failed runs them again)\n",
			sum.Failed, filepath.Join(dir, sweep.RunsDir))
		return exitFail
	}
	return exitOK
}

// writeBatch writes the Slurm script and/or the Kubernetes manifest, and submits the script
// when asked.
func writeBatch(f *sweepFlags, plan *sweep.Plan, dir string, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "adjunto sweep: %v\n", err)
		return exitFail
	}
	b := sweep.Batch{Dir: dir, Workdir: plan.Workdir, Partition: f.partition, Time: f.time, ArrayMax: f.arrayMax,
		Image: f.image, Claim: f.claim}
	fmt.Fprintf(stdout, "sweep %s: %d runs in %d tasks of up to %d runs; run list %s\n", plan.Name, len(plan.Runs),
		plan.Tasks(), plan.PerTask, filepath.Join(dir, sweep.PlanFile))
	if f.k8s {
		job, err := sweep.K8sJob(plan, b)
		if err != nil {
			return fail(err)
		}
		path := filepath.Join(dir, "k8s-job.json")
		if err := atomicfile.WriteBytes(path, job); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "wrote %s: copy %s to the volume claim %s, then kubectl apply -f it\n", path, dir, f.claim)
	}
	if !f.slurm {
		return exitOK
	}
	if strings.ContainsAny(dir, " \t\n\"'") {
		return fail(fmt.Errorf("--slurm: the sweep folder %q has white space or quotes, which an #SBATCH line cannot hold (choose --out)", dir))
	}
	// The tasks run a copy of this binary inside the sweep folder, which the nodes share:
	// rebuilding adjunto (or go run's temporary build vanishing) leaves the sweep's intact.
	exe, err := copyExecutable(dir)
	if err != nil {
		return fail(err)
	}
	b.Executable = exe
	if err := os.MkdirAll(filepath.Join(dir, sweep.SlurmLogDir), 0o755); err != nil {
		return fail(err)
	}
	script := filepath.Join(dir, "sweep.sbatch")
	if err := atomicfile.WriteBytes(script, []byte(sweep.SlurmScript(plan, b))); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "wrote %s\n", script)
	if !f.submit {
		fmt.Fprintf(stdout, "submit it with: sbatch %s\n", script)
		return exitOK
	}
	var out, errb bytes.Buffer
	cmd := exec.Command("sbatch", "--parsable", script)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return fail(fmt.Errorf("sbatch %s: %v: %s", script, err, strings.TrimSpace(errb.String())))
	}
	jobID, _, _ := strings.Cut(strings.TrimSpace(out.String()), ";")
	fmt.Fprintf(stdout, "submitted job %s; when it has finished: adjunto table %s\n", jobID, dir)
	return exitOK
}

// copyExecutable copies the running binary to dir/adjunto and returns that path.
func copyExecutable(dir string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(self)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "adjunto")
	if err := atomicfile.WriteBytes(path, data); err != nil {
		return "", err
	}
	return path, os.Chmod(path, 0o755)
}

// sweepTask runs one batch task: "adjunto sweep run".
func sweepTask(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sweep run", "[--dir DIR] [--index I] [flags]", stderr)
	dirFlag := fs.String("dir", ".", "the sweep `folder`, with its runs.json")
	index := fs.Int("index", -1, "the task's index (default: $SLURM_ARRAY_TASK_ID, else $JOB_COMPLETION_INDEX)")
	workdir := fs.String("workdir", "", "start the runs here instead of where the sweep was written")
	jobs := fs.Int("j", 1, "runs of the task at a time")
	retry := fs.Bool("retry-failed", false, "run the task's failed runs again")
	quiet := fs.Bool("q", false, "no progress lines on stderr (failures are always reported)")
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "adjunto sweep run: %v\n", err)
		return code
	}
	if *index < 0 {
		for _, env := range []string{"SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"} {
			if v := os.Getenv(env); v != "" {
				i, err := strconv.Atoi(v)
				if err != nil || i < 0 {
					return fail(exitUsage, fmt.Errorf("$%s=%q: want a task index ≥ 0", env, v))
				}
				*index = i
				break
			}
		}
		if *index < 0 {
			return fail(exitUsage, errors.New("no task index: give --index, or run as a Slurm array task or a Kubernetes Indexed Job"))
		}
	}
	if *jobs < 1 {
		return fail(exitUsage, fmt.Errorf("-j %d: want ≥ 1", *jobs))
	}
	dir, err := filepath.Abs(*dirFlag)
	if err != nil {
		return fail(exitFail, err)
	}
	plan, err := sweep.ReadPlan(dir)
	if err != nil {
		return fail(exitFail, err)
	}
	if *workdir != "" {
		plan.Workdir = *workdir
	}
	runs, err := plan.Task(*index)
	if err != nil {
		return fail(exitUsage, err)
	}
	exe, err := os.Executable()
	if err != nil {
		return fail(exitFail, err)
	}
	// A task's stderr is its log (Slurm's %A_%a.out, the pod's): a line per finished run.
	rn := &sweep.Runner{Executable: exe, Jobs: *jobs, RetryFailed: *retry, Log: stderr, Show: sweep.ShowLines}
	if *quiet {
		rn.Show = sweep.ShowNone
	}
	ctx, stop := interruptContext()
	defer stop()
	sum, err := rn.Run(ctx, dir, plan, runs)
	return sweepReport(stdout, stderr, plan, dir, sum, err)
}

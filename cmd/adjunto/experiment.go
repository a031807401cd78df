package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/adjunto/adjunto/experiments"
	"github.com/adjunto/adjunto/internal/progress"
)

const experimentUsage = `Usage: adjunto experiment list
       adjunto experiment show NAME
       adjunto experiment run (NAME... | all) [--out DIR] [--set key=value]... [--config FILE] [-q]

list prints every experiment with one line on what it shows. show prints an experiment's
caption and the keys of its config with their types, defaults and meaning. run runs the
named experiments (or all of them, in the course's order) and writes, for each, DIR/NAME/
with PNG and SVG figures, CSV series, metrics.json, config.json and manifest.json. A run
that fails leaves the results of the others, and any earlier result of its own, in place.

--set key=value changes a config field of every named experiment that has the key (an error
if none has it); --set NAME.key=value changes it for NAME only. --config FILE starts from a
config.json written by an earlier run (one experiment only), so that run can be repeated.
Progress goes to stderr (a line every few seconds when it is not a terminal), unless -q.

Flags of run:`

func runExperiment(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, experimentUsage)
		newRunFlags(stderr, new(runFlags)).PrintDefaults()
		return exitUsage
	}
	switch args[0] {
	case "list":
		return experimentList(args[1:], stdout, stderr)
	case "show":
		return experimentShow(args[1:], stdout, stderr)
	case "run":
		return experimentRun(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stdout, experimentUsage)
		newRunFlags(stdout, new(runFlags)).PrintDefaults()
		return exitOK
	}
	fmt.Fprintf(stderr, "adjunto experiment: unknown subcommand %q (want list, show or run)\n\n", args[0])
	fmt.Fprintln(stderr, experimentUsage)
	newRunFlags(stderr, new(runFlags)).PrintDefaults()
	return exitUsage
}

func experimentList(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("experiment list", "", stderr)
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, e := range experiments.All() {
		fmt.Fprintf(tw, "%s\t%s\n", e.Name, e.Summary)
	}
	tw.Flush()
	return exitOK
}

func experimentShow(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "Usage: adjunto experiment show NAME")
		if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
			return exitOK
		}
		return exitUsage
	}
	e, err := experiments.Lookup(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "adjunto experiment show: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "%s: %s\n\n%s\n\nConfig (set with --set key=value):\n", e.Name, e.Summary, e.Caption)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  key\ttype\tdefault\tmeaning")
	for _, f := range experiments.Fields(e.DefaultConfig()) {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", f.Key, f.Type, f.Value, f.Help)
	}
	tw.Flush()
	return exitOK
}

// runFlags are the flags of "experiment run".
type runFlags struct {
	out    string
	config string
	quiet  bool
	sets   assignments
}

// assignments collects repeated --set flags.
type assignments []string

func (a *assignments) String() string     { return strings.Join(*a, " ") }
func (a *assignments) Set(s string) error { *a = append(*a, s); return nil }

func newRunFlags(stderr io.Writer, f *runFlags) *flag.FlagSet {
	fs := newFlagSet("experiment run", "NAME... | all [flags]", stderr)
	fs.StringVar(&f.out, "out", filepath.Join("out", "experiments"), "output `directory`; each experiment writes DIR/NAME/")
	fs.StringVar(&f.config, "config", "", "start from this config.json of an earlier run (one experiment only)")
	fs.BoolVar(&f.quiet, "q", false, "no progress on stderr")
	fs.Var(&f.sets, "set", "change a config field: `key=value` or NAME.key=value (repeatable)")
	return fs
}

// parseInterleaved parses flags that may come before, between or after positional arguments,
// as "experiment run NAME --out DIR" needs. It returns done=true with an exit code when the
// caller must stop.
func parseInterleaved(fs *flag.FlagSet, args []string, stdout io.Writer) (pos []string, code int, done bool) {
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return nil, exitOK, true
		}
		if err != nil {
			return nil, exitUsage, true
		}
		if fs.NArg() == 0 {
			return pos, exitOK, false
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func experimentRun(args []string, stdout, stderr io.Writer) int {
	var f runFlags
	fs := newRunFlags(stderr, &f)
	names, code, done := parseInterleaved(fs, args, stdout)
	if done {
		return code
	}
	if len(names) == 0 {
		fmt.Fprintln(stderr, "adjunto experiment run: name an experiment, or all (see adjunto experiment list)")
		return exitUsage
	}
	var exps []*experiments.Experiment
	for _, n := range names {
		if n == "all" {
			exps = append(exps, experiments.All()...)
			continue
		}
		e, err := experiments.Lookup(n)
		if err != nil {
			fmt.Fprintf(stderr, "adjunto experiment run: %v\n", err)
			return exitUsage
		}
		exps = append(exps, e)
	}
	cfgs, err := buildConfigs(exps, f.sets, f.config)
	if err != nil {
		fmt.Fprintf(stderr, "adjunto experiment run: %v\n", err)
		return exitUsage
	}
	ctx, stop := interruptContext()
	defer stop()
	_, failed := runBatch(ctx, exps, cfgs, f.out, !f.quiet, stdout, stderr, "experiment run")
	if failed > 0 {
		return exitFail
	}
	return exitOK
}

// buildConfigs returns the default config of each experiment, read from configFile if given,
// with the assignments applied. Every error here is bad usage, found before anything runs.
func buildConfigs(exps []*experiments.Experiment, sets []string, configFile string) ([]any, error) {
	cfgs := make([]any, len(exps))
	for i, e := range exps {
		cfgs[i] = e.DefaultConfig()
	}
	if configFile != "" {
		if len(exps) != 1 {
			return nil, fmt.Errorf("--config %s: applies to one experiment, %d named", configFile, len(exps))
		}
		data, err := os.ReadFile(configFile)
		if err != nil {
			return nil, fmt.Errorf("--config: %v", err)
		}
		if err := experiments.DecodeConfig(cfgs[0], data); err != nil {
			return nil, fmt.Errorf("--config %s: %v", configFile, err)
		}
	}
	for _, s := range sets {
		key, value, err := experiments.ParseAssignment(s)
		if err != nil {
			return nil, fmt.Errorf("--set: %v", err)
		}
		target := ""
		if name, k, ok := strings.Cut(key, "."); ok {
			if _, err := experiments.Lookup(name); err != nil {
				return nil, fmt.Errorf("--set %s: %v", s, err)
			}
			target, key = name, k
		}
		applied := false
		for i, e := range exps {
			if target != "" && e.Name != target {
				continue
			}
			if target == "" && !experiments.HasKey(cfgs[i], key) {
				continue
			}
			if err := experiments.Set(cfgs[i], key, value); err != nil {
				return nil, fmt.Errorf("--set %s: %s: %v", s, e.Name, err)
			}
			applied = true
		}
		if !applied {
			if target != "" {
				return nil, fmt.Errorf("--set %s: experiment %s is not among those to run", s, target)
			}
			if len(exps) == 1 {
				return nil, fmt.Errorf("--set %s: %s: %v", s, exps[0].Name, experiments.Set(cfgs[0], key, value))
			}
			return nil, fmt.Errorf("--set %s: %w %q in any of the experiments to run", s, experiments.ErrUnknownKey, key)
		}
	}
	for i, e := range exps {
		if v, ok := cfgs[i].(experiments.Validator); ok {
			if err := v.Validate(); err != nil {
				return nil, fmt.Errorf("%s: %w: %v", e.Name, experiments.ErrBadValue, err)
			}
		}
	}
	return cfgs, nil
}

// runBatch runs exps with cfgs into out/NAME, one after another, printing a line per
// experiment on stdout and progress on stderr if showProgress is set. A failure is reported and
// the batch goes on; an interrupt stops it. It returns the results (nil where a run failed)
// and the number of failures, which includes experiments not run because of an interrupt.
func runBatch(ctx context.Context, exps []*experiments.Experiment, cfgs []any, out string, showProgress bool, stdout, stderr io.Writer, cmd string) ([]*experiments.Result, int) {
	results := make([]*experiments.Result, len(exps))
	if err := checkWritable(out); err != nil {
		fmt.Fprintf(stderr, "adjunto %s: %v\n", cmd, err)
		return results, len(exps)
	}
	failed := 0
	start := time.Now()
	for i, e := range exps {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "adjunto %s: interrupted; %s and the rest not run\n", cmd, e.Name)
			return results, failed + len(exps) - i
		}
		var p *progress.Meter
		opt := &experiments.Options{Version: codeVersion()}
		if showProgress {
			p = progress.New(stderr, fmt.Sprintf("[%d/%d] %s", i+1, len(exps), e.Name), 0)
			opt.Progress = p.Message
		}
		r, err := e.Run(ctx, cfgs[i], filepath.Join(out, e.Name), opt)
		p.Done()
		if err != nil {
			failed++
			fmt.Fprintf(stderr, "adjunto %s: %v\n", cmd, err)
			fmt.Fprintf(stdout, "FAIL  %-22s\n", e.Name)
			continue
		}
		results[i] = r
		fmt.Fprintf(stdout, "ok    %-22s %6.1fs  %s (%s)\n", e.Name, r.Elapsed, filepath.Join(out, e.Name), plural(len(r.Figures), "figure"))
	}
	if len(exps) > 1 {
		fmt.Fprintf(stdout, "%d of %d experiments ran in %.1fs\n", len(exps)-failed, len(exps), time.Since(start).Seconds())
	}
	return results, failed
}

// checkWritable makes dir and proves that a file can be created in it, so that an unwritable
// output directory is reported before any work is done.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output directory: %v", err)
	}
	f, err := os.CreateTemp(dir, ".probe-")
	if err != nil {
		return fmt.Errorf("output directory %s is not writable: %v", dir, err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/adjunto/adjunto/experiments"
)

func runReport(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("report", "[flags]", stderr)
	out := fs.String("out", filepath.Join("out", "report"), "output `directory`: index.html and one directory per experiment")
	fresh := fs.Bool("fresh", false, "run every experiment again instead of reusing the results in the directory that match the config and version")
	fs.BoolVar(fresh, "rerun", false, "the same as --fresh")
	only := fs.String("only", "", "comma-separated `names` of the experiments to include (default all)")
	quiet := fs.Bool("q", false, "no progress on stderr")
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	exps := experiments.All()
	if *only != "" {
		exps = nil
		for _, n := range strings.Split(*only, ",") {
			e, err := experiments.Lookup(strings.TrimSpace(n))
			if err != nil {
				fmt.Fprintf(stderr, "adjunto report: --only: %v\n", err)
				return exitUsage
			}
			exps = append(exps, e)
		}
	}
	if err := checkWritable(*out); err != nil {
		fmt.Fprintf(stderr, "adjunto report: %v\n", err)
		return exitFail
	}

	entries := make([]experiments.ReportEntry, len(exps))
	var torun []*experiments.Experiment
	var cfgs []any
	var idx []int
	for i, e := range exps {
		entries[i].Name = e.Name
		cfg := e.DefaultConfig()
		if !*fresh {
			if r := reusable(e, cfg, filepath.Join(*out, e.Name), stderr); r != nil {
				entries[i].Result, entries[i].Reused = r, true
				fmt.Fprintf(stdout, "reuse %-22s %s (same config and version)\n", e.Name, filepath.Join(*out, e.Name))
				continue
			}
		}
		torun, cfgs, idx = append(torun, e), append(cfgs, cfg), append(idx, i)
	}
	ctx, stop := interruptContext()
	defer stop()
	results, failed := runBatch(ctx, torun, cfgs, *out, !*quiet, stdout, stderr, "report")
	for k, r := range results {
		i := idx[k]
		entries[i].Result = r
		if r == nil {
			entries[i].Err = fmt.Errorf("the run failed or was interrupted; see the command's error output, or run: adjunto experiment run %s", torun[k].Name)
		}
	}
	if err := experiments.WriteReport(*out, entries); err != nil {
		fmt.Fprintf(stderr, "adjunto report: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(*out, "index.html"))
	if failed > 0 {
		return exitFail
	}
	return exitOK
}

// reusable returns the finished result of e in dir when it was computed from cfg by this
// version of adjunto, and nil (saying why on stderr, unless there is no result) otherwise.
func reusable(e *experiments.Experiment, cfg any, dir string, stderr io.Writer) *experiments.Result {
	r, err := experiments.LoadResult(dir)
	if err != nil {
		if !errors.Is(err, experiments.ErrNoResult) {
			fmt.Fprintf(stderr, "adjunto report: %v; running it again\n", err)
		}
		return nil
	}
	want, err := e.Fingerprint(cfg, codeVersion())
	if err != nil || r.Fingerprint != want {
		fmt.Fprintf(stderr, "adjunto report: %s: the result in %s is from another config or version of adjunto; running it again\n", e.Name, dir)
		return nil
	}
	return r
}

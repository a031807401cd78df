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
	out := fs.String("out", "report", "output `directory`: index.html and one directory per experiment")
	rerun := fs.Bool("rerun", false, "run every experiment again instead of reusing results found in the directory")
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
	var idx []int
	for i, e := range exps {
		entries[i].Name = e.Name
		if !*rerun {
			r, err := experiments.LoadResult(filepath.Join(*out, e.Name))
			if err == nil {
				entries[i].Result, entries[i].Reused = r, true
				fmt.Fprintf(stdout, "reuse %-22s %s\n", e.Name, filepath.Join(*out, e.Name))
				continue
			}
			if !errors.Is(err, experiments.ErrNoResult) {
				fmt.Fprintf(stderr, "adjunto report: %v; running it again\n", err)
			}
		}
		torun = append(torun, e)
		idx = append(idx, i)
	}
	cfgs := make([]any, len(torun))
	for i, e := range torun {
		cfgs[i] = e.DefaultConfig()
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

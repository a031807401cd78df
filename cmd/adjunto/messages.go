package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/adjunto/adjunto/fourdvar"
)

// report writes err on stderr as "adjunto CMD: message", dropping a package prefix that
// repeats the command's name ("adjunto fourdvar: fourdvar: diverged" reads as a stutter).
func report(stderr io.Writer, cmd string, err error) {
	msg := strings.TrimPrefix(err.Error(), cmd+": ")
	fmt.Fprintf(stderr, "adjunto %s: %s\n", cmd, msg)
}

// errNoneConverged is the error of a twin experiment none of whose scored analyses converged:
// its numbers describe minimisers stopped by --max-iter, not analyses, so the run counts as
// failed (exit 1, results kept as OUT.failed) rather than passing with a footnote.
// Incremental 4DVar, whose outer loops are a fixed budget, is exempt.
func errNoneConverged(cycles int) error {
	what := fmt.Sprintf("none of the %d analyses converged", cycles)
	if cycles == 1 {
		what = "the analysis did not converge"
	}
	return fmt.Errorf("%s (\"converged\": 0 in metrics.json): raise --max-iter or loosen --grad-tol", what)
}

// cyclesKept says how many cycles a failed twin experiment kept, and where.
func cyclesKept(res *fourdvar.Result, where string) string {
	if res == nil || len(res.Cycles) == 0 {
		return "no cycle completed; the setup is in " + where
	}
	return fmt.Sprintf("%s in %s", plural(len(res.Cycles), "cycle"), where)
}

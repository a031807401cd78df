package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/models/lorenz"
	"github.com/adjunto/adjunto/models/qg"
	"github.com/adjunto/adjunto/models/surrogate"
	"github.com/adjunto/adjunto/nn"
	"github.com/adjunto/adjunto/verify"
)

// verifyModels maps the names accepted by "adjunto verify --model" to the suites they run. To
// add a model, add one line here and write its function in a file of your own (for example
// verify_lorenz.go): it receives --seed and returns the reports of verify's checks, all drawn
// from that seed, so that the same seed prints the same table.
var verifyModels = map[string]func(seed uint64) []verify.Report{
	"primitives": verifyPrimitives,
	"mlp":        nn.Checks,
	"lorenz63":   lorenz.ChecksL63,
	"lorenz96":   lorenz.ChecksL96,
	"fourdvar":   verifyFourDVar,
	"surrogate":  surrogate.Checks,
	"qg":         verifyQG,
}

// allModels is the --model value that runs every registered suite.
const allModels = "all"

// verifyFourDVar checks whole 4DVar costs on the default Lorenz-96 (N = 40, F = 8, dt = 0.05).
func verifyFourDVar(seed uint64) []verify.Report {
	m, err := lorenz.NewL96(lorenz.DefaultL96N)
	if err != nil {
		panic(err) // the default N is valid: a failure is a programming error
	}
	return fourdvar.Checks(m, seed)
}

// verifyQG checks the quasi-geostrophic model on a 16² grid and at a turbulent state of the
// default 64² model.
func verifyQG(seed uint64) []verify.Report { return qg.Checks(seed, qg.DefaultSpinUp) }

// verifyPrimitives checks every primitive of package adjoint with the default tolerances.
func verifyPrimitives(seed uint64) []verify.Report {
	return verify.Primitives(verify.Settings{Seed: seed})
}

func modelNames() []string {
	return slices.Sorted(maps.Keys(verifyModels))
}

func runVerify(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("verify", "[flags]", stderr)
	model := fs.String("model", "primitives", "what to check: "+strings.Join(append(modelNames(), allModels), ", "))
	seed := fs.Uint64("seed", 1, "seed of the random points and directions (same seed, same table)")
	asJSON := fs.Bool("json", false, "print one JSON object per check (JSON lines) instead of the table")
	verbose := fs.Bool("v", false, "also print the convergence tables of the Taylor and gradient tests")
	if code, done := parse(fs, args, stdout); done {
		return code
	}

	names := []string{*model}
	if *model == allModels {
		names = modelNames()
	} else if _, ok := verifyModels[*model]; !ok {
		fmt.Fprintf(stderr, "adjunto verify: unknown --model %q (known: %s)\n", *model, strings.Join(append(modelNames(), allModels), ", "))
		return exitUsage
	}
	var reports []verify.Report
	for _, name := range names {
		r := verifyModels[name](*seed)
		if len(r) == 0 {
			fmt.Fprintf(stderr, "adjunto verify: --model %s ran no checks\n", name)
			return exitFail
		}
		reports = append(reports, r...)
	}

	var err error
	if *asJSON {
		err = verify.WriteJSON(stdout, reports)
	} else {
		err = verify.WriteTable(stdout, reports)
		for _, r := range reports {
			if err == nil && *verbose && len(r.Table) > 0 {
				if _, err = fmt.Fprintln(stdout); err == nil {
					err = verify.WriteConvergence(stdout, r)
				}
			}
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "adjunto verify: writing the results: %v\n", err)
		return exitFail
	}

	failed := verify.Failed(reports)
	summary := stdout
	if *asJSON {
		summary = stderr // keep stdout pure JSON lines
	}
	fmt.Fprintf(summary, "%d checks, %d failed (model %s, seed %d)\n", len(reports), len(failed), *model, *seed)
	if len(failed) > 0 {
		for _, r := range failed {
			fmt.Fprintf(stderr, "FAIL %v\n", r)
		}
		return exitFail
	}
	return exitOK
}

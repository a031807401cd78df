// Command adjunto runs adjunto's verification suite, simulations, network training and
// variational data assimilation from the command line.
//
// Usage:
//
//	adjunto <command> [flags]
//
// Run "adjunto help" for the list of commands and "adjunto <command> --help" for the flags of one.
// Exit codes: 0 on success, 1 when a run or a check fails, 2 on bad usage.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/adjunto/adjunto/internal/staging"
)

// Exit codes shared by every subcommand.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// command is one subcommand. run receives the arguments after the subcommand's name and
// returns the process exit code.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order "adjunto help" shows them.
func commands() []command {
	return []command{
		{"experiment", "list, show and run the experiments that reproduce the course's figures", runExperiment},
		{"ensemble", "run an ensemble filter, smoother or hybrid (EnKF, ETKF, LETKF, iEnKS, En-4DVar) on the 4DVar twin experiments", runEnsemble},
		{"fourdvar", "run a 4DVar data-assimilation experiment (the main job)", runFourDVar},
		{"learn", "learn a model's parameters, or a neural surrogate of the model, from observations by 4DVar", runLearn},
		{"report", "run the experiments (or reuse their results) and write one static HTML page", runReport},
		{"sweep", "run a grid of runs of one command on all cores, or write a Slurm or Kubernetes batch job for it", runSweep},
		{"table", "collect a sweep's results into a table with 95 % intervals over seeds, as Markdown, CSV and a figure", runTable},
		{"simulate", "integrate Lorenz-63, Lorenz-96 or the QG model and write the trajectory and its figure", runSimulate},
		{"observe", "turn a trajectory from simulate into an observation file (and a background) for fourdvar", runObserve},
		{"verify", "run the adjoint, tangent-linear and gradient checks and print the table", runVerify},
		{"train", "train a fully connected network on a CSV file by backpropagation (the adjoint)", runTrain},
		{"predict", "predict with a trained network, optionally with Monte Carlo dropout", runPredict},
		{"version", "print adjunto's version", runVersion},
	}
}

func main() {
	ctx, stop := notifySignals(os.Stderr)
	runCtx = ctx
	defer func() {
		if r := recover(); r != nil { // a bug: keep what the run made, then crash as usual
			staging.Abandon(staging.Failed)
			panic(r)
		}
	}()
	code := run(os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand; it is main without os.Exit, so tests can call it.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		usage(stdout)
		return exitOK
	}
	if name == "--version" || name == "-version" {
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "adjunto: unknown command %q\n\n", name)
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "adjunto: tangent-linear and adjoint models for variational data assimilation and neural networks")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: adjunto <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "adjunto <command> --help" for a command's flags.`)
}

// newFlagSet returns a flag set for a subcommand that writes its usage to stderr and
// returns errors rather than exiting, so that parse reports the right exit code.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("adjunto "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: adjunto %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args into fs. It returns done=true with the exit code when the caller must
// stop: exitOK after --help (usage goes to stdout), exitUsage on a bad flag or a stray argument.
func parse(fs *flag.FlagSet, args []string, stdout io.Writer) (code int, done bool) {
	// The flag package prints the usage itself on -h and on a bad flag, to the set's output;
	// parse prints it once, to stdout when asked for.
	usage := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		return exitOK, true
	}
	if err != nil {
		fs.Usage()
		return exitUsage, true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "adjunto %s: unexpected argument %q\n", fs.Name()[len("adjunto "):], fs.Arg(0))
		fs.Usage()
		return exitUsage, true
	}
	return exitOK, false
}

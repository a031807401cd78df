package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/adjunto/adjunto/experiments"
	"github.com/adjunto/adjunto/internal/progress"
)

// runLearn runs "adjunto learn": parameter estimation or a learned surrogate model, by 4DVar.
func runLearn(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("learn", "[flags]", stderr)
	model := fs.String("model", "lorenz63", "model: lorenz63 or lorenz96 (surrogate and hybrid: lorenz96)")
	what := fs.String("what", "params", "what to learn: params (the model's parameters), surrogate (a network that is the model) or hybrid (a network correcting Lorenz-96 with the wrong F)")
	out := fs.String("out", filepath.Join("out", "learn"), "output `directory` for metrics, figures and weights")
	asJSON := fs.Bool("json", false, "print the metrics as JSON instead of tables")
	quiet := fs.Bool("q", false, "no progress on stderr")
	seed := fs.Uint64("seed", 1, "seed of the truth, the observations and the weights")
	var sets assignments
	fs.Var(&sets, "set", "change a setting of the experiment behind it: `key=value` (repeatable; see adjunto experiment show learn-parameters or learn-surrogate)")
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	modelSet := false
	fs.Visit(func(f *flag.Flag) { modelSet = modelSet || f.Name == "model" })

	var name string
	switch *what {
	case "params":
		name = "learn-parameters"
		if *model != "lorenz63" && *model != "lorenz96" {
			fmt.Fprintf(stderr, "adjunto learn: --model %q: want lorenz63 or lorenz96\n", *model)
			return exitUsage
		}
	case "surrogate", "hybrid":
		name = "learn-surrogate"
		if modelSet && *model != "lorenz96" {
			fmt.Fprintf(stderr, "adjunto learn: --model %s with --what %s: the network learns the tendency of a Lorenz-96 variable from its stencil; use --model lorenz96\n", *model, *what)
			return exitUsage
		}
	default:
		fmt.Fprintf(stderr, "adjunto learn: --what %q: want params, surrogate or hybrid\n", *what)
		return exitUsage
	}
	e, err := experiments.Lookup(name)
	if err != nil {
		panic(err) // both names are registered
	}
	pre := []string{fmt.Sprintf("seed=%d", *seed)}
	if name == "learn-parameters" {
		pre = append(pre, "model="+*model)
	} else {
		pre = append(pre, fmt.Sprintf("hybrid=%t", *what == "hybrid"), "checkpoint=checkpoint-"+*what+".json")
	}
	cfgs, err := buildConfigs([]*experiments.Experiment{e}, append(pre, sets...), "")
	if err != nil {
		fmt.Fprintf(stderr, "adjunto learn: %v\n", err)
		return exitUsage
	}
	if err := checkWritable(*out); err != nil {
		fmt.Fprintf(stderr, "adjunto learn: --out: %v\n", err)
		return exitFail
	}
	ctx, stop := interruptContext()
	defer stop()
	opt := &experiments.Options{}
	var p *progress.Meter
	if !*quiet {
		p = progress.New(stderr, "adjunto learn "+*what, 0)
		opt.Progress = p.Message
	}
	r, err := e.Run(ctx, cfgs[0], *out, opt)
	p.Done()
	if err != nil {
		fmt.Fprintf(stderr, "adjunto learn: %v\n", err)
		return exitFail
	}
	if *asJSON {
		var b bytes.Buffer
		if err := json.Indent(&b, r.Metrics, "", "  "); err != nil {
			fmt.Fprintf(stderr, "adjunto learn: %v\n", err)
			return exitFail
		}
		b.WriteByte('\n')
		stdout.Write(b.Bytes())
		return exitOK
	}
	for _, t := range r.Tables {
		fmt.Fprintf(stdout, "%s\n\n%s\n", t.Title, t.Text)
	}
	fmt.Fprintf(stdout, "metrics, figures and weights in %s (%.1fs)\n", *out, r.Elapsed)
	return exitOK
}

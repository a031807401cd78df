package experiments

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/adjunto/adjunto/internal/staging"
)

// Sentinel errors. Errors returned by this package wrap one of them, so that a command line
// can tell bad usage (an unknown name or key, a bad value) from a failed run.
var (
	// ErrUnknownExperiment: Lookup was given a name no experiment has.
	ErrUnknownExperiment = errors.New("experiments: unknown experiment")
	// ErrUnknownKey: Set was given a key the config does not have.
	ErrUnknownKey = errors.New("experiments: unknown config key")
	// ErrBadValue: a config value does not parse as its field's type, or is out of its domain.
	ErrBadValue = errors.New("experiments: bad config value")
	// ErrOutput: the output directory or a file in it cannot be written.
	ErrOutput = errors.New("experiments: cannot write output")
	// ErrNoResult: a directory holds no finished result of an experiment.
	ErrNoResult = errors.New("experiments: no result")
)

// Experiment is one figure of the course as a function: a config in, metrics and figures out.
type Experiment struct {
	// Name identifies the experiment on the command line, e.g. "optimizers".
	Name string
	// Summary is one line for "adjunto experiment list".
	Summary string
	// Caption says what the figures show and what to see in them, as the course puts it.
	Caption string

	newConfig func() any
	run       func(ctx context.Context, cfg any, out *Output) (any, error)
}

// DefaultConfig returns a new config holding the experiment's defaults: a pointer to a struct
// whose fields with a json tag can be changed with Set before calling Run.
func (e *Experiment) DefaultConfig() any { return e.newConfig() }

// Define builds an Experiment from a typed run function, for the experiments of this package
// and for callers' own. defaults returns the default config, a struct whose exported fields
// with a json tag are the settable keys (a `help` tag documents each); it may implement
// Validator. run receives a pointer to the config and returns the metrics, which are written
// as JSON (a non-finite float is written as the string "NaN", "+Inf" or "-Inf").
func Define[C any, M any](name, summary, caption string, defaults func() C, run func(ctx context.Context, cfg *C, out *Output) (M, error)) *Experiment {
	return &Experiment{
		Name:    name,
		Summary: summary,
		Caption: caption,
		newConfig: func() any {
			c := defaults()
			return &c
		},
		run: func(ctx context.Context, cfg any, out *Output) (any, error) {
			c, ok := cfg.(*C)
			if !ok {
				panic(fmt.Sprintf("experiments: %s: config of type %T, want %T", name, cfg, new(C)))
			}
			return run(ctx, c, out)
		},
	}
}

// Options adjust how Run reports and writes.
type Options struct {
	// Progress, if not nil, receives short progress messages (an epoch count, a method's
	// name) while the experiment runs. It may be called often; throttling is its business.
	Progress func(msg string)
	// Version identifies the code that runs (adjunto's version and build); Run records its
	// hash with the config's in Result.Fingerprint, so that a later run can tell whether a
	// result on disk is what it would compute now.
	Version string
}

// Figure is one figure written by an experiment, with file names relative to its directory.
type Figure struct {
	// Name is the file stem, e.g. "trajectories".
	Name string `json:"name"`
	// Caption says what the figure shows.
	Caption string `json:"caption"`
	// PNG, SVG and GIF name the files written; empty when that format was not written.
	PNG string `json:"png,omitempty"`
	SVG string `json:"svg,omitempty"`
	GIF string `json:"gif,omitempty"`
}

// Table is a preformatted text table an experiment wants shown beside its figures, such as a
// Taylor-test table or a network's learned parameters.
type Table struct {
	Title string `json:"title"` // what the table shows
	Text  string `json:"text"`  // the table, preformatted
}

// Result is the record of a finished run, written as manifest.json next to metrics.json and
// config.json; the report is built from it.
type Result struct {
	Name    string          `json:"name"`             // the experiment's name
	Summary string          `json:"summary"`          // the experiment's one-line summary
	Caption string          `json:"caption"`          // the experiment's caption
	Config  json.RawMessage `json:"config"`           // the config the run used, as in config.json
	Metrics json.RawMessage `json:"metrics"`          // the metrics, as in metrics.json
	Figures []Figure        `json:"figures"`          // the figures, in the order written
	Tables  []Table         `json:"tables,omitempty"` // the text tables, in the order written
	Files   []string        `json:"files,omitempty"`  // every file written, figures, series and tables
	// Elapsed is the wall-clock time of the run in seconds.
	Elapsed float64 `json:"elapsed_seconds"`
	// Fingerprint is Experiment.Fingerprint of the config and Options.Version of the run.
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Fingerprint returns a hash of the experiment's name, the config cfg and version (see
// Options.Version): two runs with the same fingerprint computed the same thing with the same
// code, so that "adjunto report" can reuse a finished result instead of computing it again.
func (e *Experiment) Fingerprint(cfg any, version string) (string, error) {
	b, err := encodeJSON(cfg)
	if err != nil {
		return "", fmt.Errorf("experiments: %s: config: %w", e.Name, err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", e.Name, version)
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)[:12]), nil
}

// File names of a result directory.
const (
	ManifestFile = "manifest.json"
	MetricsFile  = "metrics.json"
	ConfigFile   = "config.json"
)

// Run validates cfg (from DefaultConfig, possibly changed by Set), runs the experiment and
// writes its figures, metrics.json, config.json and manifest.json into dir. The files are
// written into a staging folder beside dir that replaces dir only when the run has
// succeeded (see internal/staging): a failed or interrupted run leaves an earlier result in
// dir untouched and what it made in dir.failed or dir.interrupted, which the error names.
func (e *Experiment) Run(ctx context.Context, cfg any, dir string, opt *Options) (*Result, error) {
	if v, ok := cfg.(Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrBadValue, e.Name, err)
		}
	}
	st, err := staging.Begin(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrOutput, err)
	}
	st.Replace = true // dir holds one result: a new one replaces it whole
	res, err := e.runIn(ctx, cfg, st.Path, opt)
	if err != nil {
		if kept, kerr := st.Keep(staging.Suffix(err)); kerr == nil && kept != "" {
			err = fmt.Errorf("%w (what it made is in %s)", err, kept)
		}
		return nil, err
	}
	if err := st.Commit(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrOutput, err)
	}
	return res, nil
}

// runIn runs the experiment writing into the staging folder stage.
func (e *Experiment) runIn(ctx context.Context, cfg any, stage string, opt *Options) (*Result, error) {
	out := &Output{dir: stage}
	var version string
	if opt != nil {
		out.progress, version = opt.Progress, opt.Version
	}
	fingerprint, err := e.Fingerprint(cfg, version)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	metrics, err := e.run(ctx, cfg, out)
	if err != nil {
		return nil, fmt.Errorf("experiments: %s: %w", e.Name, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("experiments: %s: %w", e.Name, err)
	}
	res := &Result{
		Name:        e.Name,
		Summary:     e.Summary,
		Caption:     e.Caption,
		Figures:     out.figures,
		Tables:      out.tables,
		Files:       out.files,
		Elapsed:     time.Since(start).Seconds(),
		Fingerprint: fingerprint,
	}
	if res.Config, err = encodeJSON(cfg); err != nil {
		return nil, fmt.Errorf("experiments: %s: config: %w", e.Name, err)
	}
	if res.Metrics, err = encodeJSON(metrics); err != nil {
		return nil, fmt.Errorf("experiments: %s: metrics: %w", e.Name, err)
	}
	man, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("experiments: %s: manifest: %w", e.Name, err)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{ConfigFile, res.Config}, {MetricsFile, res.Metrics}, {ManifestFile, man}} {
		if err := writeFileAtomic(filepath.Join(stage, f.name), append(f.data, '\n')); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// LoadResult reads the manifest of a finished run from dir. It returns an error wrapping
// ErrNoResult when dir holds none.
func LoadResult(dir string) (*Result, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s", ErrNoResult, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("experiments: %v", err)
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("experiments: %s: %v", filepath.Join(dir, ManifestFile), err)
	}
	return &r, nil
}

// All returns every experiment, in the course's order. Each call returns new values.
func All() []*Experiment {
	return []*Experiment{
		activationsExperiment(),
		fitExperiment(),
		net121Experiment(),
		overfitExperiment(),
		regularizationExperiment(),
		learningRateExperiment(),
		batchSizeExperiment(),
		optimizersExperiment(),
		hessianExperiment(),
		vanishingExperiment(),
		backpropExperiment(),
		mcDropoutExperiment(),
		lorenz63Experiment(),
		lorenz96Experiment(),
		windowExperiment(),
		learnParamsExperiment(),
		learnSurrogateExperiment(),
	}
}

// Names returns the names of All, in order.
func Names() []string {
	var ns []string
	for _, e := range All() {
		ns = append(ns, e.Name)
	}
	return ns
}

// Lookup returns the experiment called name, or an error wrapping ErrUnknownExperiment that
// lists the known names.
func Lookup(name string) (*Experiment, error) {
	all := All()
	i := slices.IndexFunc(all, func(e *Experiment) bool { return e.Name == name })
	if i < 0 {
		return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownExperiment, name, strings.Join(Names(), ", "))
	}
	return all[i], nil
}

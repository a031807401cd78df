package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/adjunto/adjunto/internal/atomicfile"
)

// SeedAxis names the seeds' axis in a run's parameters and in the tables.
const SeedAxis = "seed"

// PlanFile is the run list a sweep writes in its folder; batch tasks read it.
const PlanFile = "runs.json"

// RunsDir is the folder, inside a sweep's folder, that holds one folder per run, named by its id.
const RunsDir = "runs"

// Run is one expanded run of a sweep.
type Run struct {
	Index  int               `json:"index"`  // position in the plan, from 0
	ID     string            `json:"id"`     // hash of the resolved command line: stable across re-expansions
	Params map[string]string `json:"params"` // axis name → label of the run's level
	Args   []string          `json:"args"`   // the command and its flags, without the output flags
}

// Plan is a sweep expanded into its runs, as written to PlanFile.
type Plan struct {
	Name    string   `json:"name"`     // the sweep's name, from its file
	File    string   `json:"file"`     // the sweep file the plan was expanded from
	Command []string `json:"command"`  // the adjunto command every run calls, such as [fourdvar]
	Axes    []string `json:"axes"`     // the grid's axes in the file's order, then seed
	Metric  string   `json:"metric"`   // the table's default metric
	Workdir string   `json:"workdir"`  // runs start here, so relative paths in flags hold
	PerTask int      `json:"per_task"` // runs packed into one batch task; 0 means 1
	Runs    []Run    `json:"runs"`     // every run, in Expand's order
}

// Expand expands the grid into its runs: the cartesian product of the axes, the first axis
// varying slowest and the seeds fastest, so that the seeds of one point are neighbours. A
// level's settings override the fixed ones; the seed overrides both. Two points that resolve
// to the same command line are an error: their results could not be told apart.
func (s *Spec) Expand() (*Plan, error) {
	axes := slices.Clone(s.Axes)
	if s.Seeds != nil {
		seed := Axis{Name: SeedAxis}
		for _, v := range s.Seeds {
			label := strconv.FormatUint(v, 10)
			seed.Levels = append(seed.Levels, Level{Label: label, Settings: []Setting{{Key: s.SeedKey, Value: label}}})
		}
		axes = append(axes, seed)
	}
	p := &Plan{Name: s.Name, File: s.File, Command: s.Command, Metric: s.Metric}
	for _, ax := range axes {
		p.Axes = append(p.Axes, ax.Name)
	}
	byID := map[string]int{}
	pick := make([]int, len(axes))
	for {
		r := Run{Index: len(p.Runs), Params: map[string]string{}}
		settings := slices.Clone(s.Fixed)
		for i, ax := range axes {
			lv := ax.Levels[pick[i]]
			r.Params[ax.Name] = lv.Label
			settings = append(settings, lv.Settings...)
		}
		r.Args = commandLine(s.Command, settings)
		r.ID = id(r.Args)
		if j, ok := byID[r.ID]; ok {
			return nil, fmt.Errorf("%s: runs %s and %s resolve to the same command line: %s",
				s.File, describeParams(p.Axes, p.Runs[j].Params), describeParams(p.Axes, r.Params), strings.Join(r.Args, " "))
		}
		byID[r.ID] = r.Index
		p.Runs = append(p.Runs, r)
		// Advance the odometer, the last axis fastest.
		i := len(axes) - 1
		for ; i >= 0; i-- {
			if pick[i]++; pick[i] < len(axes[i].Levels) {
				break
			}
			pick[i] = 0
		}
		if i < 0 {
			return p, nil
		}
	}
}

// commandLine resolves settings (later ones win) into the command's arguments, flags sorted
// by name and then the --set assignments sorted by key, so that the same configuration
// always gives the same arguments, whatever the order of the file.
func commandLine(cmd []string, settings []Setting) []string {
	val := map[string]string{}
	for _, s := range settings {
		val[strings.TrimLeft(s.Key, "-")] = s.Value
	}
	keys := make([]string, 0, len(val))
	for k := range val {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		as, bs := strings.HasPrefix(a, SetPrefix), strings.HasPrefix(b, SetPrefix)
		if as != bs {
			if as {
				return 1
			}
			return -1
		}
		return strings.Compare(a, b)
	})
	args := slices.Clone(cmd)
	for _, k := range keys {
		if key, ok := strings.CutPrefix(k, SetPrefix); ok {
			args = append(args, "--set", key+"="+val[k])
		} else {
			args = append(args, "--"+k+"="+val[k])
		}
	}
	return args
}

// id is the first 12 hex digits of the SHA-256 of the arguments: 48 bits, so that a
// collision among a million runs has a chance below 10⁻³.
func id(args []string) string {
	h := sha256.Sum256([]byte(strings.Join(args, "\x00")))
	return hex.EncodeToString(h[:6])
}

// describeParams writes a run's parameters in the axes' order, as "window=8 seed=2".
func describeParams(axes []string, params map[string]string) string {
	if len(axes) == 0 {
		return "no axes"
	}
	parts := make([]string, 0, len(axes))
	for _, a := range axes {
		parts = append(parts, a+"="+params[a])
	}
	return strings.Join(parts, " ")
}

// Describe writes a run's parameters in p's axis order, as "window=8 seed=2".
func (p *Plan) Describe(params map[string]string) string { return describeParams(p.Axes, params) }

// outputArgs returns the flags that send a run of cmd to the folder dir, quietly, and the
// path of the metrics JSON the run writes there.
func outputArgs(cmd []string, dir string) (args []string, metrics string) {
	switch cmd[0] {
	case "train":
		return []string{"--out", filepath.Join(dir, "model.json"), "-q"}, filepath.Join(dir, "model_metrics.json")
	case "experiment":
		return []string{"--out", dir, "-q"}, filepath.Join(dir, cmd[2], "metrics.json")
	}
	return []string{"--out", dir, "-q"}, filepath.Join(dir, "metrics.json")
}

// Tasks is the number of batch tasks the plan's runs are packed into, PerTask runs each.
func (p *Plan) Tasks() int {
	per := max(p.PerTask, 1)
	return (len(p.Runs) + per - 1) / per
}

// Task returns the runs of batch task i, from 0.
func (p *Plan) Task(i int) ([]Run, error) {
	if i < 0 || i >= p.Tasks() {
		return nil, fmt.Errorf("task index %d: the sweep %s has tasks 0-%d", i, p.Name, p.Tasks()-1)
	}
	per := max(p.PerTask, 1)
	return p.Runs[i*per : min(len(p.Runs), (i+1)*per)], nil
}

// PerTaskFor returns how many runs to pack into each task so that n runs fit into at most
// maxTasks tasks (Slurm's default MaxArraySize allows indices up to 1000).
func PerTaskFor(n, maxTasks int) int {
	return max(1, (n+maxTasks-1)/maxTasks)
}

// DefaultDir is the sweep's folder unless told otherwise: out/sweep/NAME.
func (s *Spec) DefaultDir() string { return filepath.Join("out", "sweep", s.Name) }

// RunDir is the folder of run r in the sweep folder dir.
func RunDir(dir string, r *Run) string { return filepath.Join(dir, RunsDir, r.ID) }

// WritePlan writes p to dir/runs.json, atomically.
func WritePlan(dir string, p *Plan) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(filepath.Join(dir, PlanFile), append(b, '\n'))
}

// ReadPlan reads the plan a sweep wrote in dir.
func ReadPlan(dir string) (*Plan, error) {
	path := filepath.Join(dir, PlanFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (run adjunto sweep FILE first, which writes it)", err)
	}
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(p.Runs) == 0 || len(p.Command) == 0 {
		return nil, fmt.Errorf("%s: no runs", path)
	}
	return &p, nil
}

package nn

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/adjunto/adjunto/internal/atomicfile"
)

// Model file format: JSON with a format name and a version, checked on loading.
const (
	FormatName    = "adjunto-nn"
	FormatVersion = 1
)

// Model is what Save writes: a network with the preprocessing its inputs and targets need.
type Model struct {
	Network *Network
	// InputScaler and TargetScaler, if not nil, standardise the inputs before the network and
	// undo the targets' standardisation after it (regression).
	InputScaler, TargetScaler *Scaler
	// InputNames and TargetNames name the CSV columns the model was trained on.
	InputNames, TargetNames []string
}

type modelFile struct {
	Format       string      `json:"format"`
	Version      int         `json:"version"`
	Layers       []Layer     `json:"layers"`
	Loss         Loss        `json:"loss"`
	Penalty      Penalty     `json:"penalty"`
	Params       []float64   `json:"params"`
	State        [][]float64 `json:"batchnorm_state,omitempty"`
	InputScaler  *Scaler     `json:"input_scaler,omitempty"`
	TargetScaler *Scaler     `json:"target_scaler,omitempty"`
	InputNames   []string    `json:"inputs,omitempty"`
	TargetNames  []string    `json:"targets,omitempty"`
}

// Encode writes the model as JSON to w.
func (m *Model) Encode(w io.Writer) error {
	n := m.Network
	f := modelFile{Format: FormatName, Version: FormatVersion, Layers: n.layers, Loss: n.cfg.Loss,
		Penalty: n.cfg.Penalty, Params: n.params, InputScaler: m.InputScaler, TargetScaler: m.TargetScaler,
		InputNames: m.InputNames, TargetNames: m.TargetNames}
	for _, s := range n.state {
		if s != nil {
			f.State = append(f.State, s)
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(f)
}

// Save writes the model to path atomically: to a temporary file in the same directory, then
// renamed over path, so that a failed write never leaves a half-written model.
func (m *Model) Save(path string) error {
	return atomicfile.Write(path, m.Encode)
}

// Decode reads a model written by Encode. Errors wrap ErrModel: another format or version,
// layers that do not chain, or parameter and statistics arrays of the wrong lengths.
func Decode(r io.Reader) (*Model, error) {
	var f modelFile
	dec := json.NewDecoder(r)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrModel, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the model's JSON object (at byte %d)", ErrModel, dec.InputOffset())
	}
	if f.Format != FormatName {
		return nil, fmt.Errorf("%w: format %q, want %q", ErrModel, f.Format, FormatName)
	}
	if f.Version != FormatVersion {
		return nil, fmt.Errorf("%w: format version %d, this adjunto reads version %d", ErrModel, f.Version, FormatVersion)
	}
	// The parameter count follows from the layers alone: a file whose layers claim more
	// than its parameters is refused before New allocates for them.
	in, _, err := checkLayers(f.Layers)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrModel, err)
	}
	if p := paramCount(f.Layers, in); p != float64(len(f.Params)) {
		return nil, fmt.Errorf("%w: %d parameters, the layers have %.0f", ErrModel, len(f.Params), p)
	}
	n, err := New(f.Layers, Config{Loss: f.Loss, Penalty: f.Penalty})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrModel, err)
	}
	copy(n.params, f.Params)
	k := 0
	for i, s := range n.state {
		if s == nil {
			continue
		}
		if k >= len(f.State) || len(f.State[k]) != len(s) {
			return nil, fmt.Errorf("%w: batch-norm layer %d: running statistics missing or of the wrong length", ErrModel, i)
		}
		copy(s, f.State[k])
		k++
	}
	if k != len(f.State) {
		return nil, fmt.Errorf("%w: %d sets of batch-norm statistics for %d batch-norm layers", ErrModel, len(f.State), k)
	}
	for _, s := range []struct {
		name string
		sc   *Scaler
		want int
	}{{"input_scaler", f.InputScaler, n.in}, {"target_scaler", f.TargetScaler, n.out}} {
		if s.sc == nil {
			continue
		}
		if len(s.sc.Mean) != s.want || len(s.sc.Std) != s.want {
			return nil, fmt.Errorf("%w: %s has %d means and %d deviations for %d columns", ErrModel, s.name, len(s.sc.Mean), len(s.sc.Std), s.want)
		}
		for j, sd := range s.sc.Std {
			if !(sd > 0) || math.IsInf(sd, 0) || math.IsNaN(s.sc.Mean[j]) || math.IsInf(s.sc.Mean[j], 0) {
				return nil, fmt.Errorf("%w: %s column %d: mean %v, std %v (want finite, std > 0: a zero std divides by zero)", ErrModel, s.name, j+1, s.sc.Mean[j], sd)
			}
		}
	}
	// A classifier trained on one column of labels has one target name for its K outputs.
	targetsOK := f.TargetNames == nil || len(f.TargetNames) == n.out || (f.Loss == CrossEntropy && len(f.TargetNames) == 1)
	if (f.InputNames != nil && len(f.InputNames) != n.in) || !targetsOK {
		return nil, fmt.Errorf("%w: %d input and %d target names for a network %d→%d", ErrModel, len(f.InputNames), len(f.TargetNames), n.in, n.out)
	}
	return &Model{Network: n, InputScaler: f.InputScaler, TargetScaler: f.TargetScaler,
		InputNames: f.InputNames, TargetNames: f.TargetNames}, nil
}

// Load reads a model file written by Save. Errors name the file.
func Load(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrModel, err)
	}
	defer f.Close()
	m, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

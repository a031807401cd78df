package nn

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/adjunto/adjunto/internal/atomicfile"
)

// Model file format: JSON with a format name and a version, checked on loading. Version 2
// added the training state (optimiser, data order, dropout generator) that resuming needs;
// its layers are written as version 1 wrote them, so version 1 files still load.
const (
	FormatName    = "adjunto-nn"
	FormatVersion = 2
	// oldestVersion is the oldest version Decode reads.
	oldestVersion = 1
)

// Model is what Save writes: a network with the preprocessing its inputs and targets need.
type Model struct {
	Network *Network // the network, its layers and parameters
	// InputScaler and TargetScaler, if not nil, standardise the inputs before the network and
	// undo the targets' standardisation after it (regression).
	InputScaler, TargetScaler *Scaler
	// InputNames and TargetNames name the CSV columns the model was trained on.
	InputNames, TargetNames []string
	// Training, if not nil, is the state Train left (History.Resume), from which training
	// resumes exactly (TrainConfig.Resume).
	Training *TrainState
}

type modelFile struct {
	Format       string            `json:"format"`
	Version      int               `json:"version"`
	Layers       []json.RawMessage `json:"layers"`
	Loss         Loss              `json:"loss"`
	Penalty      Penalty           `json:"penalty"`
	Params       []float64         `json:"params"`
	State        [][]float64       `json:"batchnorm_state,omitempty"`
	InputScaler  *Scaler           `json:"input_scaler,omitempty"`
	TargetScaler *Scaler           `json:"target_scaler,omitempty"`
	InputNames   []string          `json:"inputs,omitempty"`
	TargetNames  []string          `json:"targets,omitempty"`
	Training     *TrainState       `json:"training,omitempty"`
}

// Encode writes the model as JSON to w.
func (m *Model) Encode(w io.Writer) error {
	n := m.Network
	f := modelFile{Format: FormatName, Version: FormatVersion, Loss: n.cfg.Loss,
		Penalty: n.cfg.Penalty, Params: n.params, InputScaler: m.InputScaler, TargetScaler: m.TargetScaler,
		InputNames: m.InputNames, TargetNames: m.TargetNames, Training: m.Training}
	for i, l := range n.layers {
		b, err := encodeLayer(l)
		if err != nil {
			return fmt.Errorf("nn: Encode: layer %d: %w", i, err)
		}
		f.Layers = append(f.Layers, b)
	}
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
	if f.Version < oldestVersion || f.Version > FormatVersion {
		return nil, fmt.Errorf("%w: format version %d, this adjunto reads versions %d to %d", ErrModel, f.Version, oldestVersion, FormatVersion)
	}
	layers := make([]Layer, len(f.Layers))
	for i, raw := range f.Layers {
		l, err := decodeLayer(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: layer %d: %w", ErrModel, i, err)
		}
		layers[i] = l
	}
	// The parameter count follows from the layers alone: a file whose layers claim more
	// than its parameters is refused before New allocates for them.
	shapes, err := plan(layers)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrModel, err)
	}
	if p := paramCount(shapes); p != len(f.Params) {
		return nil, fmt.Errorf("%w: %d parameters, the layers have %d", ErrModel, len(f.Params), p)
	}
	n, err := New(layers, Config{Loss: f.Loss, Penalty: f.Penalty})
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
	if err := f.Training.check(n); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrModel, err)
	}
	return &Model{Network: n, InputScaler: f.InputScaler, TargetScaler: f.TargetScaler,
		InputNames: f.InputNames, TargetNames: f.TargetNames, Training: f.Training}, nil
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

package nn

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadCSVErrors(t *testing.T) {
	cases := []struct {
		name, text string
		o          CSVOptions
		want       []string // substrings of the error
	}{
		{"missing column", "a,b\n1,2\n", CSVOptions{Inputs: []string{"a"}, Targets: []string{"c"}}, []string{"data.csv", "line 1", `no column "c"`}},
		{"non-numeric", "a,b\n1,2\n3,x\n", CSVOptions{Inputs: []string{"a"}, Targets: []string{"b"}}, []string{"data.csv", "line 3", "column 2 (b)", `"x"`}},
		{"not finite", "a,b\n1,NaN\n", CSVOptions{Inputs: []string{"a"}, Targets: []string{"b"}}, []string{"line 2", "column 2"}},
		{"ragged", "a,b\n1,2\n3,4,5\n", CSVOptions{Inputs: []string{"a"}, Targets: []string{"b"}}, []string{"line 3", "3 fields"}},
		{"empty", "a,b\n", CSVOptions{Inputs: []string{"a"}, Targets: []string{"b"}}, []string{"no data rows"}},
		{"no header", "", CSVOptions{Inputs: []string{"a"}}, []string{"empty file"}},
		{"bad label", "a,c\n1,0\n2,1.5\n", CSVOptions{Inputs: []string{"a"}, Targets: []string{"c"}, Classes: -1}, []string{"line 3", "class label"}},
		{"label too large", "a,c\n1,0\n2,3\n", CSVOptions{Inputs: []string{"a"}, Targets: []string{"c"}, Classes: 3}, []string{"line 3", "class label"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := readCSV(strings.NewReader(c.text), "data.csv", c.o)
			if !errors.Is(err, ErrData) {
				t.Fatalf("error %v, want one wrapping ErrData", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestReadCSV(t *testing.T) {
	d, err := readCSV(strings.NewReader("x1, x2 ,label\n1,2,0\n3,4,2\n\n5,6,1\n"), "f", CSVOptions{Inputs: []string{"x2", "1"}, Targets: []string{"label"}, Classes: -1})
	if err != nil {
		t.Fatal(err)
	}
	if d.N != 3 || d.In != 2 || d.Out != 3 {
		t.Fatalf("shape %d×(%d, %d), want 3×(2, 3)", d.N, d.In, d.Out)
	}
	wantX := []float64{2, 1, 4, 3, 6, 5}
	wantY := []float64{1, 0, 0, 0, 0, 1, 0, 1, 0}
	for i := range wantX {
		if d.X[i] != wantX[i] {
			t.Fatalf("X = %v, want %v", d.X, wantX)
		}
	}
	for i := range wantY {
		if d.Y[i] != wantY[i] {
			t.Fatalf("Y = %v, want %v", d.Y, wantY)
		}
	}
}

// TestSplitAndScaler checks the default 70/15/15 split (disjoint, covering, seeded) and that a
// scaler fitted on the training part standardises it exactly and leaves the other parts
// alone until transformed.
func TestSplitAndScaler(t *testing.T) {
	d := sinData(100, 0.1, 3)
	tr, va, te, err := d.Split(0, 0, 9)
	if err != nil {
		t.Fatal(err)
	}
	if tr.N != 70 || va.N != 15 || te.N != 15 {
		t.Fatalf("split %d/%d/%d, want 70/15/15", tr.N, va.N, te.N)
	}
	seen := map[float64]int{}
	for _, p := range []*Dataset{tr, va, te} {
		for _, x := range p.X {
			seen[x]++
		}
	}
	if len(seen) != 100 {
		t.Fatalf("%d distinct items across the parts, want 100", len(seen))
	}
	tr2, _, _, _ := d.Split(0, 0, 9)
	for i := range tr.X {
		if tr.X[i] != tr2.X[i] {
			t.Fatal("the same seed gave another split")
		}
	}
	s := FitScaler(tr.X, tr.N, tr.In)
	s.Transform(tr.X)
	mean, sq := 0.0, 0.0
	for _, v := range tr.X {
		mean += v
		sq += v * v
	}
	if math.Abs(mean/70) > 1e-14 || math.Abs(sq/70-1) > 1e-13 {
		t.Errorf("standardised training inputs: mean %v, variance %v, want 0 and 1", mean/70, sq/70)
	}
	if _, _, _, err := d.Split(0.5, 0.6, 1); !errors.Is(err, ErrData) {
		t.Errorf("split 0.5/0.6: error %v, want ErrData", err)
	}
}

func TestBatchesDropLast(t *testing.T) {
	b := NewBatches(10, 4, true, true, 1)
	for range 3 {
		b.Reset()
		seen := map[int]bool{}
		k := 0
		for idx := b.Next(); idx != nil; idx = b.Next() {
			if len(idx) != 4 {
				t.Fatalf("batch of %d, want 4 with drop_last", len(idx))
			}
			for _, i := range idx {
				seen[i] = true
			}
			k++
		}
		if k != 2 || len(seen) != 8 || b.PerEpoch() != 2 {
			t.Fatalf("%d batches over %d items, want 2 over 8", k, len(seen))
		}
	}
	b = NewBatches(10, 4, false, false, 1)
	b.Reset()
	var sizes []int
	for idx := b.Next(); idx != nil; idx = b.Next() {
		sizes = append(sizes, len(idx))
	}
	if len(sizes) != 3 || sizes[2] != 2 {
		t.Errorf("batch sizes %v, want [4 4 2]", sizes)
	}
}

func TestParseSpec(t *testing.T) {
	sizes, act, err := ParseSpec("784-256-256-10:relu", Tanh)
	if err != nil || act != ReLU || len(sizes) != 4 || sizes[0] != 784 || sizes[3] != 10 {
		t.Fatalf("ParseSpec = %v, %v, %v", sizes, act, err)
	}
	for _, bad := range []string{"", "5", "1-0-1", "1--1", "1-a-1", "1-2:cosh", "1-2-:tanh"} {
		if _, _, err := ParseSpec(bad, Tanh); !errors.Is(err, ErrSpec) {
			t.Errorf("ParseSpec(%q): error %v, want ErrSpec", bad, err)
		}
	}
	if _, err := New([]Layer{Dense(2, 3), Dense(4, 1)}, Config{}); !errors.Is(err, ErrSpec) {
		t.Errorf("layers that do not chain: error %v, want ErrSpec", err)
	}
	if _, err := New([]Layer{Act(Tanh), Dense(2, 1)}, Config{}); !errors.Is(err, ErrSpec) {
		t.Errorf("activation before any dense layer: error %v, want ErrSpec", err)
	}
}

// TestSaveLoad checks the round trip of a model with batch norm (parameters, running
// statistics, scalers, names: the same predictions bit for bit) and each way a model file can
// be rejected.
func TestSaveLoad(t *testing.T) {
	n, err := NewMLP("2-5-3:relu", MLPOptions{BatchNorm: true, Dropout: 0.1}, Config{Loss: CrossEntropy, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	mean, vr := n.RunningStats(1)
	mean[0], vr[2] = 0.5, 2
	m := &Model{Network: n, InputScaler: &Scaler{Mean: []float64{1, 2}, Std: []float64{3, 4}}, InputNames: []string{"a", "b"}, TargetNames: []string{"c"}}
	path := filepath.Join(t.TempDir(), "m.json")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := NewDataset([]float64{0.1, 0.2, -1, 3}, make([]float64, 6), 2, 2, 3)
	p1, p2 := make([]float64, 6), make([]float64, 6)
	n.Predict(p1, d)
	got.Network.Predict(p2, d)
	for i := range p1 {
		if p1[i] != p2[i] {
			t.Fatalf("predictions after loading %v, before %v", p2, p1)
		}
	}
	if got.InputScaler.Std[1] != 4 || got.InputNames[1] != "b" || got.Network.Config().Loss != CrossEntropy {
		t.Errorf("loaded model %+v differs", got)
	}

	raw, _ := os.ReadFile(path)
	for _, c := range []struct{ name, from, to, want string }{
		{"version", `"version": 2`, `"version": 3`, "format version 3"},
		{"format", `"adjunto-nn"`, `"other"`, `format "other"`},
		{"shape", `"in": 2`, `"in": 3`, "parameters"},
		{"activation", `"relu"`, `"cosh"`, "unknown activation"},
	} {
		bad := bytes.Replace(raw, []byte(c.from), []byte(c.to), 1)
		if bytes.Equal(bad, raw) {
			t.Fatalf("%s: %q not in the model file", c.name, c.from)
		}
		_, err := Decode(bytes.NewReader(bad))
		if !errors.Is(err, ErrModel) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want ErrModel mentioning %q", c.name, err, c.want)
		}
	}
}

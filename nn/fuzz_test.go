package nn

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
)

// FuzzReadCSV guards the training-data reader: any file gives a dataset of the declared shape
// with finite values, or an error wrapping ErrData; never a panic.
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"x,y\n1,2\n2,3\n",
		"x,y,label\n1,2,0\n2,3,1\n3,4,2\n",
		"x,x,y\n1,2,3\n",
		"x,y\n1,1e400\n",
		"x,y\n1\n",
		"\"x\",\"y\"\n\"1\",\"2\"\n\n3,4\n",
		"x,y\n",
		"",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, classes bool) {
		o := CSVOptions{Inputs: []string{"x"}, Targets: []string{"y"}}
		if classes {
			o.Targets, o.Classes = []string{"label"}, -1
		}
		d, err := readCSV(strings.NewReader(s), "d.csv", o)
		if err != nil {
			if !errors.Is(err, ErrData) {
				t.Fatalf("error %v does not wrap ErrData", err)
			}
			return
		}
		if d.N < 1 || len(d.X) != d.N*d.In || len(d.Y) != d.N*d.Out {
			t.Fatalf("dataset of %d items, %d×%d, with %d and %d values", d.N, d.In, d.Out, len(d.X), len(d.Y))
		}
		for _, v := range append(d.X, d.Y...) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("non-finite value %v accepted", v)
			}
		}
	})
}

// FuzzDecode guards the model.json reader: any file gives a model that encodes to a file
// that decodes to the same bytes, or an error wrapping ErrModel; never a panic, and never an
// allocation the file's own parameters do not pay for (Decode counts them first).
func FuzzDecode(f *testing.F) {
	var buf bytes.Buffer
	n, err := NewMLP("2-3-1:tanh", MLPOptions{Dropout: 0.1, BatchNorm: true}, Config{Seed: 1})
	if err != nil {
		f.Fatal(err)
	}
	if err := (&Model{Network: n, InputScaler: &Scaler{Mean: []float64{0, 1}, Std: []float64{1, 2}}}).Encode(&buf); err != nil {
		f.Fatal(err)
	}
	good := buf.String()
	buf.Reset()
	if err := stoppingModel(f).Encode(&buf); err != nil { // with plateau and early-stopping state
		f.Fatal(err)
	}
	resumable := buf.String()
	for _, s := range []string{
		good,
		resumable,
		strings.Replace(resumable, `"bad_epochs": `, `"bad_epochs": -`, 1),
		good + "{}",
		strings.Replace(good, `"in": 2`, `"in": 300000000`, 1),
		`{"format":"adjunto-nn","version":1,"layers":[{"kind":"dense","in":1,"out":300000000},{"kind":"dense","in":300000000,"out":1}],"params":[1]}`,
		`{"format":"adjunto-nn","version":1,"layers":[{"kind":"dense","in":1,"out":1}],"params":[1,2],"input_scaler":{"mean":[0],"std":[0]}}`,
		`{"format":"adjunto-nn","version":2}`,
		`[]`,
		``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := Decode(strings.NewReader(s))
		if err != nil {
			if !errors.Is(err, ErrModel) {
				t.Fatalf("error %v does not wrap ErrModel", err)
			}
			return
		}
		var a, b bytes.Buffer
		if err := m.Encode(&a); err != nil {
			t.Fatalf("a decoded model does not encode: %v", err)
		}
		m2, err := Decode(bytes.NewReader(a.Bytes()))
		if err != nil {
			t.Fatalf("an encoded model does not decode: %v\n%s", err, a.String())
		}
		if err := m2.Encode(&b); err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatalf("encode∘decode is not stable: %v", err)
		}
	})
}

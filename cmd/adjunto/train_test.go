package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/adjunto/adjunto/nn"
)

// writeSinCSV writes n rows of x, y = sin(3x) + 0.1·noise to dir/sin.csv.
func writeSinCSV(t *testing.T, dir string, n int) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 1))
	var b strings.Builder
	b.WriteString("x,y\n")
	for range n {
		x := 2*rng.Float64() - 1
		fmt.Fprintf(&b, "%v,%v\n", x, math.Sin(3*x)+0.1*rng.NormFloat64())
	}
	p := filepath.Join(dir, "sin.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTrainPredict runs the command line end to end: train writes the model, the
// history, the metrics and the loss curve; predict reads the model back and writes one
// prediction per row, close to sin(3x).
func TestTrainPredict(t *testing.T) {
	dir := t.TempDir()
	data := writeSinCSV(t, dir, 400)
	model := filepath.Join(dir, "model.json")
	code, out, stderr := runArgs("train", "--data", data, "--inputs", "x", "--targets", "y", "--arch", "1-100-1",
		"--activation", "tanh", "--loss", "mse", "--optimizer", "adam", "--lr", "1e-2", "--epochs", "100", "--batch", "64",
		"--patience", "20", "--weight-decay", "0", "--dropout", "0", "--seed", "1", "--out", model)
	if code != exitOK {
		t.Fatalf("train: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(out, "epoch   1/100") || !strings.Contains(out, "test loss") {
		t.Errorf("train output lacks the epoch lines or the summary:\n%s", out)
	}
	for _, f := range []string{"model.json", "model_history.csv", "model_metrics.json", "model_loss.png", "model_loss.svg"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	preds := filepath.Join(dir, "pred.csv")
	if code, _, stderr := runArgs("predict", "--model", model, "--data", data, "--out", preds); code != exitOK {
		t.Fatalf("predict: exit %d\n%s", code, stderr)
	}
	d, err := nn.ReadCSV(preds, nn.CSVOptions{Inputs: []string{"x"}, Targets: []string{"y"}})
	if err != nil {
		t.Fatal(err)
	}
	se := 0.0
	for i := range d.N {
		e := d.Y[i] - math.Sin(3*d.X[i])
		se += e * e
	}
	// Against the noiseless curve the error is the fit's, well below the noise variance 0.01.
	if mse := se / float64(d.N); d.N != 400 || mse > 0.01 {
		t.Errorf("%d predictions with MSE %v against sin(3x), want 400 below 0.01", d.N, mse)
	}
	// Without dropout every Monte Carlo pass is the same: --mc is refused, not answered with std 0.
	code, out, stderr = runArgs("predict", "--model", model, "--data", data, "--mc", "5")
	if code != exitUsage || out != "" || !strings.Contains(stderr, "no dropout layer") {
		t.Errorf("predict --mc without dropout: exit %d, stdout %q, stderr %q", code, out[:min(len(out), 40)], stderr)
	}
}

// TestTrainBadInput checks the error and the exit code for each kind of bad input, and that
// no output file is left behind.
func TestTrainBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		return p
	}
	good := writeSinCSV(t, dir, 50)
	model := filepath.Join(dir, "out", "m.json")
	os.Mkdir(filepath.Join(dir, "out"), 0o755)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing column", []string{"--data", good, "--inputs", "z", "--targets", "y"}, exitUsage, `no column "z"`},
		{"non-numeric", []string{"--data", write("a.csv", "x,y\n1,2\n2,oops\n"), "--inputs", "x", "--targets", "y"}, exitUsage, "line 3, column 2 (y)"},
		{"ragged", []string{"--data", write("b.csv", "x,y\n1,2\n2\n"), "--inputs", "x", "--targets", "y"}, exitUsage, "line 3"},
		{"empty", []string{"--data", write("c.csv", "x,y\n"), "--inputs", "x", "--targets", "y"}, exitUsage, "no data rows"},
		{"absent file", []string{"--data", filepath.Join(dir, "none.csv"), "--inputs", "x", "--targets", "y"}, exitUsage, "none.csv"},
		{"bad spec", []string{"--data", good, "--inputs", "x", "--targets", "y", "--arch", "1-a-1"}, exitUsage, "--arch"},
		{"arch vs data", []string{"--data", good, "--inputs", "x", "--targets", "y", "--arch", "2-5-1"}, exitUsage, "2 inputs"},
		{"optimizer", []string{"--data", good, "--inputs", "x", "--targets", "y", "--optimizer", "magic"}, exitUsage, "--optimizer"},
		{"required", []string{"--inputs", "x"}, exitUsage, "required"},
		{"zero lr", []string{"--data", good, "--inputs", "x", "--targets", "y", "--lr", "0"}, exitUsage, "--lr 0"},
		{"zero epochs", []string{"--data", good, "--inputs", "x", "--targets", "y", "--epochs", "0"}, exitUsage, "--epochs 0"},
		{"negative patience", []string{"--data", good, "--inputs", "x", "--targets", "y", "--patience", "-1"}, exitUsage, "--patience -1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runArgs(append([]string{"train", "--out", model, "-q"}, c.args...)...)
			if code != c.code || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q: want exit %d mentioning %q", code, stderr, c.code, c.want)
			}
		})
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "out")); len(entries) != 0 {
		t.Errorf("failed runs left %d files in the output directory", len(entries))
	}
	// A model of another version is refused by predict.
	if code, _, _ := runArgs("train", "--data", good, "--inputs", "x", "--targets", "y", "--arch", "1-4-1", "--epochs", "2", "-q", "--out", model); code != exitOK {
		t.Fatal("training the small model failed")
	}
	raw, _ := os.ReadFile(model)
	v2 := write("v2.json", strings.Replace(string(raw), `"version": 1`, `"version": 2`, 1))
	code, _, stderr := runArgs("predict", "--model", v2, "--data", good)
	if code != exitUsage || !strings.Contains(stderr, "format version 2") {
		t.Errorf("predict with a version-2 model: exit %d, stderr %q", code, stderr)
	}
}

package main

import (
	"bytes"
	"encoding/json"
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
	v2 := write("v2.json", strings.Replace(string(raw), `"version": 2`, `"version": 3`, 1))
	code, _, stderr := runArgs("predict", "--model", v2, "--data", good)
	if code != exitUsage || !strings.Contains(stderr, "format version 3") {
		t.Errorf("predict with a version-3 model: exit %d, stderr %q", code, stderr)
	}
}

// TestTrainNewtonAndFlags: --optimizer newton trains full-batch (the default --batch does not
// apply to it) and is refused with the reason when given mini-batches; --schedule and --clip
// reach the optimiser and are refused for a line-search method; --resume continues a run.
func TestTrainNewtonAndFlags(t *testing.T) {
	dir := t.TempDir()
	data := writeSinCSV(t, dir, 120)
	model := filepath.Join(dir, "m.json")
	base := []string{"train", "--data", data, "--inputs", "x", "--targets", "y", "--arch", "1-4-1", "--out", model}
	if code, _, stderr := runArgs(append(base, "--optimizer", "newton", "--hessian", "gauss-newton", "--epochs", "20", "--patience", "0", "-q")...); code != exitOK {
		t.Fatalf("newton --hessian gauss-newton: exit %d\n%s", code, stderr)
	}
	code, out, stderr := runArgs(append(base, "--optimizer", "newton", "--epochs", "20", "--patience", "0")...)
	if code != exitOK {
		t.Fatalf("newton: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(out, "epoch 20/20") {
		t.Errorf("newton output:\n%s", out)
	}
	m, err := nn.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	if h := m.Training; h == nil || h.Epochs != 20 {
		t.Errorf("training state %+v, want 20 epochs", h)
	}
	// Standardised targets have variance 1, J = MSE/2 = 0.5 for a constant prediction; the
	// noise (σ = 0.1 before standardisation) allows J ≈ 0.01.
	var metrics struct {
		TrainLoss float64 `json:"train_loss"`
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "m_metrics.json"))
	if err := json.Unmarshal(raw, &metrics); err != nil || !(metrics.TrainLoss < 0.05) {
		t.Errorf("newton: training loss %v after 20 iterations (%v), want < 0.05", metrics.TrainLoss, err)
	}
	t.Logf("newton, 1-4-1 tanh on 84 items: J = %.4g after 20 iterations", metrics.TrainLoss)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--optimizer", "newton", "--batch", "16"}, "full-batch"},
		{[]string{"--optimizer", "lbfgs", "--clip", "1"}, "--clip"},
		{[]string{"--optimizer", "lbfgs", "--schedule", "exp:0.9"}, "--schedule"},
		{[]string{"--schedule", "step:0"}, "--schedule"},
		{[]string{"--schedule", "linear"}, "--schedule"},
		{[]string{"--schedule", "plateau:0"}, "--schedule"},
		{[]string{"--optimizer", "cg", "--schedule", "plateau:5"}, "--schedule"},
		{[]string{"--clip", "-1"}, "--clip -1"},
		{[]string{"--optimizer", "newton", "--hessian", "exact"}, "--hessian"},
	} {
		code, _, stderr := runArgs(append(append(base, "-q", "--epochs", "1"), c.args...)...)
		if code == exitOK || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want a failure mentioning %q", c.args, code, stderr, c.want)
		}
	}
	// Three epochs, then two more from the file, give the model of five epochs in one run.
	five, three := filepath.Join(dir, "five.json"), filepath.Join(dir, "three.json")
	flags := []string{"--optimizer", "adam", "--schedule", "cosine:5", "--clip", "0.5", "--batch", "16", "--patience", "0", "-q"}
	run := func(args ...string) {
		t.Helper()
		if code, _, stderr := runArgs(append(append(base[:len(base)-2:len(base)-2], flags...), args...)...); code != exitOK {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr)
		}
	}
	run("--epochs", "5", "--out", five)
	run("--epochs", "3", "--out", three)
	run("--epochs", "2", "--resume", three, "--out", three)
	a, _ := nn.Load(five)
	b, _ := nn.Load(three)
	for i, p := range a.Network.Params() {
		if p != b.Network.Params()[i] {
			t.Fatalf("parameter %d after 3+2 epochs %v, after 5 %v", i, b.Network.Params()[i], p)
		}
	}
}

// TestTrainResumePatience: with --schedule plateau and --patience, a run interrupted before
// its early stop and resumed with --resume stops at the same epoch with the same model and
// training state, byte for byte; resuming the run that stopped needs a larger --patience.
func TestTrainResumePatience(t *testing.T) {
	dir := t.TempDir()
	data := writeSinCSV(t, dir, 120)
	whole, part := filepath.Join(dir, "whole.json"), filepath.Join(dir, "part.json")
	train := func(args ...string) (int, string) {
		t.Helper()
		code, _, stderr := runArgs(append([]string{"train", "--data", data, "--inputs", "x", "--targets", "y", "--arch", "1-8-1",
			"--batch", "16", "--lr", "0.1", "--schedule", "plateau:1:0.5", "--patience", "3", "-q"}, args...)...)
		return code, stderr
	}
	mustTrain := func(args ...string) {
		t.Helper()
		if code, stderr := train(args...); code != exitOK {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr)
		}
	}
	const split = 9 // the run stops after epoch 11, three epochs after its best
	mustTrain("--epochs", "60", "--out", whole)
	mustTrain("--epochs", fmt.Sprint(split), "--out", part)
	p, err := nn.Load(part)
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Training; s.Plateau == nil || s.Plateau.BadEpochs == 0 || s.EarlyStopping == nil || s.EarlyStopping.BestEpoch == split {
		t.Fatalf("after %d epochs: plateau %+v, early stopping %+v; want both counting", split, s.Plateau, s.EarlyStopping)
	}
	mustTrain("--epochs", fmt.Sprint(60-split), "--resume", part, "--out", part)
	a, _ := os.ReadFile(whole)
	b, _ := os.ReadFile(part)
	w, _ := nn.Load(whole)
	if !bytes.Equal(a, b) {
		t.Errorf("the model of %d + resumed epochs differs from the uninterrupted one's (%d epochs, best %d)",
			split, w.Training.Epochs, w.Training.EarlyStopping.BestEpoch)
	}
	if w.Training.Epochs >= 60 || w.Training.Epochs <= split {
		t.Errorf("the uninterrupted run stopped after %d epochs: want an early stop after the split at %d", w.Training.Epochs, split)
	}
	code, stderr := train("--epochs", "5", "--resume", whole, "--out", filepath.Join(dir, "more.json"))
	if code == exitOK || !strings.Contains(stderr, "patience of 3 has run out") {
		t.Errorf("resuming a run that stopped early with the same --patience: exit %d, %q", code, stderr)
	}
	mustTrain("--epochs", "5", "--resume", whole, "--patience", "10", "--out", filepath.Join(dir, "more.json"))
}

package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/adjunto/adjunto/internal/atomicfile"
	"github.com/adjunto/adjunto/internal/figure"
	"github.com/adjunto/adjunto/nn"
	"github.com/adjunto/adjunto/optimize"
)

// trainFlags are the settings of "adjunto train".
type trainFlags struct {
	data, inputs, targets, arch, activation, loss, optimizer, init, out, split string
	lr, weightDecay, dropout, minDelta, l1, l2                                 float64
	epochs, batch, patience                                                    int
	seed                                                                       uint64
	batchNorm, dropLast, noStandardize, quiet                                  bool
}

func runTrain(args []string, stdout, stderr io.Writer) int {
	var f trainFlags
	fs := newFlagSet("train", "--data FILE.csv --inputs COLS --targets COLS [flags]", stderr)
	fs.StringVar(&f.data, "data", "", "CSV file with a header line (required)")
	fs.StringVar(&f.inputs, "inputs", "", "comma-separated input columns, by name or 1-based number (required)")
	fs.StringVar(&f.targets, "targets", "", "comma-separated target columns (required; one column of class labels 0…K−1 for --loss ce)")
	fs.StringVar(&f.arch, "arch", "1-100-1", "layer widths n0-n1-…-nK, optionally with :activation")
	fs.StringVar(&f.activation, "activation", "tanh", "hidden activation: identity, step, relu, leakyrelu, tanh, sigmoid, swish, softplus")
	fs.StringVar(&f.loss, "loss", "mse", "loss: mse (the course's 1/(2N)Σ‖z−y‖²), mse-mean (PyTorch's), bce (with logits), ce (cross-entropy with logits)")
	fs.StringVar(&f.optimizer, "optimizer", "adam", "optimiser: "+strings.Join(optimize.Names(), ", "))
	fs.StringVar(&f.init, "init", "auto", "initialisation: auto, glorot-uniform, glorot-normal, kaiming-uniform, kaiming-normal")
	fs.Float64Var(&f.lr, "lr", 1e-2, "learning rate")
	fs.IntVar(&f.epochs, "epochs", 200, "epochs (iterations for a full-batch optimiser such as lbfgs)")
	fs.IntVar(&f.batch, "batch", 64, "mini-batch size; 0 for full batches")
	fs.BoolVar(&f.dropLast, "drop-last", false, "skip the last, smaller mini-batch of each epoch")
	fs.IntVar(&f.patience, "patience", 20, "early stopping: epochs without validation improvement; 0 disables it")
	fs.Float64Var(&f.minDelta, "min-delta", 0, "early stopping: smallest decrease of the validation loss that counts")
	fs.Float64Var(&f.weightDecay, "weight-decay", 0, "decoupled weight decay λ of the optimiser (adam becomes adamw)")
	fs.Float64Var(&f.l1, "l1", 0, "L1 penalty λ/2 Σ|w| on the weights")
	fs.Float64Var(&f.l2, "l2", 0, "L2 penalty λ/2 Σw² on the weights")
	fs.Float64Var(&f.dropout, "dropout", 0, "dropout rate after each hidden activation")
	fs.BoolVar(&f.batchNorm, "batchnorm", false, "batch normalisation before each hidden activation")
	fs.StringVar(&f.split, "split", "0.7,0.15", "training and validation fractions; the test set gets the rest")
	fs.BoolVar(&f.noStandardize, "no-standardize", false, "do not standardise inputs (and regression targets) on the training set")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the split, the initialisation, the batches and dropout")
	fs.StringVar(&f.out, "out", filepath.Join("out", "train", "model.json"), "model file; the history (_history.csv), metrics (_metrics.json) and loss curve (_loss.png, _loss.svg) go next to it")
	fs.BoolVar(&f.quiet, "q", false, "quiet: no per-epoch lines")
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "adjunto train: "+format+"\n", a...)
		return exitUsage
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "adjunto train: %v\n", err)
		return exitFail
	}
	if f.data == "" || f.inputs == "" || f.targets == "" {
		return usageErr("--data, --inputs and --targets are required")
	}
	defAct, err := nn.ParseActivation(f.activation)
	if err != nil {
		return usageErr("--activation: %v", err)
	}
	sizes, act, err := nn.ParseSpec(f.arch, defAct)
	if err != nil {
		return usageErr("--arch: %v", err)
	}
	loss, err := nn.ParseLoss(f.loss)
	if err != nil {
		return usageErr("--loss: %v", err)
	}
	scheme, err := nn.ParseInit(f.init)
	if err != nil {
		return usageErr("--init: %v", err)
	}
	method, err := newMethod(f.optimizer, f.lr, f.weightDecay)
	if err != nil {
		return usageErr("%v", err)
	}
	trainFrac, valFrac, err := parseSplit(f.split)
	if err != nil {
		return usageErr("--split: %v", err)
	}
	if f.dropout < 0 || f.dropout >= 1 {
		return usageErr("--dropout %v: want 0 ≤ p < 1", f.dropout)
	}
	// Zero must not slip through as "the optimiser's default" or "no training".
	switch {
	case !(f.lr > 0) || math.IsInf(f.lr, 0):
		return usageErr("--lr %v: want a finite learning rate > 0", f.lr)
	case f.epochs < 1:
		return usageErr("--epochs %d: want ≥ 1", f.epochs)
	case f.batch < 0:
		return usageErr("--batch %d: want ≥ 1, or 0 for full batches", f.batch)
	case f.patience < 0:
		return usageErr("--patience %d: want ≥ 0 (0 disables early stopping)", f.patience)
	case !(f.minDelta >= 0) || math.IsInf(f.minDelta, 0):
		return usageErr("--min-delta %v: want a finite value ≥ 0", f.minDelta)
	case !(f.l1 >= 0) || !(f.l2 >= 0):
		return usageErr("--l1 %v, --l2 %v: want ≥ 0", f.l1, f.l2)
	}
	if f.l1 > 0 && f.l2 > 0 {
		return usageErr("--l1 and --l2: choose one penalty")
	}
	pen := nn.Penalty{Lambda: f.l2, Q: 2}
	if f.l1 > 0 {
		pen = nn.Penalty{Lambda: f.l1, Q: 1}
	}

	o := nn.CSVOptions{Inputs: splitList(f.inputs), Targets: splitList(f.targets)}
	if loss == nn.CrossEntropy {
		o.Classes = -1
	}
	d, err := nn.ReadCSV(f.data, o)
	if err != nil {
		return fail(err)
	}
	if sizes[0] != d.In {
		return usageErr("--arch %s has %d inputs but --inputs names %d columns", f.arch, sizes[0], d.In)
	}
	if sizes[len(sizes)-1] != d.Out {
		return usageErr("--arch %s has %d outputs but the targets have %d (classes for ce)", f.arch, sizes[len(sizes)-1], d.Out)
	}
	tr, va, te, err := d.Split(trainFrac, valFrac, f.seed)
	if err != nil {
		return fail(err)
	}
	model := &nn.Model{InputNames: d.InputNames, TargetNames: d.TargetNames}
	if !f.noStandardize {
		model.InputScaler = nn.FitScaler(tr.X, tr.N, tr.In)
		if !loss.Classification() {
			model.TargetScaler = nn.FitScaler(tr.Y, tr.N, tr.Out)
		}
		for _, part := range []*nn.Dataset{tr, va, te} {
			if part == nil {
				continue
			}
			model.InputScaler.Transform(part.X)
			if model.TargetScaler != nil {
				model.TargetScaler.Transform(part.Y)
			}
		}
	}
	net, err := nn.New(nn.MLP(sizes, act, nn.MLPOptions{BatchNorm: f.batchNorm, Dropout: f.dropout}),
		nn.Config{Loss: loss, Penalty: pen, Init: scheme, Seed: f.seed})
	if err != nil {
		return usageErr("%v", err)
	}
	model.Network = net
	patience := f.patience
	if va == nil {
		patience = 0
	}
	progress := &progressLine{w: stderr, prefix: "adjunto train"}
	terminal := isTerminal(stderr)
	cfg := nn.TrainConfig{Method: method, Epochs: f.epochs, BatchSize: f.batch, DropLast: f.dropLast,
		Patience: patience, MinDelta: f.minDelta, Seed: f.seed,
		Progress: func(e nn.Epoch) error {
			if f.quiet {
				return nil
			}
			line := epochLine(e, f.epochs)
			if terminal {
				progress.show(line)
			} else {
				fmt.Fprintln(stdout, line)
			}
			return nil
		}}
	hist, err := nn.Train(net, tr, va, cfg)
	progress.clear()
	if err != nil {
		if hist != nil && len(hist.Epochs) > 0 {
			writeTrainOutputs(f.out, model, hist, nil, stderr) // keep what was learnt before the failure
		}
		return fail(err)
	}
	metrics := map[string]any{"epochs": len(hist.Epochs), "best_epoch": hist.BestEpoch, "early_stopped": hist.EarlyStopped,
		"parameters": net.NumParams(), "train_loss": net.Loss(tr), "arch": f.arch, "loss": loss.String()}
	summary := fmt.Sprintf("%s after %d epochs: training loss %.6g", f.arch, len(hist.Epochs), net.Loss(tr))
	for _, part := range []struct {
		name string
		d    *nn.Dataset
	}{{"validation", va}, {"test", te}} {
		if part.d == nil {
			continue
		}
		l := net.Loss(part.d)
		metrics[part.name+"_loss"] = l
		summary += fmt.Sprintf(", %s loss %.6g", part.name, l)
		if loss.Classification() {
			a := net.Accuracy(part.d)
			metrics[part.name+"_accuracy"] = a
			summary += fmt.Sprintf(" (accuracy %.4f)", a)
		}
	}
	if hist.EarlyStopped {
		summary += fmt.Sprintf("; early stop, best epoch %d restored", hist.BestEpoch)
	}
	if !f.quiet {
		fmt.Fprintln(stdout, summary)
	}
	if err := writeTrainOutputs(f.out, model, hist, metrics, stderr); err != nil {
		return fail(err)
	}
	return exitOK
}

// newMethod returns the optimiser name with learning rate lr and decoupled weight decay wd.
func newMethod(name string, lr, wd float64) (optimize.Method, error) {
	if wd < 0 || math.IsNaN(wd) {
		return nil, fmt.Errorf("--weight-decay %v: want ≥ 0", wd)
	}
	if wd > 0 && strings.EqualFold(name, "adam") {
		name = "adamw"
	}
	m, err := optimize.New(name, lr)
	if err != nil {
		return nil, fmt.Errorf("--optimizer: %w", err)
	}
	if wd == 0 {
		if w, ok := m.(*optimize.AdamW); ok {
			w.WeightDecay = 0 // --weight-decay 0 means none, not PyTorch's default
		}
		return m, nil
	}
	switch m := m.(type) {
	case *optimize.AdamW:
		m.WeightDecay = wd
	case *optimize.SGD:
		m.WeightDecay = wd // for plain SGD the L2 and decoupled forms coincide up to η
	default:
		return nil, fmt.Errorf("--weight-decay: optimiser %q has no decoupled weight decay (use adam, adamw or sgd)", name)
	}
	return m, nil
}

func parseSplit(s string) (train, val float64, err error) {
	parts := strings.Split(s, ",")
	if len(parts) != 2 {
		return 0, 0, fmt.Errorf("%q: want two fractions such as 0.7,0.15", s)
	}
	if train, err = strconv.ParseFloat(strings.TrimSpace(parts[0]), 64); err == nil {
		val, err = strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
	}
	if err != nil || !(train > 0) || !(val >= 0) || train+val > 1 {
		return 0, 0, fmt.Errorf("%q: want 0 < train, 0 ≤ validation, train + validation ≤ 1", s)
	}
	return train, val, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func epochLine(e nn.Epoch, total int) string {
	s := fmt.Sprintf("epoch %*d/%d  train %.6g", len(strconv.Itoa(total)), e.Epoch, total, e.TrainLoss)
	if !math.IsNaN(e.ValLoss) {
		s += fmt.Sprintf("  val %.6g", e.ValLoss)
	}
	if !math.IsNaN(e.ValAcc) {
		s += fmt.Sprintf("  val acc %.4f", e.ValAcc)
	}
	return s
}

// outputBase returns the model path without its .json extension.
func outputBase(out string) string { return strings.TrimSuffix(out, ".json") }

// writeTrainOutputs writes the model, the loss history CSV, the metrics JSON (if not nil) and
// the loss curve, each atomically.
func writeTrainOutputs(out string, m *nn.Model, h *nn.History, metrics map[string]any, stderr io.Writer) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("writing the model: %w", err)
	}
	if err := m.Save(out); err != nil {
		return fmt.Errorf("writing the model: %w", err)
	}
	base := outputBase(out)
	err := atomicfile.Write(base+"_history.csv", func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"epoch", "train_loss", "val_loss", "train_acc", "val_acc", "steps", "elapsed_s"})
		for _, e := range h.Epochs {
			cw.Write([]string{strconv.Itoa(e.Epoch), fnum(e.TrainLoss), fnum(e.ValLoss), fnum(e.TrainAcc), fnum(e.ValAcc),
				strconv.Itoa(e.Steps), fnum(e.Elapsed.Seconds())})
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return fmt.Errorf("writing the history: %w", err)
	}
	if metrics != nil {
		err = atomicfile.Write(base+"_metrics.json", func(w io.Writer) error {
			for k, v := range metrics {
				if x, ok := v.(float64); ok && (math.IsNaN(x) || math.IsInf(x, 0)) {
					metrics[k] = nil
				}
			}
			enc := json.NewEncoder(w)
			enc.SetIndent("", " ")
			return enc.Encode(metrics)
		})
		if err != nil {
			return fmt.Errorf("writing the metrics: %w", err)
		}
	}
	return writeLossCurve(base+"_loss", h)
}

func fnum(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// writeLossCurve draws the training and validation losses per epoch (log scale when they are
// positive) to base.png and base.svg.
func writeLossCurve(base string, h *nn.History) error {
	p := plot.New()
	p.Title.Text = "Loss per epoch"
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "loss"
	positive := true
	var tr, va plotter.XYs
	for _, e := range h.Epochs {
		tr = append(tr, plotter.XY{X: float64(e.Epoch), Y: e.TrainLoss})
		positive = positive && e.TrainLoss > 0
		if !math.IsNaN(e.ValLoss) {
			va = append(va, plotter.XY{X: float64(e.Epoch), Y: e.ValLoss})
			positive = positive && e.ValLoss > 0
		}
	}
	if positive {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	for i, s := range []struct {
		name string
		xy   plotter.XYs
	}{{"training", tr}, {"validation", va}} {
		if len(s.xy) == 0 {
			continue
		}
		l, err := plotter.NewLine(s.xy)
		if err != nil {
			return fmt.Errorf("loss curve: %w", err)
		}
		l.Color = plotColor(i)
		p.Add(l)
		p.Legend.Add(s.name, l)
	}
	p.Legend.Top = true
	if _, err := figure.Save(base, [][]*plot.Plot{{p}}, 6*vg.Inch, 4*vg.Inch); err != nil {
		return fmt.Errorf("loss curve: %w", err)
	}
	return nil
}

// plotColor returns the i-th colour of the loss curves.
func plotColor(i int) color.Color {
	return []color.Color{color.RGBA{R: 31, G: 119, B: 180, A: 255}, color.RGBA{R: 255, G: 127, B: 14, A: 255}}[i%2]
}

package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
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
	"github.com/adjunto/adjunto/internal/jsonnum"
	"github.com/adjunto/adjunto/internal/progress"
	"github.com/adjunto/adjunto/internal/staging"
	"github.com/adjunto/adjunto/nn"
	"github.com/adjunto/adjunto/optimize"
)

// trainFlags are the settings of "adjunto train".
type trainFlags struct {
	data, inputs, targets, arch, activation, loss, optimizer, init, out, split, schedule, resume, hessian string
	lr, weightDecay, dropout, minDelta, l1, l2, clip, damping                                             float64
	epochs, batch, patience                                                                               int
	seed                                                                                                  uint64
	batchNorm, dropLast, noStandardize, quiet                                                             bool
	set                                                                                                   map[string]bool // the flags given
}

// trainRun is what "adjunto train" works on once its flags are checked.
type trainRun struct {
	f          trainFlags
	sizes      []int
	act        nn.Activation
	loss       nn.Loss
	scheme     nn.InitScheme
	pen        nn.Penalty
	method     optimize.Method
	schedule   optimize.Schedule
	plateau    *optimize.ReduceOnPlateau
	curvature  nn.Curvature
	trainFrac  float64
	valFrac    float64
	tr, va, te *nn.Dataset
	model      *nn.Model
}

// runTrain reads the data, splits it, standardises it, trains the network and writes the
// model with its history, metrics and loss curve.
func runTrain(args []string, stdout, stderr io.Writer) int {
	r, code, done := parseTrain(args, stdout, stderr)
	if done {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "adjunto train: %v\n", err)
		return exitFail
	}
	if code, err := r.setUp(); err != nil {
		if code == exitUsage {
			fmt.Fprintf(stderr, "adjunto train: %v\n", err)
			return exitUsage
		}
		return fail(err)
	}
	// The folder of --out is created and probed now, not after the training.
	out := r.f.out
	if info, err := os.Stat(out); err == nil && info.IsDir() {
		fmt.Fprintf(stderr, "adjunto train: --out %s: is a folder; name the model file, such as %s\n", out, filepath.Join(out, "model.json"))
		return exitUsage
	}
	st, err := staging.Begin(filepath.Dir(out))
	if err != nil {
		return fail(fmt.Errorf("--out %s: %w", out, err))
	}
	st.KeepBase = outputBase(out)
	hist, err := r.train(stdout, stderr)
	if err != nil {
		return trainFailed(st, err, r.model, hist, r.va != nil, out, stderr)
	}
	metrics := r.report(hist, stdout)
	if err := writeTrainOutputs(st.File(filepath.Base(out)), r.model, hist, metrics, stderr); err != nil {
		st.Keep(staging.Failed)
		return fail(err)
	}
	if err := st.Commit(); err != nil {
		return fail(err)
	}
	return exitOK
}

// parseTrain parses and checks the flags. done reports that the command ends with code
// (help, or a usage error already printed).
func parseTrain(args []string, stdout, stderr io.Writer) (r *trainRun, code int, done bool) {
	var f trainFlags
	fs := newFlagSet("train", "--data FILE.csv --inputs COLS --targets COLS [flags]", stderr)
	fs.StringVar(&f.data, "data", "", "CSV file with a header line (required)")
	fs.StringVar(&f.inputs, "inputs", "", "comma-separated input columns, by name or 1-based number (required)")
	fs.StringVar(&f.targets, "targets", "", "comma-separated target columns (required; one column of class labels 0…K−1 for --loss ce)")
	fs.StringVar(&f.arch, "arch", "1-100-1", "layer widths n0-n1-…-nK, optionally with :activation")
	fs.StringVar(&f.activation, "activation", "tanh", "hidden activation: identity, step, relu, leakyrelu, tanh, sigmoid, swish, softplus")
	fs.StringVar(&f.loss, "loss", "mse", "loss: mse (the course's 1/(2N)Σ‖z−y‖²), mse-mean (PyTorch's), bce (with logits), ce (cross-entropy with logits)")
	fs.StringVar(&f.optimizer, "optimizer", "adam", "optimiser: "+strings.Join(optimize.Names(), ", ")+
		" (lbfgs, bfgs, cg*, gd and newton run full-batch, one iteration per epoch)")
	fs.StringVar(&f.init, "init", "auto", "initialisation: auto, glorot-uniform, glorot-normal, kaiming-uniform, kaiming-normal")
	fs.Float64Var(&f.lr, "lr", 1e-2, "learning rate (the initial one with --schedule)")
	fs.StringVar(&f.schedule, "schedule", "none", "learning-rate schedule per epoch from --lr: none, step:EVERY[:GAMMA], exp:GAMMA, cosine:PERIOD[:MIN], "+
		"plateau:PATIENCE[:FACTOR] (lower it when the validation loss stalls)")
	fs.StringVar(&f.hessian, "hessian", "fd", "curvature for --optimizer newton: fd (the Hessian, by differences of adjoint gradients) or gauss-newton")
	fs.Float64Var(&f.damping, "damping", 1e-3, "for --optimizer newton: μ added to the curvature's diagonal (Levenberg-Marquardt)")
	fs.Float64Var(&f.clip, "clip", 0, "clip each mini-batch gradient to this Euclidean norm; 0 disables it")
	fs.IntVar(&f.epochs, "epochs", 200, "epochs (iterations for a full-batch optimiser such as lbfgs)")
	fs.IntVar(&f.batch, "batch", 64, "mini-batch size; 0 for full batches (the only choice, and the default, for full-batch optimisers)")
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
	fs.StringVar(&f.resume, "resume", "", "model file written by train to continue training from (network, scalers, the state of the optimiser, "+
		"the plateau rule and early stopping; give the data, split, seed, optimiser, --schedule and --patience flags of the first run)")
	fs.StringVar(&f.out, "out", filepath.Join("out", "train", "model.json"), "model file; the history (_history.csv), metrics (_metrics.json) and loss curve (_loss.png, _loss.svg) go next to it")
	fs.BoolVar(&f.quiet, "q", false, "quiet: no per-epoch lines")
	if code, done := parse(fs, args, stdout); done {
		return nil, code, true
	}
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	r = &trainRun{f: f}
	if err := r.checkFlags(); err != nil {
		fmt.Fprintf(stderr, "adjunto train: %v\n", err)
		return nil, exitUsage, true
	}
	return r, 0, false
}

// checkFlags parses the flags' values into r.
func (r *trainRun) checkFlags() error {
	f := &r.f
	if f.data == "" || f.inputs == "" || f.targets == "" {
		return errors.New("--data, --inputs and --targets are required")
	}
	defAct, err := nn.ParseActivation(f.activation)
	if err != nil {
		return fmt.Errorf("--activation: %w", err)
	}
	if r.sizes, r.act, err = nn.ParseSpec(f.arch, defAct); err != nil {
		return fmt.Errorf("--arch: %w", err)
	}
	if r.loss, err = nn.ParseLoss(f.loss); err != nil {
		return fmt.Errorf("--loss: %w", err)
	}
	if r.scheme, err = nn.ParseInit(f.init); err != nil {
		return fmt.Errorf("--init: %w", err)
	}
	if r.method, err = newMethod(f.optimizer, f.lr, f.weightDecay); err != nil {
		return err
	}
	if r.trainFrac, r.valFrac, err = parseSplit(f.split); err != nil {
		return fmt.Errorf("--split: %w", err)
	}
	if r.schedule, r.plateau, err = parseSchedule(f.schedule, f.lr); err != nil {
		return fmt.Errorf("--schedule: %w", err)
	}
	switch f.hessian {
	case "fd":
		r.curvature = nn.HessianFD
	case "gauss-newton", "gn":
		r.curvature = nn.GaussNewton
	default:
		return fmt.Errorf("--hessian %q: want fd or gauss-newton", f.hessian)
	}
	if f.dropout < 0 || f.dropout >= 1 {
		return fmt.Errorf("--dropout %v: want 0 ≤ p < 1", f.dropout)
	}
	// Zero must not slip through as "the optimiser's default" or "no training".
	switch {
	case !(f.lr > 0) || math.IsInf(f.lr, 0):
		return fmt.Errorf("--lr %v: want a finite learning rate > 0", f.lr)
	case f.epochs < 1:
		return fmt.Errorf("--epochs %d: want ≥ 1", f.epochs)
	case f.batch < 0:
		return fmt.Errorf("--batch %d: want ≥ 1, or 0 for full batches", f.batch)
	case f.patience < 0:
		return fmt.Errorf("--patience %d: want ≥ 0 (0 disables early stopping)", f.patience)
	case !(f.minDelta >= 0) || math.IsInf(f.minDelta, 0):
		return fmt.Errorf("--min-delta %v: want a finite value ≥ 0", f.minDelta)
	case !(f.l1 >= 0) || !(f.l2 >= 0):
		return fmt.Errorf("--l1 %v, --l2 %v: want ≥ 0", f.l1, f.l2)
	case !(f.damping >= 0) || math.IsInf(f.damping, 0):
		return fmt.Errorf("--damping %v: want a finite value ≥ 0", f.damping)
	case !(f.clip >= 0) || math.IsInf(f.clip, 0):
		return fmt.Errorf("--clip %v: want a finite norm ≥ 0 (0 disables clipping)", f.clip)
	}
	if f.l1 > 0 && f.l2 > 0 {
		return errors.New("--l1 and --l2: choose one penalty")
	}
	r.pen = nn.Penalty{Lambda: f.l2, Q: 2}
	if f.l1 > 0 {
		r.pen = nn.Penalty{Lambda: f.l1, Q: 1}
	}
	if _, stepping := r.method.(optimize.Stepper); !stepping {
		// The default mini-batch size is for the stepping methods; a full-batch method given
		// a mini-batch size explicitly is refused by nn.Train with the reason.
		if !f.set["batch"] {
			f.batch = 0
		}
		for _, name := range []string{"schedule", "clip"} {
			if f.set[name] {
				return fmt.Errorf("--%s: --optimizer %s chooses its steps by a line search (use a stepping optimiser such as adam)", name, f.optimizer)
			}
		}
	}
	return nil
}

// setUp reads and splits the data, builds (or, with --resume, loads) the network and
// standardises the data. A usage error comes with exitUsage.
func (r *trainRun) setUp() (code int, err error) {
	f := &r.f
	o := nn.CSVOptions{Inputs: splitList(f.inputs), Targets: splitList(f.targets)}
	if r.loss == nn.CrossEntropy {
		o.Classes = -1
	}
	d, err := nn.ReadCSV(f.data, o)
	if err != nil {
		return exitUsage, err
	}
	if f.resume != "" {
		if r.model, err = nn.Load(f.resume); err != nil {
			return exitUsage, fmt.Errorf("--resume: %w", err)
		}
		if r.model.Training == nil {
			return exitUsage, fmt.Errorf("--resume %s: the model holds no training state to resume from", f.resume)
		}
		net := r.model.Network
		r.sizes = []int{net.In(), net.Out()}
	}
	if r.sizes[0] != d.In {
		return exitUsage, fmt.Errorf("--arch %s has %d inputs but --inputs names %d columns", f.arch, r.sizes[0], d.In)
	}
	if r.sizes[len(r.sizes)-1] != d.Out {
		return exitUsage, fmt.Errorf("--arch %s has %d outputs but the targets have %d (classes for ce)", f.arch, r.sizes[len(r.sizes)-1], d.Out)
	}
	if r.tr, r.va, r.te, err = d.Split(r.trainFrac, r.valFrac, f.seed); err != nil {
		return exitUsage, err
	}
	if r.model == nil {
		net, err := nn.New(nn.MLP(r.sizes, r.act, nn.MLPOptions{BatchNorm: f.batchNorm, Dropout: f.dropout}),
			nn.Config{Loss: r.loss, Penalty: r.pen, Init: r.scheme, Seed: f.seed})
		if err != nil {
			return exitUsage, fmt.Errorf("--arch %s: %w", f.arch, err)
		}
		r.model = &nn.Model{Network: net, InputNames: d.InputNames, TargetNames: d.TargetNames}
		if !f.noStandardize {
			r.model.Standardize(r.tr)
		}
	}
	r.model.Transform(r.tr, r.va, r.te)
	return 0, nil
}

// train runs nn.Train, printing one line per epoch unless -q, and keeps the training state
// in the model.
func (r *trainRun) train(stdout, stderr io.Writer) (*nn.History, error) {
	f := &r.f
	patience := f.patience
	if r.va == nil {
		patience = 0
	}
	meter := progress.New(stderr, "adjunto train", f.epochs)
	terminal := progress.IsTerminal(stderr)
	cfg := nn.TrainConfig{Method: r.method, Epochs: f.epochs, BatchSize: f.batch, DropLast: f.dropLast,
		Patience: patience, MinDelta: f.minDelta, Seed: f.seed, Schedule: r.schedule, Plateau: r.plateau, ClipNorm: f.clip, Curvature: r.curvature, Damping: f.damping,
		Resume: r.model.Training,
		Progress: func(e nn.Epoch) error {
			if err := runCtx.Err(); err != nil {
				return fmt.Errorf("interrupted after epoch %d: %w", e.Epoch, err)
			}
			if f.quiet {
				return nil
			}
			line := epochLine(e, f.epochs)
			if terminal {
				meter.Update(e.Epoch, line)
			} else {
				fmt.Fprintln(stdout, line)
			}
			return nil
		}}
	hist, err := nn.Train(r.model.Network, r.tr, r.va, cfg)
	meter.Done()
	if hist != nil {
		r.model.Training = hist.Resume
	}
	return hist, err
}

// report prints the summary unless -q and returns the metrics.
func (r *trainRun) report(hist *nn.History, stdout io.Writer) map[string]any {
	net, f := r.model.Network, &r.f
	metrics := map[string]any{"epochs": len(hist.Epochs), "best_epoch": hist.BestEpoch, "early_stopped": hist.EarlyStopped,
		"parameters": net.NumParams(), "train_loss": net.Loss(r.tr), "arch": f.arch, "loss": net.Config().Loss.String()}
	summary := fmt.Sprintf("%s after %d epochs: training loss %.6g", f.arch, len(hist.Epochs), net.Loss(r.tr))
	for _, part := range []struct {
		name string
		d    *nn.Dataset
	}{{"validation", r.va}, {"test", r.te}} {
		if part.d == nil {
			continue
		}
		l := net.Loss(part.d)
		metrics[part.name+"_loss"] = l
		summary += fmt.Sprintf(", %s loss %.6g", part.name, l)
		if net.Config().Loss.Classification() {
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
	return metrics
}

// parseSchedule reads --schedule with initial rate lr: a Schedule, or a plateau rule, or
// neither for "none".
func parseSchedule(s string, lr float64) (optimize.Schedule, *optimize.ReduceOnPlateau, error) {
	name, args, _ := strings.Cut(strings.TrimSpace(s), ":")
	var nums []float64
	if args != "" {
		for _, a := range strings.Split(args, ":") {
			v, err := strconv.ParseFloat(strings.TrimSpace(a), 64)
			if err != nil {
				return nil, nil, fmt.Errorf("%q: %q is not a number", s, a)
			}
			nums = append(nums, v)
		}
	}
	arg := func(i int, def float64) float64 {
		if i < len(nums) {
			return nums[i]
		}
		return def
	}
	var sch optimize.Schedule
	switch n := len(nums); {
	case name == "none" && n == 0:
		return nil, nil, nil
	case name == "plateau" && n >= 1 && n <= 2 && nums[0] == math.Trunc(nums[0]) && nums[0] >= 1:
		p := &optimize.ReduceOnPlateau{Initial: lr, Patience: int(nums[0]), Factor: arg(1, 0.1)}
		if err := p.Validate(); err != nil {
			return nil, nil, fmt.Errorf("%q: %w", s, err)
		}
		return nil, p, nil
	case name == "step" && n >= 1 && n <= 2 && nums[0] == math.Trunc(nums[0]):
		sch = optimize.StepDecay{Initial: lr, Every: int(nums[0]), Gamma: arg(1, 0.1)}
	case name == "exp" && n == 1:
		sch = optimize.ExponentialDecay{Initial: lr, Gamma: nums[0]}
	case name == "cosine" && n >= 1 && n <= 2 && nums[0] == math.Trunc(nums[0]):
		sch = optimize.CosineDecay{Initial: lr, Period: int(nums[0]), Min: arg(1, 0)}
	default:
		return nil, nil, fmt.Errorf("%q: want none, step:EVERY[:GAMMA], exp:GAMMA, cosine:PERIOD[:MIN] or plateau:PATIENCE[:FACTOR]", s)
	}
	if err := sch.Validate(); err != nil {
		return nil, nil, fmt.Errorf("%q: %w", s, err)
	}
	return sch, nil, nil
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
				if x, ok := v.(float64); ok {
					metrics[k] = jsonnum.Float(x) // non-finite as the project writes it
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

package nn

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/adjunto/adjunto/optimize"
)

// TestResumeBitForBit: training 2N epochs equals training N, saving the model with its
// training state, loading it and training N more, bit for bit: the parameters, the
// batch-norm statistics and every epoch's loss. The network has dropout and batch norm (whose
// generators and statistics must continue), the optimiser a schedule and clipping.
func TestResumeBitForBit(t *testing.T) {
	const N = 4
	d := sinData(90, 0.1, 3)
	for _, method := range []func() optimize.Method{
		func() optimize.Method { return &optimize.Adam{LearningRate: 1e-2, AMSGrad: true} },
		func() optimize.Method { return &optimize.SGD{LearningRate: 0.05, Momentum: 0.9, Nesterov: true} },
		func() optimize.Method { return &optimize.RMSprop{Centered: true} },
	} {
		newNet := func() *Network {
			n, err := NewMLP("1-12-12-1:tanh", MLPOptions{BatchNorm: true, Dropout: 0.2}, Config{Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		cfg := func(epochs int) TrainConfig {
			return TrainConfig{Method: method(), Epochs: epochs, BatchSize: 16, Seed: 9, ClipNorm: 0.5,
				Schedule: optimize.StepDecay{Initial: 2e-2, Every: 3, Gamma: 0.5}}
		}
		ref := newNet()
		hr, err := Train(ref, d, nil, cfg(2*N))
		if err != nil {
			t.Fatal(err)
		}

		a := newNet()
		ha, err := Train(a, d, nil, cfg(N))
		if err != nil {
			t.Fatal(err)
		}
		m := throughFile(t, a, ha.Resume)
		c := cfg(N)
		c.Resume = m.Training
		hb, err := Train(m.Network, d, nil, c)
		if err != nil {
			t.Fatal(err)
		}
		name := hr.Resume.Optimizer.Method
		got := append(ha.Epochs, hb.Epochs...)
		for i, e := range hr.Epochs {
			if g := got[i]; g.Epoch != e.Epoch || math.Float64bits(g.TrainLoss) != math.Float64bits(e.TrainLoss) || g.Steps != e.Steps {
				t.Errorf("%s: epoch %d resumed as epoch %d, loss %v, %d steps; uninterrupted loss %v, %d steps",
					name, e.Epoch, g.Epoch, g.TrainLoss, g.Steps, e.TrainLoss, e.Steps)
			}
		}
		for i, p := range ref.Params() {
			if math.Float64bits(p) != math.Float64bits(m.Network.Params()[i]) {
				t.Fatalf("%s: parameter %d resumed %v, uninterrupted %v", name, i, m.Network.Params()[i], p)
			}
		}
		mr, _ := ref.RunningStats(1)
		mb, _ := m.Network.RunningStats(1)
		if mr[0] != mb[0] {
			t.Errorf("%s: running mean resumed %v, uninterrupted %v", name, mb[0], mr[0])
		}
	}
}

// throughFile returns the model of network n with training state s after Encode and Decode.
func throughFile(tb testing.TB, n *Network, s *TrainState) *Model {
	tb.Helper()
	var buf bytes.Buffer
	if err := (&Model{Network: n, Training: s}).Encode(&buf); err != nil {
		tb.Fatal(err)
	}
	m, err := Decode(&buf)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// TestResumeRejects: a training state that does not fit the network or the method.
func TestResumeRejects(t *testing.T) {
	d := sinData(40, 0.1, 1)
	n, _ := NewMLP("1-4-1", MLPOptions{}, Config{})
	h, err := Train(n, d, nil, TrainConfig{Method: &optimize.Adam{}, Epochs: 1, BatchSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Train(n, d, nil, TrainConfig{Method: &optimize.SGD{}, Epochs: 1, BatchSize: 8, Resume: h.Resume}); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "Adam") {
		t.Errorf("Adam's state into SGD: %v", err)
	}
	other, _ := NewMLP("1-5-1", MLPOptions{}, Config{})
	if _, err := Train(other, d, nil, TrainConfig{Epochs: 1, Resume: h.Resume}); !errors.Is(err, ErrConfig) {
		t.Errorf("state of another network: %v", err)
	}
	// A run whose patience ran out resumes only with a larger patience (or none).
	val := sinData(20, 0.1, 2)
	cfg := TrainConfig{Method: &optimize.SGD{LearningRate: 0.5}, Epochs: 50, BatchSize: 8, Patience: 2}
	h, err = Train(n, d, val, cfg)
	if err != nil || !h.EarlyStopped {
		t.Fatalf("training with a rate of 0.5 did not stop early: %v, %d epochs", err, len(h.Epochs))
	}
	cfg.Method, cfg.Resume = &optimize.SGD{}, h.Resume
	if _, err := Train(n, d, val, cfg); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "patience of 2 has run out") {
		t.Errorf("resuming a run that stopped early with the same patience: %v", err)
	}
	cfg.Method, cfg.Patience = &optimize.SGD{}, 3
	if h2, err := Train(n, d, val, cfg); err != nil || h2.Epochs[0].Epoch != h.Resume.Epochs+1 {
		t.Errorf("resuming it with a patience of 3: %v", err)
	}
}

// TestLoadVersion1 reads a model file written by the format's version 1 (before layers were
// an interface; testdata/model_v1.json, a 2-4-3 ReLU classifier with batch norm and dropout
// from seed 5 whose running statistics were then edited): the layers, the parameters (the
// initialisation of the same spec and seed, bit for bit) and the statistics come back.
func TestLoadVersion1(t *testing.T) {
	m, err := Load("testdata/model_v1.json")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := NewMLP("2-4-3:relu", MLPOptions{BatchNorm: true, Dropout: 0.1}, Config{Loss: CrossEntropy, Penalty: Penalty{Lambda: 0.01, Q: 2}, Seed: 5})
	n := m.Network
	if len(n.Layers()) != 5 || n.Layers()[3] != (DropoutLayer{Rate: 0.1}) || n.Config().Penalty != want.Config().Penalty {
		t.Fatalf("layers %v, config %+v", n.Layers(), n.Config())
	}
	for i, p := range want.Params() {
		if math.Float64bits(p) != math.Float64bits(n.Params()[i]) {
			t.Fatalf("parameter %d = %v, a new network from the same seed has %v", i, n.Params()[i], p)
		}
	}
	if mean, vr := n.RunningStats(1); mean[0] != 0.25 || vr[2] != 1.5 {
		t.Errorf("running statistics %v, %v", mean, vr)
	}
	if m.Training != nil || m.InputNames[1] != "b" || m.InputScaler.Std[1] != 4 {
		t.Errorf("model %+v", m)
	}
	// Written again, it is a version 2 file that reads back the same.
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile("testdata/model_v1.json")
	if got := strings.Replace(buf.String(), `"version": 2`, `"version": 1`, 1); got != string(raw) {
		t.Errorf("re-encoded version 1 file differs beyond its version:\n%s\nwant\n%s", got, raw)
	}
}

// TestUnknownLayerKind: a model file naming a kind nobody registered fails with the kinds
// that are.
func TestUnknownLayerKind(t *testing.T) {
	raw, _ := os.ReadFile("testdata/model_v1.json")
	bad := bytes.Replace(raw, []byte(`"kind": "dropout"`), []byte(`"kind": "maxout"`), 1)
	_, err := Decode(bytes.NewReader(bad))
	if !errors.Is(err, ErrModel) || !strings.Contains(err.Error(), `"maxout"`) || !strings.Contains(err.Error(), "batchnorm") {
		t.Errorf("unknown kind: %v", err)
	}
}

// TestTrainNewton trains a small network full-batch with Newton's method on the Hessian of
// central differences of adjoint gradients, and rejects mini-batches for it.
func TestTrainNewton(t *testing.T) {
	d := sinData(60, 0.1, 2)
	var n *Network
	// Gauss-Newton needs damping here: undamped, its nearly singular matrix sends Newton
	// along directions the data hardly determine, and the line search stalls at J ≈ 0.043.
	for _, c := range []struct {
		curv    Curvature
		damping float64
	}{{HessianFD, 0}, {GaussNewton, 1e-3}} {
		n, _ = NewMLP("1-4-1:tanh", MLPOptions{}, Config{Seed: 1})
		j0 := n.Loss(d)
		h, err := Train(n, d, nil, TrainConfig{Method: &optimize.Newton{}, Epochs: 30, Curvature: c.curv, Damping: c.damping})
		if err != nil {
			t.Fatal(err)
		}
		grad := make([]float64, n.NumParams())
		j := n.Objective(grad, d)
		// Noise of standard deviation 0.1 puts the course's J = MSE/2 near 0.005 at best.
		if !(j < 0.01) {
			t.Errorf("Newton %+v: J from %v to %v after %d iterations", c, j0, j, len(h.Epochs))
		}
		t.Logf("Newton %+v, 1-4-1 tanh on 60 items: J %.4g → %.6g in %d iterations (%d gradients), ‖∇J‖ %.2g",
			c, j0, j, len(h.Epochs), h.Resume.Steps, norm(grad))
	}
	if _, err := Train(n, d, nil, TrainConfig{Method: &optimize.Newton{}, Epochs: 1, BatchSize: 16}); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "full-batch") {
		t.Errorf("Newton on mini-batches: %v", err)
	}
	if _, err := Train(n, d, nil, TrainConfig{Method: &optimize.LBFGS{}, Epochs: 1, ClipNorm: 1}); !errors.Is(err, ErrConfig) {
		t.Errorf("L-BFGS with clipping: %v", err)
	}
}

func norm(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

// TestScheduleAndClipReachTheSteps: a schedule sets the rate epoch by epoch, and clipping
// bounds every step: plain SGD with a clip c moves the parameters by at most η·c per step.
func TestScheduleAndClipReachTheSteps(t *testing.T) {
	d := sinData(32, 0.1, 4)
	n, _ := NewMLP("1-6-1", MLPOptions{}, Config{Seed: 2})
	s := &optimize.SGD{}
	var rates []float64
	sched := optimize.ExponentialDecay{Initial: 0.1, Gamma: 0.5}
	prev := append([]float64(nil), n.Params()...)
	maxMove := 0.0
	_, err := Train(n, d, nil, TrainConfig{Method: s, Epochs: 3, BatchSize: 32, Schedule: sched, ClipNorm: 1e-3,
		Progress: func(e Epoch) error {
			rates = append(rates, s.Rate())
			maxMove = max(maxMove, dist(prev, n.Params())/s.Rate())
			copy(prev, n.Params())
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if rates[0] != 0.1 || rates[1] != 0.05 || rates[2] != 0.025 {
		t.Errorf("rates %v, want 0.1, 0.05, 0.025", rates)
	}
	if maxMove > 1e-3*(1+1e-12) {
		t.Errorf("a clipped step moved the parameters by %g·η, want ≤ 1e-3·η", maxMove)
	}
	if _, err := Train(n, d, nil, TrainConfig{Schedule: optimize.StepDecay{}}); !errors.Is(err, ErrConfig) {
		t.Errorf("invalid schedule: %v", err)
	}
}

func dist(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return math.Sqrt(s)
}

// TestGaussNewtonIsHessianAtZeroResidual: where the targets are the network's own
// predictions the generalised Gauss-Newton matrix is the Hessian, for every loss and with an
// L2 penalty (whose λI both include): the two products agree to the finite-difference
// Hessian's accuracy, 1e-6 relative (O(h²) truncation with h ≈ 1e-5, and round-off ε/h on
// gradients of order 1). Away from it the Gauss-Newton matrix stays positive semi-definite.
func TestGaussNewtonIsHessianAtZeroResidual(t *testing.T) {
	for _, loss := range []Loss{CourseMSE, MeanSquaredError, BCEWithLogits, CrossEntropy} {
		n, err := NewMLP("2-5-3:tanh", MLPOptions{}, Config{Loss: loss, Penalty: Penalty{Lambda: 0.1}, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(4, 4))
		const rows = 7
		x := make([]float64, rows*2)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		d, _ := NewDataset(x, make([]float64, rows*3), rows, 2, 3)
		n.Predict(d.Y, d) // with the head: σ(z) or softmax(z), the targets of zero residual
		v := make([]float64, n.NumParams())
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		w := append([]float64(nil), n.Params()...)
		gn, fd := make([]float64, len(v)), make([]float64, len(v))
		n.hessVec(d, GaussNewton, 0)(gn, w, v)
		n.hessVec(d, HessianFD, 0)(fd, w, v)
		diff, scale := 0.0, 0.0
		for i := range gn {
			diff = math.Max(diff, math.Abs(gn[i]-fd[i]))
			scale = math.Max(scale, math.Abs(fd[i]))
		}
		if diff > 1e-6*scale {
			t.Errorf("%v: Gauss-Newton and Hessian products differ by %g (scale %g)", loss, diff, scale)
		}
		// Nonzero residuals: other targets.
		for i := range d.Y {
			d.Y[i] = rng.Float64()
		}
		if loss == CrossEntropy {
			copy(d.Y, OneHot([]int{0, 1, 2, 0, 1, 2, 0}, 3))
		}
		g := n.hessVec(d, GaussNewton, 0)
		for range 5 {
			for i := range v {
				v[i] = rng.NormFloat64()
			}
			g(gn, w, v)
			if q := dot(v, gn); q < 0 {
				t.Errorf("%v: vᵀ G v = %g < 0", loss, q)
			}
		}
	}
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// TestModelPredictUnits: Model.Predict takes inputs in the data's units and returns targets
// in theirs, leaving the dataset as it was: a model trained on y = 100 + 50 x standardised
// predicts 100 + 50 x.
func TestModelPredictUnits(t *testing.T) {
	const N = 50
	x, y := make([]float64, N), make([]float64, N)
	for i := range x {
		x[i] = 10 + float64(i)
		y[i] = 100 + 50*x[i]
	}
	d, _ := NewDataset(x, y, N, 1, 1)
	n, _ := NewMLP("1-1", MLPOptions{}, Config{})
	m := &Model{Network: n}
	m.Standardize(d)
	tr := &Dataset{X: append([]float64(nil), x...), Y: append([]float64(nil), y...), N: N, In: 1, Out: 1}
	m.Transform(tr)
	if _, err := Train(n, tr, nil, TrainConfig{Method: &optimize.LBFGS{}, Epochs: 50}); err != nil {
		t.Fatal(err)
	}
	pred := make([]float64, N)
	m.Predict(pred, d)
	for i := range pred {
		if want := 100 + 50*(10+float64(i)); math.Abs(pred[i]-want) > 1e-6*want || d.X[i] != 10+float64(i) {
			t.Fatalf("item %d: x %v predicted %v, want %v", i, d.X[i], pred[i], want)
		}
	}
}

// TestPlateauLowersRate: with a patience of 1 and a rate so large that SGD cannot improve the
// loss, ReduceOnPlateau halves the rate after every second epoch without improvement.
func TestPlateauLowersRate(t *testing.T) {
	d := sinData(32, 0.1, 5)
	n, _ := NewMLP("1-6-1", MLPOptions{}, Config{Seed: 2})
	s := &optimize.SGD{}
	var rates []float64
	_, err := Train(n, d, nil, TrainConfig{Method: s, Epochs: 12, BatchSize: 32,
		Plateau:  &optimize.ReduceOnPlateau{Initial: 1e-6, Factor: 0.5, Patience: 1, Threshold: 0.5},
		Progress: func(Epoch) error { rates = append(rates, s.Rate()); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	// A relative threshold of 0.5 makes every epoch a non-improvement after the first.
	if rates[0] != 1e-6 || rates[len(rates)-1] >= rates[0]/8 {
		t.Errorf("rates %v: want 1e-6 first, lowered at least three times", rates)
	}
	if _, err := Train(n, d, nil, TrainConfig{Method: s, Plateau: &optimize.ReduceOnPlateau{Initial: 1}, Schedule: optimize.ExponentialDecay{Initial: 1, Gamma: 0.5}}); !errors.Is(err, ErrConfig) {
		t.Errorf("schedule and plateau: %v", err)
	}
}

// TestResumePlateauAndPatience: with a reduce-on-plateau rule and early stopping, a run split
// at epoch k (saved and loaded between the halves) equals the uninterrupted run bit for bit:
// every epoch's losses and learning rate, the epoch at which the patience runs out, the best
// epoch and the parameters restored from it. Each split falls where the plateau rule has bad
// epochs counted (or a cooldown running) and early stopping has waited since an earlier best
// epoch, so that a resumed run that restarted either count would lower the rate or stop at
// other epochs, and would continue from the best parameters instead of the last. The first
// half ends either after its epochs or by an interruption (a Progress error), as the
// checkpoint of an interrupted "adjunto train" does.
func TestResumePlateauAndPatience(t *testing.T) {
	train, val := sinData(90, 0.1, 3), sinData(40, 0.1, 4)
	const total = 80 // more epochs than the runs last: early stopping ends them (at 13)
	for _, c := range []struct {
		name   string
		method func() optimize.Stepper
		plat   optimize.ReduceOnPlateau
		splits []int
	}{
		{"Adam", func() optimize.Stepper { return &optimize.Adam{} },
			optimize.ReduceOnPlateau{Initial: 3e-2, Factor: 0.5, Patience: 1, Threshold: 0.02}, []int{4, 11}},
		{"SGD", func() optimize.Stepper { return &optimize.SGD{Momentum: 0.9} },
			optimize.ReduceOnPlateau{Initial: 5e-2, Factor: 0.5, Patience: 2, Cooldown: 1, Threshold: 0.02}, []int{7, 12}},
	} {
		newNet := func() *Network {
			n, err := NewMLP("1-12-12-1:tanh", MLPOptions{BatchNorm: true, Dropout: 0.1}, Config{Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		// run trains n for epochs, or until an interruption after epoch stop if stop > 0,
		// resuming from r if not nil, and returns the history and the learning rate of every
		// epoch.
		interrupted := errors.New("interrupted")
		run := func(n *Network, epochs, stop int, r *TrainState) (*History, []float64) {
			s, plat := c.method(), c.plat
			var rates []float64
			h, err := Train(n, train, val, TrainConfig{Method: s, Epochs: epochs, BatchSize: 16, Seed: 9,
				Patience: 4, MinDelta: 1e-4, Plateau: &plat, Resume: r,
				Progress: func(e Epoch) error {
					rates = append(rates, s.Rate())
					if e.Epoch == stop {
						return interrupted
					}
					return nil
				}})
			if err != nil && (stop == 0 || err != interrupted) {
				t.Fatal(err)
			}
			return h, rates
		}
		ref := newNet()
		hr, rr := run(ref, total, 0, nil)
		if !hr.EarlyStopped || rr[len(rr)-1] >= rr[0] {
			t.Fatalf("%s: the uninterrupted run did not stop early (%d epochs) or kept its rate (%v)", c.name, len(hr.Epochs), rr)
		}
		for i, k := range c.splits {
			a, epochs, stop, how := newNet(), k, 0, "after its epochs"
			if i%2 == 1 {
				epochs, stop, how = total, k, "by an interruption"
			}
			ha, ra := run(a, epochs, stop, nil)
			m := throughFile(t, a, ha.Resume)
			st := m.Training
			if p, e := st.Plateau, st.EarlyStopping; p == nil || e == nil || p.BadEpochs+p.Cooldown == 0 || e.BestEpoch == k || st.Params == nil {
				t.Fatalf("%s, split at %d %s: plateau %+v, early stopping %+v: want counts running and the last parameters kept", c.name, k, how, p, e)
			}
			hb, rb := run(m.Network, total-k, 0, st)
			name := fmt.Sprintf("%s, split at %d %s", c.name, k, how)
			got, rates := append(ha.Epochs, hb.Epochs...), append(ra, rb...)
			if len(got) != len(hr.Epochs) || hb.EarlyStopped != hr.EarlyStopped || hb.BestEpoch != hr.BestEpoch ||
				math.Float64bits(hb.BestValLoss) != math.Float64bits(hr.BestValLoss) {
				t.Errorf("%s: %d epochs (early stop %v), best epoch %d (%v); uninterrupted %d (%v), %d (%v)", name,
					len(got), hb.EarlyStopped, hb.BestEpoch, hb.BestValLoss, len(hr.Epochs), hr.EarlyStopped, hr.BestEpoch, hr.BestValLoss)
				continue
			}
			for i, e := range hr.Epochs {
				g := got[i]
				if g.Epoch != e.Epoch || g.Steps != e.Steps || math.Float64bits(g.TrainLoss) != math.Float64bits(e.TrainLoss) ||
					math.Float64bits(g.ValLoss) != math.Float64bits(e.ValLoss) || math.Float64bits(rates[i]) != math.Float64bits(rr[i]) {
					t.Errorf("%s: epoch %d resumed as %d: losses %v, %v at rate %v; uninterrupted %v, %v at rate %v",
						name, e.Epoch, g.Epoch, g.TrainLoss, g.ValLoss, rates[i], e.TrainLoss, e.ValLoss, rr[i])
				}
			}
			if !sameBits(ref.Params(), m.Network.Params()) || !sameBits(ref.saveState(nil), m.Network.saveState(nil)) {
				t.Errorf("%s: the restored best parameters or statistics differ from the uninterrupted run's", name)
			}
			if a, b := throughFile(t, ref, hr.Resume), throughFile(t, m.Network, hb.Resume); !reflect.DeepEqual(a.Training, b.Training) {
				t.Errorf("%s: final training state %+v, uninterrupted %+v", name, b.Training, a.Training)
			}
		}
	}
}

// stoppingModel returns the model of TestResumePlateauAndPatience's SGD run after 7 epochs,
// whose training state has all the fields: a plateau state with bad epochs counted, a best
// epoch before the last and the last epoch's parameters and batch-norm statistics.
func stoppingModel(tb testing.TB) *Model {
	tb.Helper()
	n, err := NewMLP("1-12-12-1:tanh", MLPOptions{BatchNorm: true, Dropout: 0.1}, Config{Seed: 7})
	if err != nil {
		tb.Fatal(err)
	}
	h, err := Train(n, sinData(90, 0.1, 3), sinData(40, 0.1, 4), TrainConfig{Method: &optimize.SGD{Momentum: 0.9}, Epochs: 7, BatchSize: 16, Seed: 9,
		Patience: 4, MinDelta: 1e-4, Plateau: &optimize.ReduceOnPlateau{Initial: 5e-2, Factor: 0.5, Patience: 2, Cooldown: 1, Threshold: 0.02}})
	if err != nil {
		tb.Fatal(err)
	}
	if r := h.Resume; r.Plateau == nil || r.Plateau.BadEpochs == 0 || r.EarlyStopping == nil || r.EarlyStopping.BestEpoch == r.Epochs || r.Params == nil {
		tb.Fatalf("training state: plateau %+v, early stopping %+v after %d epochs, params %v: a field the tests need is missing", r.Plateau, r.EarlyStopping, r.Epochs, r.Params != nil)
	}
	return &Model{Network: n, Training: h.Resume}
}

// TestDecodeTrainingState: a model file with the plateau, early-stopping and last-parameter
// fields reads back the same bytes, a plateau best of +Inf included; each way those fields
// can be wrong is an error naming the field.
func TestDecodeTrainingState(t *testing.T) {
	m := stoppingModel(t)
	encode := func(m *Model) []byte {
		var buf bytes.Buffer
		if err := m.Encode(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	raw := encode(m)
	back, err := Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if again := encode(back); !bytes.Equal(again, raw) {
		t.Errorf("re-encoded model differs:\n%s\nwant\n%s", again, raw)
	}
	fresh := *m.Training
	fresh.Plateau = &optimize.PlateauState{Rate: 0.1, Best: math.Inf(1)}
	raw = encode(&Model{Network: m.Network, Training: &fresh})
	if !bytes.Contains(raw, []byte(`"best": "+Inf"`)) {
		t.Errorf("a plateau best of +Inf is not written as jsonnum does:\n%s", raw)
	}
	if back, err := Decode(bytes.NewReader(raw)); err != nil || !math.IsInf(back.Training.Plateau.Best, 1) {
		t.Errorf("a plateau best of +Inf reads back as %v (%v)", back, err)
	}
	for _, c := range []struct {
		name   string
		change func(s *TrainState)
		want   string
	}{
		{"plateau rate", func(s *TrainState) { s.Plateau.Rate = 0 }, "rate"},
		{"plateau best", func(s *TrainState) { s.Plateau.Best = math.NaN() }, "best"},
		{"plateau bad epochs", func(s *TrainState) { s.Plateau.BadEpochs = -1 }, "bad_epochs"},
		{"plateau cooldown", func(s *TrainState) { s.Plateau.Cooldown = -2 }, "cooldown"},
		{"best epoch 0", func(s *TrainState) { s.EarlyStopping.BestEpoch = 0 }, "best_epoch"},
		{"best epoch after the last", func(s *TrainState) { s.EarlyStopping.BestEpoch = s.Epochs + 1 }, "best_epoch"},
		{"wait beyond patience", func(s *TrainState) { s.EarlyStopping.Patience = s.Epochs - s.EarlyStopping.BestEpoch - 1 }, "beyond the patience"},
		{"negative patience", func(s *TrainState) { s.EarlyStopping.Patience = -1 }, "patience"},
		{"params without early stopping", func(s *TrainState) { s.EarlyStopping = nil }, "params"},
		{"params length", func(s *TrainState) { s.Params = s.Params[1:] }, "params"},
		{"batch-norm length", func(s *TrainState) { s.BatchNorm = append(s.BatchNorm, 1) }, "batchnorm_state"},
	} {
		s := *m.Training
		p, e := *s.Plateau, *s.EarlyStopping
		s.Plateau, s.EarlyStopping = &p, &e
		c.change(&s)
		_, err := Decode(bytes.NewReader(encode(&Model{Network: m.Network, Training: &s})))
		if !errors.Is(err, ErrModel) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrModel naming %s", c.name, err, c.want)
		}
	}
	if _, err := Decode(bytes.NewReader(bytes.Replace(encode(m), []byte(`"best_val_loss": `), []byte(`"best_val_loss": "NaN", "x": `), 1))); !errors.Is(err, ErrModel) || !strings.Contains(err.Error(), "best_val_loss") {
		t.Errorf("a best validation loss of NaN: %v", err)
	}
}

// TestLoadVersion2WithoutPatience reads a version 2 model file written before the training
// state held the plateau rule and early stopping (examples/model.json): it re-encodes to the
// same bytes, and training resumes from it with both counts afresh.
func TestLoadVersion2WithoutPatience(t *testing.T) {
	raw, err := os.ReadFile("../examples/model.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if r := m.Training; r == nil || r.Optimizer == nil || r.Plateau != nil || r.EarlyStopping != nil || r.Params != nil {
		t.Fatalf("training state %+v: want the optimiser's and none of the newer fields", r)
	}
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), raw) {
		t.Errorf("re-encoded examples/model.json differs:\n%s", buf.String())
	}
	h, err := Train(m.Network, sinData(140, 0.1, 3), sinData(20, 0.1, 4), TrainConfig{Epochs: 2, BatchSize: 64, Patience: 1,
		Plateau: &optimize.ReduceOnPlateau{Initial: 1e-3}, Resume: m.Training})
	if err != nil || h.Epochs[0].Epoch != m.Training.Epochs+1 || h.BestEpoch <= m.Training.Epochs {
		t.Errorf("resuming: %v, epochs %+v, best epoch %d", err, h.Epochs, h.BestEpoch)
	}
}

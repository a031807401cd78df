package nn

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/adjunto/adjunto/optimize"
)

// TestDivergenceNamesWhere guards divergence detection: SGD with an absurd learning rate must
// stop with ErrDiverged naming the epoch and the step, not train on NaNs.
func TestDivergenceNamesWhere(t *testing.T) {
	d := sinData(200, 0.1, 1)
	n, _ := NewMLP("1-20-1:tanh", MLPOptions{}, Config{Seed: 1})
	_, err := Train(n, d, nil, TrainConfig{Method: &optimize.SGD{LearningRate: 1e200}, Epochs: 50, BatchSize: 32})
	if !errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "epoch") || !strings.Contains(err.Error(), "step") {
		t.Fatalf("error %v, want ErrDiverged naming the epoch and step", err)
	}
}

// TestEarlyStoppingRestoresBest checks that early stopping stops after Patience epochs without
// improvement and leaves the network with the parameters of the best validation epoch.
func TestEarlyStoppingRestoresBest(t *testing.T) {
	d := sinData(300, 0.3, 2)
	tr, va, _, _ := d.Split(0.5, 0.5, 1)
	n, _ := NewMLP("1-50-1:tanh", MLPOptions{}, Config{Seed: 1})
	// A large step makes the validation loss noisy, so the patience runs out quickly.
	h, err := Train(n, tr, va, TrainConfig{Method: &optimize.Adam{LearningRate: 0.05}, Epochs: 500, BatchSize: 8, Patience: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !h.EarlyStopped || len(h.Epochs) >= 500 {
		t.Fatalf("trained %d epochs, early stopped %v: want an early stop", len(h.Epochs), h.EarlyStopped)
	}
	last := h.Epochs[len(h.Epochs)-1]
	if last.Epoch-h.BestEpoch != 5 {
		t.Errorf("stopped at epoch %d, best %d: want 5 epochs of patience", last.Epoch, h.BestEpoch)
	}
	best := math.Inf(1)
	for _, e := range h.Epochs {
		best = min(best, e.ValLoss)
	}
	if got := n.Loss(va); got != best || h.BestValLoss != best {
		t.Errorf("validation loss after training %v (history best %v), want the best epoch's %v", got, h.BestValLoss, best)
	}
}

// TestFullBatchLBFGS trains with a line-search method, one iteration per epoch.
func TestFullBatchLBFGS(t *testing.T) {
	d := sinData(200, 0.05, 3)
	n, _ := NewMLP("1-20-1:tanh", MLPOptions{}, Config{Seed: 2})
	before := n.Loss(d)
	h, err := Train(n, d, nil, TrainConfig{Method: &optimize.LBFGS{}, Epochs: 200})
	if err != nil {
		t.Fatal(err)
	}
	after := n.Loss(d)
	t.Logf("L-BFGS: loss %.4g → %.4g in %d iterations", before, after, len(h.Epochs))
	// Half the noise variance 0.05² is CourseMSE at a perfect fit; 2× that leaves room.
	if after > 0.05*0.05 {
		t.Errorf("loss after L-BFGS %v, want below %v", after, 0.05*0.05)
	}
}

// TestClassification trains a small classifier with cross-entropy on two separable blobs and
// checks the accuracy, and that BCE on the same task works through the sigmoid head.
func TestClassification(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	const N = 200
	x := make([]float64, 2*N)
	labels := make([]int, N)
	for i := range N {
		labels[i] = i % 2
		c := float64(2*labels[i] - 1)
		x[2*i], x[2*i+1] = c+0.5*rng.NormFloat64(), -c+0.5*rng.NormFloat64()
	}
	ce, _ := NewDataset(x, OneHot(labels, 2), N, 2, 2)
	n, _ := NewMLP("2-8-2:relu", MLPOptions{}, Config{Loss: CrossEntropy, Seed: 1})
	if _, err := Train(n, ce, nil, TrainConfig{Method: &optimize.Adam{LearningRate: 0.02}, Epochs: 30, BatchSize: 16}); err != nil {
		t.Fatal(err)
	}
	if a := n.Accuracy(ce); a < 0.95 {
		t.Errorf("cross-entropy accuracy %v, want ≥ 0.95", a)
	}
	p := make([]float64, 2*N)
	n.Predict(p, ce)
	if s := p[0] + p[1]; math.Abs(s-1) > 1e-15 {
		t.Errorf("softmax head row sums to %v", s)
	}
	y := make([]float64, N)
	for i, l := range labels {
		y[i] = float64(l)
	}
	bce, _ := NewDataset(x, y, N, 2, 1)
	n, _ = NewMLP("2-8-1:tanh", MLPOptions{}, Config{Loss: BCEWithLogits, Seed: 1})
	if _, err := Train(n, bce, nil, TrainConfig{Method: &optimize.Adam{LearningRate: 0.02}, Epochs: 30, BatchSize: 16}); err != nil {
		t.Fatal(err)
	}
	if a := n.Accuracy(bce); a < 0.95 {
		t.Errorf("BCE accuracy %v, want ≥ 0.95", a)
	}
}

// TestDropout checks inverted dropout: in training about a fraction p of units is zeroed and
// the others scaled by 1/(1−p), with a new mask at every replay; in evaluation it is the
// identity; MC dropout gives a positive spread, reproducible from its seed, and none without
// dropout layers.
func TestDropout(t *testing.T) {
	n, _ := New([]Layer{Dense(1, 1000), Dropout(0.25)}, Config{Seed: 1})
	w, b := n.LayerParams(0)
	for i := range w {
		w[i], b[i] = 1, 0
	}
	d, _ := NewDataset([]float64{1}, make([]float64, 1000), 1, 1, 1000)
	p := n.program(1, modeTrain)
	p.load(d, nil)
	var masks [2][]float64
	for r := range 2 {
		p.tape.Forward()
		zeros := 0
		for _, v := range p.z.Data {
			switch v {
			case 0:
				zeros++
			case 1 / 0.75:
			default:
				t.Fatalf("dropout output %v, want 0 or 1/(1−p)", v)
			}
		}
		// 1000 Bernoulli(0.25) draws: standard deviation 13.7, so ±60 is over 4σ.
		if zeros < 190 || zeros > 310 {
			t.Errorf("replay %d: %d of 1000 units dropped, want about 250", r, zeros)
		}
		masks[r] = append([]float64(nil), p.z.Data...)
	}
	same := 0
	for i := range masks[0] {
		if masks[0][i] == masks[1][i] {
			same++
		}
	}
	if same == len(masks[0]) {
		t.Error("two replays drew the same mask")
	}
	out := make([]float64, 1000)
	n.Predict(out, d)
	for _, v := range out {
		if v != 1 {
			t.Fatalf("evaluation output %v, want the identity", v)
		}
	}
	m1, s1 := make([]float64, 1000), make([]float64, 1000)
	m2, s2 := make([]float64, 1000), make([]float64, 1000)
	n.PredictMC(m1, s1, d, 50, 7)
	n.PredictMC(m2, s2, d, 50, 7)
	for i := range m1 {
		if m1[i] != m2[i] || s1[i] != s2[i] {
			t.Fatal("MC dropout with the same seed differs")
		}
	}
	// Each unit's T = 50 outputs are 0 or 4/3 with P(0) = 1/4: mean 1, std 1/√3 ≈ 0.577.
	avg := 0.0
	for _, s := range s1 {
		avg += s / 1000
	}
	if math.Abs(avg-1/math.Sqrt(3)) > 0.05 {
		t.Errorf("mean MC standard deviation %v, want about %v", avg, 1/math.Sqrt(3))
	}
	plain, _ := NewMLP("1-5-1:tanh", MLPOptions{}, Config{})
	d1, _ := NewDataset([]float64{0.3}, []float64{0}, 1, 1, 1)
	mm, ss := make([]float64, 1), make([]float64, 1)
	plain.PredictMC(mm, ss, d1, 5, 1)
	if ss[0] != 0 {
		t.Errorf("MC std without dropout %v, want 0", ss[0])
	}
}

// TestBatchNormRunningStats checks that training updates the running statistics towards the
// batch ones and that evaluation uses them.
func TestBatchNormRunningStats(t *testing.T) {
	n, _ := New([]Layer{Dense(1, 1), BatchNorm()}, Config{Seed: 1})
	w, _ := n.LayerParams(0)
	w[0] = 1
	x := []float64{1, 2, 3, 4}
	d, _ := NewDataset(x, make([]float64, 4), 4, 1, 1)
	p := n.program(4, modeTrain)
	p.load(d, nil)
	for range 200 {
		p.tape.Forward()
	}
	mean, vr := n.RunningStats(1)
	// Batch mean 2.5, unbiased variance 5/3; after 200 updates with momentum 0.1 the running
	// values agree to (0.9)^200 ≈ 7e-10.
	if math.Abs(mean[0]-2.5) > 1e-8 || math.Abs(vr[0]-5.0/3) > 1e-8 {
		t.Errorf("running statistics %v, %v, want 2.5, 5/3", mean[0], vr[0])
	}
	out := make([]float64, 4)
	n.Predict(out, d)
	if want := (4 - 2.5) / math.Sqrt(5.0/3+1e-5); math.Abs(out[3]-want) > 1e-7 {
		t.Errorf("evaluation output %v, want %v", out[3], want)
	}
}

// TestTrainStepAllocatesNothing guards the zero-allocation training step on one thread, the
// setting of the benchmarks (on more threads gonum's parallel Gemm allocates its workers).
func TestTrainStepAllocatesNothing(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	rng := rand.New(rand.NewPCG(1, 1))
	const N, in = 256, 100
	labels := make([]int, N)
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	d, _ := NewDataset(randomBatch(rng, N, in), OneHot(labels, 10), N, in, 10)
	n, _ := NewMLP("100-130-70-10:relu", MLPOptions{BatchNorm: true, Dropout: 0.1}, Config{Loss: CrossEntropy, Penalty: Penalty{Lambda: 1e-4}})
	opt := &optimize.Adam{}
	b := NewBatches(N, 128, true, true, 1)
	b.Reset()
	idx := b.Next()
	if _, err := n.TrainStep(opt, d, idx); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := n.TrainStep(opt, d, idx); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per training step, want 0", allocs)
	}
}

// TestSameSeedSameResult guards reproducibility: two trainings from the same seeds give
// bit-identical parameters.
func TestSameSeedSameResult(t *testing.T) {
	d := sinData(100, 0.1, 5)
	var params [2][]float64
	for i := range params {
		n, _ := NewMLP("1-10-1:tanh", MLPOptions{Dropout: 0.2}, Config{Seed: 3})
		if _, err := Train(n, d, nil, TrainConfig{Method: &optimize.Adam{}, Epochs: 5, BatchSize: 16, Seed: 4}); err != nil {
			t.Fatal(err)
		}
		params[i] = n.Params()
	}
	for i := range params[0] {
		if params[0][i] != params[1][i] {
			t.Fatalf("parameter %d: %v and %v from the same seeds", i, params[0][i], params[1][i])
		}
	}
}

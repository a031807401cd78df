package optimize

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
)

var stepperNames = []string{"SGD", "Momentum", "NesterovL2", "AdagradL2", "RMSprop", "RMSpropCenteredMomentum",
	"Adadelta", "Adam", "AMSGradL2", "AdamW"}

// allSteppers returns one Stepper of each kind and option, named by stepperNames.
func allSteppers() []Stepper {
	return []Stepper{
		&SGD{}, &SGD{Momentum: 0.9}, &SGD{Momentum: 0.9, Nesterov: true, WeightDecay: 1e-2},
		&Adagrad{WeightDecay: 1e-2}, &RMSprop{}, &RMSprop{Momentum: 0.5, Centered: true},
		&Adadelta{}, &Adam{}, &Adam{AMSGrad: true, WeightDecay: 1e-2}, &AdamW{WeightDecay: 1e-2},
	}
}

func randomVec(rnd *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rnd.NormFloat64()
	}
	return v
}

// TestStepNoAllocation guards the mini-batch contract: Step allocates nothing.
func TestStepNoAllocation(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 1))
	x, g := randomVec(rnd, 1000), randomVec(rnd, 1000)
	for _, s := range allSteppers() {
		if err := s.Init(len(x)); err != nil {
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(20, func() { _ = s.Step(x, g) }); a != 0 {
			t.Errorf("%T: %v allocations per Step", s, a)
		}
	}
}

// TestResetRepeats: after Reset, the same gradients from the same start give
// bit-identical iterates; lazy Init on the first Step equals an explicit one.
func TestResetRepeats(t *testing.T) {
	rnd := rand.New(rand.NewPCG(2, 2))
	x0 := randomVec(rnd, 20)
	grads := [][]float64{randomVec(rnd, 20), randomVec(rnd, 20), randomVec(rnd, 20)}
	for _, s := range allSteppers() {
		run := func() []float64 {
			x := append([]float64(nil), x0...)
			for _, g := range grads {
				if err := s.Step(x, g); err != nil {
					t.Fatal(err)
				}
			}
			return x
		}
		first := run() // lazy Init
		s.Reset()
		second := run()
		if err := s.Init(20); err != nil {
			t.Fatal(err)
		}
		third := run()
		if !floats.Equal(first, second) || !floats.Equal(first, third) {
			t.Errorf("%T: runs differ after Reset or Init:\n%v\n%v\n%v", s, first, second, third)
		}
	}
}

// TestSetRate: SetRate changes the step, Rate reports it, Init restores the
// configured rate, and a zero rate (the end of a cosine schedule) freezes x
// for methods without decoupled decay.
func TestSetRate(t *testing.T) {
	s := &SGD{LearningRate: 0.1}
	x, g := []float64{1}, []float64{2}
	if err := s.Init(1); err != nil || s.Rate() != 0.1 {
		t.Fatalf("Rate %v, err %v", s.Rate(), err)
	}
	s.SetRate(0.25)
	_ = s.Step(x, g)
	if x[0] != 0.5 || s.Rate() != 0.25 {
		t.Errorf("after SetRate(0.25): x = %v, Rate %v", x[0], s.Rate())
	}
	s.SetRate(0)
	_ = s.Step(x, g)
	if x[0] != 0.5 {
		t.Errorf("zero rate moved x to %v", x[0])
	}
	_ = s.Init(1)
	if s.Rate() != 0.1 {
		t.Errorf("Init did not restore the configured rate: %v", s.Rate())
	}
	defer func() {
		if recover() == nil {
			t.Error("SetRate(-1) did not panic")
		}
	}()
	s.SetRate(-1)
}

// TestAdamWCourseForm checks AdamW against the course's form
// w ← w - η d - ηλw, where η d is the step plain Adam takes from the same
// gradients (its moments do not depend on w). The two differ only in the
// order of the floating-point operations: 1e-14 relative.
func TestAdamWCourseForm(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 3))
	const lr, wd = 1e-2, 0.1
	w := randomVec(rnd, 50)
	aw := &AdamW{LearningRate: lr, WeightDecay: wd}
	ad := &Adam{LearningRate: lr}
	for k := range 5 {
		g := randomVec(rnd, 50)
		adam := append([]float64(nil), w...)
		_ = ad.Step(adam, g) // adam = w - η d
		course := make([]float64, len(w))
		for i := range w {
			course[i] = adam[i] - lr*wd*w[i]
		}
		_ = aw.Step(w, g)
		if !floats.EqualApprox(w, course, 1e-14) {
			t.Fatalf("step %d: AdamW %v, course form %v", k+1, w[:3], course[:3])
		}
	}
}

// TestL2AgainstDecoupled: for SGD, L2 weight decay is the course's decay
// (w ← w - η∇J - ηλw), bit for bit; for Adam it is not, which is why AdamW
// exists: the two must differ.
func TestL2AgainstDecoupled(t *testing.T) {
	rnd := rand.New(rand.NewPCG(4, 4))
	const lr, wd = 1e-2, 0.1
	w0, g := randomVec(rnd, 10), randomVec(rnd, 10)
	w := append([]float64(nil), w0...)
	_ = (&SGD{LearningRate: lr, WeightDecay: wd}).Step(w, g)
	for i := range w {
		if want := w0[i] - lr*(g[i]+wd*w0[i]); w[i] != want {
			t.Errorf("SGD with weight decay: w[%d] = %v, want %v", i, w[i], want)
		}
	}
	l2 := append([]float64(nil), w0...)
	dec := append([]float64(nil), w0...)
	_ = (&Adam{LearningRate: lr, WeightDecay: wd}).Step(l2, g)
	_ = (&AdamW{LearningRate: lr, WeightDecay: wd}).Step(dec, g)
	if floats.EqualApprox(l2, dec, 1e-6) {
		t.Errorf("Adam with L2 and AdamW agree: %v", l2[:3])
	}
}

// TestSchedules checks each schedule against values worked out by hand.
func TestSchedules(t *testing.T) {
	for _, tc := range []struct {
		s    Schedule
		t    []int
		want []float64
	}{
		{StepDecay{Initial: 1, Every: 3}, []int{0, 2, 3, 5, 6, 9}, []float64{1, 1, 0.1, 0.1, 0.01, 0.001}},
		{StepDecay{Initial: 2, Every: 1, Gamma: 0.5}, []int{0, 1, 4}, []float64{2, 1, 0.125}},
		{ExponentialDecay{Initial: 1, Gamma: 0.9}, []int{0, 1, 2, 10}, []float64{1, 0.9, 0.81, math.Pow(0.9, 10)}},
		{CosineDecay{Initial: 1, Min: 0.1, Period: 4}, []int{0, 1, 2, 3, 4, 9}, []float64{1, 0.1 + 0.9*(1+math.Sqrt2/2)/2, 0.55, 0.1 + 0.9*(1-math.Sqrt2/2)/2, 0.1, 0.1}},
	} {
		if err := tc.s.Validate(); err != nil {
			t.Fatal(err)
		}
		for i, k := range tc.t {
			// Products and cosines of exact inputs: a few ulps.
			if got := tc.s.Rate(k); math.Abs(got-tc.want[i]) > 1e-15*tc.want[i] {
				t.Errorf("%T%+v: Rate(%d) = %v, want %v", tc.s, tc.s, k, got, tc.want[i])
			}
		}
	}
	for _, bad := range []Schedule{StepDecay{Initial: 1}, StepDecay{Every: 1}, ExponentialDecay{Initial: 1, Gamma: 1.5},
		CosineDecay{Initial: 1, Min: 2, Period: 1}, CosineDecay{Initial: 1}} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%T%+v: no error", bad, bad)
		}
	}
}

// TestReduceOnPlateau follows PyTorch's ReduceLROnPlateau by hand: patience
// 2, factor 0.5, cooldown 1.
func TestReduceOnPlateau(t *testing.T) {
	p := &ReduceOnPlateau{Initial: 1, Factor: 0.5, Patience: 2, Cooldown: 1}
	losses := []float64{10, 9, 9, 9, 9, 9, 9, 9, 8, 8}
	// epoch:            1   2  3  4  5    6    7    8    9    10
	// bad epochs:       0   0  1  2  3→cut; cooldown 1 skips counting at 6;
	// 7: 1, 8: 2, 9: improvement, 10: 1.
	want := []float64{1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5}
	for i, l := range losses {
		if got := p.Observe(l); got != want[i] {
			t.Errorf("epoch %d: rate %v, want %v", i+1, got, want[i])
		}
	}
	q := &ReduceOnPlateau{Initial: 1, Patience: -1, MinRate: 0.05}
	for range 5 {
		q.Observe(1)
	}
	if q.Rate() != 0.05 {
		t.Errorf("MinRate: rate %v, want 0.05", q.Rate())
	}
}

// TestReduceOnPlateauResumes: k observations, State through JSON, a fresh rule
// with SetState and the remaining observations give the rates of one
// uninterrupted rule, for every k (among them states with bad epochs counted,
// a cooldown running and, at k = 0, a best of +Inf).
func TestReduceOnPlateauResumes(t *testing.T) {
	rule := func() *ReduceOnPlateau {
		return &ReduceOnPlateau{Initial: 1, Factor: 0.5, Patience: 1, Cooldown: 2, MinRate: 0.2}
	}
	losses := []float64{10, 9, 9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 7}
	ref := rule()
	want := make([]float64, len(losses))
	for i, l := range losses {
		want[i] = ref.Observe(l)
	}
	seen := map[[2]bool]bool{}
	for k := range losses {
		a := rule()
		for _, l := range losses[:k] {
			a.Observe(l)
		}
		st := a.State()
		seen[[2]bool{st.BadEpochs > 0, st.Cooldown > 0}] = true
		b, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		var back PlateauState
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("k = %d: %s: %v", k, b, err)
		}
		c := rule()
		if err := c.SetState(back); err != nil {
			t.Fatalf("k = %d: %v", k, err)
		}
		if c.Rate() != a.Rate() {
			t.Errorf("k = %d: restored rate %v, want %v", k, c.Rate(), a.Rate())
		}
		for i := k; i < len(losses); i++ {
			if got := c.Observe(losses[i]); math.Float64bits(got) != math.Float64bits(want[i]) {
				t.Errorf("k = %d, observation %d: resumed rate %v, uninterrupted %v (state %s)", k, i+1, got, want[i], b)
			}
		}
	}
	if !seen[[2]bool{true, false}] || !seen[[2]bool{false, true}] {
		t.Errorf("the splits reached states %v: want bad epochs counted and a cooldown running", seen)
	}
	if b, _ := json.Marshal(rule().State()); string(b) != `{"rate":1,"best":"+Inf","bad_epochs":0,"cooldown":0}` {
		t.Errorf("state before the first observation: %s", b)
	}
	for _, c := range []struct {
		s    PlateauState
		want string
	}{
		{PlateauState{Rate: 0, Best: 1}, "rate"},
		{PlateauState{Rate: math.Inf(1), Best: 1}, "rate"},
		{PlateauState{Rate: 1, Best: math.NaN()}, "best"},
		{PlateauState{Rate: 1, Best: math.Inf(-1)}, "best"},
		{PlateauState{Rate: 1, Best: 1, BadEpochs: -1}, "bad_epochs"},
		{PlateauState{Rate: 1, Best: 1, Cooldown: -1}, "cooldown"},
	} {
		if err := rule().SetState(c.s); !errors.Is(err, ErrSetting) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SetState(%+v): %v, want an error naming %s", c.s, err, c.want)
		}
	}
	if err := (&ReduceOnPlateau{}).SetState(rule().State()); !errors.Is(err, ErrSetting) {
		t.Errorf("SetState on a rule without an initial rate: %v", err)
	}
}

// TestClipNorm checks the PyTorch rule g ← g·max/(‖g‖+1e-6) above the bound
// and no change below it.
func TestClipNorm(t *testing.T) {
	g := []float64{3, 4}
	if n := ClipNorm(g, 1); n != 5 || !floats.EqualApprox(g, []float64{3 / (5 + 1e-6), 4 / (5 + 1e-6)}, 1e-15) {
		t.Errorf("norm %v, g %v", n, g)
	}
	h := []float64{0.3, 0.4}
	if n := ClipNorm(h, 1); n != 0.5 || h[0] != 0.3 || h[1] != 0.4 {
		t.Errorf("norm %v, h %v: clipped below the bound", n, h)
	}
	nan := []float64{math.NaN(), 1}
	if n := ClipNorm(nan, 1); !math.IsNaN(n) || nan[1] != 1 {
		t.Errorf("NaN gradient: norm %v, g %v", n, nan)
	}
}

// TestMiniBatchTraining is the use the nn package makes of a Stepper: a
// least-squares fit by mini-batches with Adam, a cosine schedule and
// clipping. The data are exactly linear, so the fit must reach the true
// weights; 1e-3 is what 40 epochs of Adam at the final small rates reach.
func TestMiniBatchTraining(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 5))
	const n, dim, batch, epochs = 256, 4, 32, 40
	wTrue := []float64{1, -2, 0.5, 3}
	xs := make([][]float64, n)
	ys := make([]float64, n)
	for i := range xs {
		xs[i] = randomVec(rnd, dim)
		ys[i] = floats.Dot(xs[i], wTrue)
	}
	s, err := NewStepper("adam", 0.1)
	if err != nil {
		t.Fatal(err)
	}
	sched := CosineDecay{Initial: 0.1, Min: 1e-3, Period: epochs}
	w := make([]float64, dim)
	g := make([]float64, dim)
	for e := range epochs {
		s.SetRate(sched.Rate(e))
		for b := 0; b < n; b += batch {
			clear(g)
			for i := b; i < b+batch; i++ {
				r := floats.Dot(xs[i], w) - ys[i]
				floats.AddScaled(g, r/batch, xs[i])
			}
			ClipNorm(g, 10)
			if err := s.Step(w, g); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !floats.EqualApprox(w, wTrue, 1e-3) {
		t.Errorf("weights %v, want %v", w, wTrue)
	}
}

// BenchmarkStep times one step of each method on 10⁶ parameters. SetBytes
// counts one vector (8 MB), so MB/s divided by the passes over memory a method
// makes (x, g and its state vectors, read and written) shows how close it is
// to memory bandwidth.
func BenchmarkStep(b *testing.B) {
	const n = 1_000_000
	rnd := rand.New(rand.NewPCG(6, 6))
	x, g := randomVec(rnd, n), randomVec(rnd, n)
	for i, s := range allSteppers() {
		b.Run(stepperNames[i], func(b *testing.B) {
			if err := s.Init(n); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(8 * n)
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Step(x, g); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

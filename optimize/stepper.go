package optimize

import (
	"fmt"
	"math"

	"github.com/adjunto/adjunto/internal/vmath"
)

var (
	_ Resumable = (*SGD)(nil)
	_ Resumable = (*Adagrad)(nil)
	_ Resumable = (*RMSprop)(nil)
	_ Resumable = (*Adadelta)(nil)
	_ Resumable = (*Adam)(nil)
	_ Resumable = (*AdamW)(nil)
)

// PyTorch's default hyperparameters (torch.optim, version 1.13).
const (
	defaultSGDRate      = 1e-3
	defaultAdagradRate  = 1e-2
	defaultAdagradEps   = 1e-10
	defaultRMSpropRate  = 1e-2
	defaultRMSpropAlpha = 0.99
	defaultRMSpropEps   = 1e-8
	defaultAdadeltaRate = 1.0
	defaultAdadeltaRho  = 0.9
	defaultAdadeltaEps  = 1e-6
	defaultAdamRate     = 1e-3
	defaultAdamBeta1    = 0.9
	defaultAdamBeta2    = 0.999
	defaultAdamEps      = 1e-8
	defaultAdamWDecay   = 1e-2
)

// orDefault returns v, or def if v is zero.
func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// checkRate, checkUnit, checkNonNeg return an ErrSetting error naming the
// method and field when a value is outside its domain.
func checkRate(method string, lr float64) error {
	if !(lr > 0) || math.IsInf(lr, 1) {
		return fmt.Errorf("%w: %s: learning rate %v, want a finite value > 0", ErrSetting, method, lr)
	}
	return nil
}

func checkUnit(method, field string, v float64) error {
	if !(v >= 0 && v < 1) {
		return fmt.Errorf("%w: %s: %s = %v, want a value in [0, 1)", ErrSetting, method, field, v)
	}
	return nil
}

func checkNonNeg(method, field string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 1) {
		return fmt.Errorf("%w: %s: %s = %v, want a finite value ≥ 0", ErrSetting, method, field, v)
	}
	return nil
}

func checkPositive(method, field string, v float64) error {
	if !(v > 0) || math.IsInf(v, 1) {
		return fmt.Errorf("%w: %s: %s = %v, want a finite value > 0", ErrSetting, method, field, v)
	}
	return nil
}

// stepLengths checks the lengths of x and grad against n, set by Init.
func stepLengths(method string, n int, x, grad []float64) error {
	if len(x) != n || len(grad) != n {
		return fmt.Errorf("%w: %s.Step: len(x) = %d, len(grad) = %d, want %d (from Init)",
			ErrLength, method, len(x), len(grad), n)
	}
	return nil
}

// base holds what every Stepper of this package keeps: the dimension from
// Init and the live learning rate, which SetRate changes without touching the
// configured LearningRate field. A new Init starts from that field again,
// unless SetRate was called and no step has been taken since (set): a rate
// set before the first step is a setting, not state.
type base struct {
	name string
	n    int
	init bool
	lr   float64
	set  bool
}

// start validates the configured rate (zero meaning def). The Stepper is
// not ready until ready is called, after all its settings are checked.
func (b *base) start(name string, lr, def float64) error {
	b.name, b.init = name, false
	return checkRate(name, orDefault(lr, def))
}

// ready records n and the live rate.
func (b *base) ready(n int, lr, def float64) {
	b.n, b.init = n, true
	if !b.set {
		b.lr = orDefault(lr, def)
	}
}

// lazyInit is the start of every Step: Init(len(x)) if it has not been
// called, then the length checks.
func (b *base) lazyInit(m Method, x, grad []float64) error {
	if !b.init {
		if err := m.Init(len(x)); err != nil {
			return err
		}
	}
	b.set = false
	return stepLengths(b.name, b.n, x, grad)
}

// Rate returns the learning rate η of the next step.
func (b *base) Rate() float64 { return b.lr }

// SetRate sets the learning rate η of the next steps. It panics if lr is
// negative or NaN; zero is allowed (a schedule may reach it).
func (b *base) SetRate(lr float64) {
	if lr < 0 || math.IsNaN(lr) || math.IsInf(lr, 1) {
		panic(fmt.Sprintf("optimize: %s.SetRate: learning rate %v, want a finite value ≥ 0", b.name, lr))
	}
	b.lr, b.set = lr, true
}

// state returns the state of a Stepper with step count steps and the named
// vectors (nil ones, unused by the settings, are left out).
func (b *base) state(steps int, vs map[string][]float64) StepperState {
	st := StepperState{Method: b.name, Rate: b.lr, Steps: steps}
	for k, v := range vs {
		if v == nil {
			continue
		}
		if st.Vectors == nil {
			st.Vectors = make(map[string][]float64)
		}
		st.Vectors[k] = append([]float64(nil), v...)
	}
	return st
}

// setState copies st into the live rate, *steps and the named vectors,
// which Init has allocated, after checking all of them.
func (b *base) setState(st StepperState, steps *int, vs map[string][]float64) error {
	if !b.init {
		return fmt.Errorf("%w: %s.SetState before Init", ErrSetting, st.Method)
	}
	if st.Method != b.name {
		return fmt.Errorf("%w: %s.SetState: the state is of %q", ErrSetting, b.name, st.Method)
	}
	if !(st.Rate >= 0) || math.IsInf(st.Rate, 1) || st.Steps < 0 {
		return fmt.Errorf("%w: %s.SetState: rate %v, %d steps", ErrSetting, b.name, st.Rate, st.Steps)
	}
	for k, v := range vs {
		if v == nil {
			continue
		}
		if src, ok := st.Vectors[k]; !ok || len(src) != len(v) {
			return fmt.Errorf("%w: %s.SetState: vector %q of length %d, want %d", ErrLength, b.name, k, len(src), len(v))
		}
	}
	for k, v := range vs {
		copy(v, st.Vectors[k])
	}
	b.lr, b.set = st.Rate, false
	if steps != nil {
		*steps = st.Steps
	}
	return nil
}

func resize(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// SGD is stochastic gradient descent with optional momentum, Nesterov
// momentum and L2 weight decay, as torch.optim.SGD computes it:
//
//	g ← ∇J + λ w
//	b ← g (first step), b ← μ b + (1-τ) g (later steps)
//	g ← g + μ b (Nesterov) or g ← b (momentum), when μ ≠ 0
//	w ← w - η g
//
// Full-batch SGD without momentum is gradient descent with a fixed step η.
// Sutskever et al. (2013) relate the Nesterov form to Nesterov (1983).
type SGD struct {
	// LearningRate η. Zero means 1e-3.
	LearningRate float64
	// Momentum μ ≥ 0. Zero (the default) means plain SGD.
	Momentum float64
	// Dampening τ in [0, 1) of the gradient in the momentum buffer. Default 0.
	Dampening float64
	// Nesterov selects Nesterov momentum; it needs Momentum > 0 and Dampening 0.
	Nesterov bool
	// WeightDecay λ ≥ 0 of the L2 term added to the gradient. Default 0.
	WeightDecay float64

	base
	steps int
	buf   []float64
}

// Init checks the settings and allocates the momentum buffer.
func (o *SGD) Init(n int) error {
	if err := o.start("SGD", o.LearningRate, defaultSGDRate); err != nil {
		return err
	}
	if err := checkNonNeg("SGD", "Momentum", o.Momentum); err != nil {
		return err
	}
	if err := checkUnit("SGD", "Dampening", o.Dampening); err != nil {
		return err
	}
	if err := checkNonNeg("SGD", "WeightDecay", o.WeightDecay); err != nil {
		return err
	}
	if o.Nesterov && (o.Momentum == 0 || o.Dampening != 0) {
		return fmt.Errorf("%w: SGD: Nesterov momentum needs Momentum > 0 and Dampening = 0 (have %v, %v)",
			ErrSetting, o.Momentum, o.Dampening)
	}
	if o.Momentum != 0 {
		o.buf = resize(o.buf, n)
	}
	o.steps = 0
	o.ready(n, o.LearningRate, defaultSGDRate)
	return nil
}

// Reset clears the momentum buffer.
func (o *SGD) Reset() { clear(o.buf); o.steps = 0 }

// Step makes one SGD step.
func (o *SGD) Step(x, grad []float64) error {
	if err := o.lazyInit(o, x, grad); err != nil {
		return err
	}
	lr, wd, mu := o.lr, o.WeightDecay, o.Momentum
	x = x[:len(grad)]
	switch {
	case mu == 0:
		for i, g := range grad {
			x[i] -= lr * (g + wd*x[i])
		}
	case o.steps == 0:
		buf := o.buf[:len(grad)]
		for i, g := range grad {
			d := g + wd*x[i]
			buf[i] = d
			if o.Nesterov {
				d += mu * d
			}
			x[i] -= lr * d
		}
	default:
		buf := o.buf[:len(grad)]
		damp := 1 - o.Dampening
		for i, g := range grad {
			d := g + wd*x[i]
			b := mu*buf[i] + damp*d
			buf[i] = b
			if o.Nesterov {
				d += mu * b
			} else {
				d = b
			}
			x[i] -= lr * d
		}
	}
	o.steps++
	return nil
}

// Adagrad is the adaptive-gradient method of Duchi, Hazan and Singer (2011),
// as torch.optim.Adagrad computes it:
//
//	g ← ∇J + λ w
//	s ← s + g²                          (s starts at InitialAccumulator)
//	w ← w - η_t g / (√s + ε),  η_t = η / (1 + (t-1) LRDecay)
type Adagrad struct {
	// LearningRate η. Zero means 1e-2.
	LearningRate float64
	// LRDecay ≥ 0 of the step size with the step count t. Default 0.
	LRDecay float64
	// InitialAccumulator ≥ 0 is the starting value of s. Default 0.
	InitialAccumulator float64
	// Eps ε > 0 guards the division. Zero means 1e-10.
	Eps float64
	// WeightDecay λ ≥ 0 of the L2 term added to the gradient. Default 0.
	WeightDecay float64

	base
	steps int
	sum   []float64
}

// Init checks the settings and allocates the accumulator.
func (o *Adagrad) Init(n int) error {
	if err := o.start("Adagrad", o.LearningRate, defaultAdagradRate); err != nil {
		return err
	}
	for _, c := range []struct {
		f string
		v float64
	}{{"LRDecay", o.LRDecay}, {"InitialAccumulator", o.InitialAccumulator}, {"WeightDecay", o.WeightDecay}} {
		if err := checkNonNeg("Adagrad", c.f, c.v); err != nil {
			return err
		}
	}
	if err := checkPositive("Adagrad", "Eps", orDefault(o.Eps, defaultAdagradEps)); err != nil {
		return err
	}
	o.sum = resize(o.sum, n)
	o.ready(n, o.LearningRate, defaultAdagradRate)
	o.Reset()
	return nil
}

// Reset sets the accumulator back to InitialAccumulator.
func (o *Adagrad) Reset() {
	for i := range o.sum {
		o.sum[i] = o.InitialAccumulator
	}
	o.steps = 0
}

// Step makes one Adagrad step.
func (o *Adagrad) Step(x, grad []float64) error {
	if err := o.lazyInit(o, x, grad); err != nil {
		return err
	}
	o.steps++
	clr := o.lr / (1 + float64(o.steps-1)*o.LRDecay)
	eps, wd := orDefault(o.Eps, defaultAdagradEps), o.WeightDecay
	x = x[:len(grad)]
	sum := o.sum[:len(grad)]
	for i, g := range grad {
		g += wd * x[i]
		s := sum[i] + g*g
		sum[i] = s
		x[i] -= clr * g / (math.Sqrt(s) + eps)
	}
	return nil
}

// RMSprop divides the gradient by a running root mean square of it (Hinton,
// Srivastava and Swersky, lecture 6e of "Neural networks for machine
// learning", 2012), as torch.optim.RMSprop computes it:
//
//	g ← ∇J + λ w
//	v ← α v + (1-α) g²
//	a ← α a + (1-α) g,  d ← √(v - a²) + ε   (Centered)   or   d ← √v + ε
//	b ← μ b + g/d, w ← w - η b   (Momentum μ > 0)   or   w ← w - η g/d
type RMSprop struct {
	// LearningRate η. Zero means 1e-2.
	LearningRate float64
	// Alpha α in [0, 1) is the decay of the running averages. Zero means
	// 0.99 (use 1e-300 for α = 0: it gives the same numbers).
	Alpha float64
	// Eps ε > 0 guards the division. Zero means 1e-8.
	Eps float64
	// Momentum μ ≥ 0. Default 0.
	Momentum float64
	// Centered divides by an estimate of the variance of g instead of its
	// second moment.
	Centered bool
	// WeightDecay λ ≥ 0 of the L2 term added to the gradient. Default 0.
	WeightDecay float64

	base
	sq, avg, buf []float64
}

// Init checks the settings and allocates the averages.
func (o *RMSprop) Init(n int) error {
	if err := o.start("RMSprop", o.LearningRate, defaultRMSpropRate); err != nil {
		return err
	}
	if err := checkUnit("RMSprop", "Alpha", orDefault(o.Alpha, defaultRMSpropAlpha)); err != nil {
		return err
	}
	if err := checkPositive("RMSprop", "Eps", orDefault(o.Eps, defaultRMSpropEps)); err != nil {
		return err
	}
	if err := checkNonNeg("RMSprop", "Momentum", o.Momentum); err != nil {
		return err
	}
	if err := checkNonNeg("RMSprop", "WeightDecay", o.WeightDecay); err != nil {
		return err
	}
	o.sq = resize(o.sq, n)
	if o.Centered {
		o.avg = resize(o.avg, n)
	}
	if o.Momentum > 0 {
		o.buf = resize(o.buf, n)
	}
	o.ready(n, o.LearningRate, defaultRMSpropRate)
	return nil
}

// Reset clears the running averages and the momentum buffer.
func (o *RMSprop) Reset() { clear(o.sq); clear(o.avg); clear(o.buf) }

// Step makes one RMSprop step.
func (o *RMSprop) Step(x, grad []float64) error {
	if err := o.lazyInit(o, x, grad); err != nil {
		return err
	}
	alpha := orDefault(o.Alpha, defaultRMSpropAlpha)
	eps, wd, mu, lr := orDefault(o.Eps, defaultRMSpropEps), o.WeightDecay, o.Momentum, o.lr
	x = x[:len(grad)]
	sq := o.sq[:len(grad)]
	for i, g := range grad {
		g += wd * x[i]
		v := alpha*sq[i] + (1-alpha)*g*g
		sq[i] = v
		if o.Centered {
			a := alpha*o.avg[i] + (1-alpha)*g
			o.avg[i] = a
			v -= a * a
		}
		d := math.Sqrt(v) + eps
		if mu > 0 {
			b := mu*o.buf[i] + g/d
			o.buf[i] = b
			x[i] -= lr * b
		} else {
			x[i] -= lr * g / d
		}
	}
	return nil
}

// Adadelta is the method of Zeiler (2012), as torch.optim.Adadelta computes
// it, with its learning rate η (1 in Zeiler's paper):
//
//	g ← ∇J + λ w
//	v ← ρ v + (1-ρ) g²
//	d ← √(u + ε) / √(v + ε) · g
//	u ← ρ u + (1-ρ) d²
//	w ← w - η d
type Adadelta struct {
	// LearningRate η. Zero means 1.
	LearningRate float64
	// Rho ρ in [0, 1) is the decay of the running averages. Zero means 0.9
	// (use 1e-300 for ρ = 0).
	Rho float64
	// Eps ε > 0. Zero means 1e-6.
	Eps float64
	// WeightDecay λ ≥ 0 of the L2 term added to the gradient. Default 0.
	WeightDecay float64

	base
	sq, acc []float64
}

// Init checks the settings and allocates the averages.
func (o *Adadelta) Init(n int) error {
	if err := o.start("Adadelta", o.LearningRate, defaultAdadeltaRate); err != nil {
		return err
	}
	if err := checkUnit("Adadelta", "Rho", orDefault(o.Rho, defaultAdadeltaRho)); err != nil {
		return err
	}
	if err := checkPositive("Adadelta", "Eps", orDefault(o.Eps, defaultAdadeltaEps)); err != nil {
		return err
	}
	if err := checkNonNeg("Adadelta", "WeightDecay", o.WeightDecay); err != nil {
		return err
	}
	o.sq = resize(o.sq, n)
	o.acc = resize(o.acc, n)
	o.ready(n, o.LearningRate, defaultAdadeltaRate)
	return nil
}

// Reset clears the running averages.
func (o *Adadelta) Reset() { clear(o.sq); clear(o.acc) }

// Step makes one Adadelta step.
func (o *Adadelta) Step(x, grad []float64) error {
	if err := o.lazyInit(o, x, grad); err != nil {
		return err
	}
	rho := orDefault(o.Rho, defaultAdadeltaRho)
	eps, wd, lr := orDefault(o.Eps, defaultAdadeltaEps), o.WeightDecay, o.lr
	x = x[:len(grad)]
	sq, acc := o.sq[:len(grad)], o.acc[:len(grad)]
	for i, g := range grad {
		g += wd * x[i]
		v := rho*sq[i] + (1-rho)*g*g
		sq[i] = v
		// √(u+ε)/√(v+ε) as one square root: half the work, an ulp apart.
		d := math.Sqrt((acc[i]+eps)/(v+eps)) * g
		acc[i] = rho*acc[i] + (1-rho)*d*d
		x[i] -= lr * d
	}
	return nil
}

// adamCore is the state and the step shared by Adam and AdamW.
type adamCore struct {
	base
	steps     int
	m, v, vmx []float64
}

func (c *adamCore) setup(name string, n int, lr, b1, b2, eps, wd float64, ams bool) error {
	if err := c.start(name, lr, defaultAdamRate); err != nil {
		return err
	}
	if err := checkUnit(name, "Beta1", orDefault(b1, defaultAdamBeta1)); err != nil {
		return err
	}
	if err := checkUnit(name, "Beta2", orDefault(b2, defaultAdamBeta2)); err != nil {
		return err
	}
	if err := checkPositive(name, "Eps", orDefault(eps, defaultAdamEps)); err != nil {
		return err
	}
	if err := checkNonNeg(name, "WeightDecay", wd); err != nil {
		return err
	}
	c.m = resize(c.m, n)
	c.v = resize(c.v, n)
	if ams {
		c.vmx = resize(c.vmx, n)
	}
	c.steps = 0
	c.ready(n, lr, defaultAdamRate)
	return nil
}

func (c *adamCore) Reset() { clear(c.m); clear(c.v); clear(c.vmx); c.steps = 0 }

// step makes one Adam step with L2 weight decay l2 added to the gradient and
// decoupled weight decay dec applied to w first (as torch.optim.AdamW does).
func (c *adamCore) step(x, grad []float64, b1, b2, eps, l2, dec float64, ams bool) {
	b1, b2, eps = orDefault(b1, defaultAdamBeta1), orDefault(b2, defaultAdamBeta2), orDefault(eps, defaultAdamEps)
	c.steps++
	t := float64(c.steps)
	stepSize := c.lr / (1 - math.Pow(b1, t))
	// PyTorch divides √v by √(1-β₂ᵗ); multiplying by the inverse saves a
	// division per component and changes the result by an ulp at most.
	invBC2 := 1 / math.Sqrt(1-math.Pow(b2, t))
	shrink := 1 - c.lr*dec
	x = x[:len(grad)]
	m, v := c.m[:len(grad)], c.v[:len(grad)]
	if ams {
		vmx := c.vmx[:len(grad)]
		for i, g := range grad {
			w := x[i]
			g += l2 * w
			mi := b1*m[i] + (1-b1)*g
			vi := b2*v[i] + (1-b2)*g*g
			m[i], v[i] = mi, vi
			if vi < vmx[i] { // not math.Max: it is slow, and NaN propagates either way
				vi = vmx[i]
			}
			vmx[i] = vi
			x[i] = w*shrink - stepSize*mi/(math.Sqrt(vi)*invBC2+eps)
		}
		return
	}
	// The same loop as above without the running maximum, eight components at a time where
	// the CPU allows, bit for bit.
	vmath.Adam(x, grad, m, v, vmath.AdamCoeffs{L2: l2, Beta1: b1, Beta2: b2, StepSize: stepSize, InvBC2: invBC2, Eps: eps, Shrink: shrink})
}

// Adam is the method of Kingma and Ba (2015), with the AMSGrad option of
// Reddi, Kale and Kumar (2018), as torch.optim.Adam computes it:
//
//	g ← ∇J + λ w                      (L2 weight decay, in the gradient)
//	m ← β₁ m + (1-β₁) g
//	v ← β₂ v + (1-β₂) g²,  v̂ ← max(v̂, v) (AMSGrad) or v̂ ← v
//	w ← w - η/(1-β₁ᵗ) · m / (√v̂/√(1-β₂ᵗ) + ε)
//
// With WeightDecay the decay passes through the adaptive scaling, which is
// why AdamW decouples it.
type Adam struct {
	// LearningRate η. Zero means 1e-3.
	LearningRate float64
	// Beta1 β₁ and Beta2 β₂ in [0, 1) are the decay rates of the first- and
	// second-moment averages. Zero means 0.9 and 0.999 (use 1e-300 for an
	// exact zero: 1-1e-300 rounds to 1, so the numbers are the same).
	Beta1, Beta2 float64
	// Eps ε > 0 guards the division. Zero means 1e-8.
	Eps float64
	// WeightDecay λ ≥ 0 of the L2 term added to the gradient. Default 0.
	WeightDecay float64
	// AMSGrad divides by the running maximum of v.
	AMSGrad bool

	adamCore
}

// Init checks the settings and allocates the moments.
func (o *Adam) Init(n int) error {
	return o.setup("Adam", n, o.LearningRate, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, o.AMSGrad)
}

// Step makes one Adam step.
func (o *Adam) Step(x, grad []float64) error {
	if err := o.lazyInit(o, x, grad); err != nil {
		return err
	}
	o.step(x, grad, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, 0, o.AMSGrad)
	return nil
}

// AdamW is Adam with decoupled weight decay (Loshchilov and Hutter, 2019),
// as torch.optim.AdamW computes it: the weights shrink first,
//
//	w ← w - ηλ w
//
// and then the Adam step (without L2 term) is applied from the shrunk w. Since
// the Adam direction does not depend on w, the update is
//
//	w ← w - η m̂/(√v̂ + ε) - ηλ w,
//
// the course's w ← w - η∇J - ηλw with the Adam direction in place of ∇J; the
// two forms agree to rounding (tested to 1e-12 against PyTorch).
type AdamW struct {
	// LearningRate η. Zero means 1e-3.
	LearningRate float64
	// Beta1 β₁ and Beta2 β₂ in [0, 1). Zero means 0.9 and 0.999.
	Beta1, Beta2 float64
	// Eps ε > 0. Zero means 1e-8.
	Eps float64
	// WeightDecay λ ≥ 0, decoupled. Zero means no decay, where AdamW is Adam;
	// PyTorch's default is 1e-2, which New("adamw", lr) sets.
	WeightDecay float64
	// AMSGrad divides by the running maximum of v.
	AMSGrad bool

	adamCore
}

// Init checks the settings and allocates the moments.
func (o *AdamW) Init(n int) error {
	return o.setup("AdamW", n, o.LearningRate, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, o.AMSGrad)
}

// Step makes one AdamW step.
func (o *AdamW) Step(x, grad []float64) error {
	if err := o.lazyInit(o, x, grad); err != nil {
		return err
	}
	o.step(x, grad, o.Beta1, o.Beta2, o.Eps, 0, o.WeightDecay, o.AMSGrad)
	return nil
}

// Run runs SGD full-batch (see RunStepper).
func (o *SGD) Run(d *Driver, x0 []float64) error { return RunStepper(d, o, x0) }

// State returns a copy of the accumulated state.
func (o *SGD) State() StepperState { return o.state(o.steps, map[string][]float64{"momentum": o.buf}) }

// SetState restores a state returned by State.
func (o *SGD) SetState(st StepperState) error {
	return o.setState(st, &o.steps, map[string][]float64{"momentum": o.buf})
}

// Run runs Adagrad full-batch (see RunStepper).
func (o *Adagrad) Run(d *Driver, x0 []float64) error { return RunStepper(d, o, x0) }

// State returns a copy of the accumulated state.
func (o *Adagrad) State() StepperState { return o.state(o.steps, map[string][]float64{"sum": o.sum}) }

// SetState restores a state returned by State.
func (o *Adagrad) SetState(st StepperState) error {
	return o.setState(st, &o.steps, map[string][]float64{"sum": o.sum})
}

// Run runs RMSprop full-batch (see RunStepper).
func (o *RMSprop) Run(d *Driver, x0 []float64) error { return RunStepper(d, o, x0) }

// State returns a copy of the accumulated state.
func (o *RMSprop) State() StepperState {
	return o.state(0, map[string][]float64{"square_avg": o.sq, "grad_avg": o.avg, "momentum": o.buf})
}

// SetState restores a state returned by State.
func (o *RMSprop) SetState(st StepperState) error {
	return o.setState(st, nil, map[string][]float64{"square_avg": o.sq, "grad_avg": o.avg, "momentum": o.buf})
}

// Run runs Adadelta full-batch (see RunStepper).
func (o *Adadelta) Run(d *Driver, x0 []float64) error { return RunStepper(d, o, x0) }

// State returns a copy of the accumulated state.
func (o *Adadelta) State() StepperState {
	return o.state(0, map[string][]float64{"square_avg": o.sq, "acc_delta": o.acc})
}

// SetState restores a state returned by State.
func (o *Adadelta) SetState(st StepperState) error {
	return o.setState(st, nil, map[string][]float64{"square_avg": o.sq, "acc_delta": o.acc})
}

// Run runs Adam full-batch (see RunStepper).
func (o *Adam) Run(d *Driver, x0 []float64) error { return RunStepper(d, o, x0) }

// Run runs AdamW full-batch (see RunStepper).
func (o *AdamW) Run(d *Driver, x0 []float64) error { return RunStepper(d, o, x0) }

func (c *adamCore) vectors() map[string][]float64 {
	return map[string][]float64{"m": c.m, "v": c.v, "v_max": c.vmx}
}

// State returns a copy of the accumulated state.
func (c *adamCore) State() StepperState { return c.state(c.steps, c.vectors()) }

// SetState restores a state returned by State.
func (c *adamCore) SetState(st StepperState) error { return c.setState(st, &c.steps, c.vectors()) }

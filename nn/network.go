package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"

	"github.com/adjunto/adjunto/adjoint"
)

// InitScheme selects how New and Init draw the weights of the dense layers. Biases start at
// zero, batch norm at γ = 1, β = 0 (running mean 0, variance 1).
type InitScheme int

// The initialisation schemes, with fan_in = In and fan_out = Out of each dense layer.
const (
	// InitAuto picks KaimingUniform when the hidden activation is ReLU or LeakyReLU and
	// GlorotUniform otherwise.
	InitAuto InitScheme = iota
	// GlorotUniform draws U(−a, a), a = √(6/(fan_in+fan_out)) (Glorot and Bengio 2010).
	GlorotUniform
	// GlorotNormal draws N(0, 2/(fan_in+fan_out)).
	GlorotNormal
	// KaimingUniform draws U(−a, a), a = √(6/fan_in): the ReLU gain √2 (He et al. 2015).
	KaimingUniform
	// KaimingNormal draws N(0, 2/fan_in).
	KaimingNormal
)

var initNames = [...]string{"auto", "glorot-uniform", "glorot-normal", "kaiming-uniform", "kaiming-normal"}

// String returns the scheme's name.
func (s InitScheme) String() string {
	if s < 0 || int(s) >= len(initNames) {
		return fmt.Sprintf("InitScheme(%d)", int(s))
	}
	return initNames[s]
}

// ParseInit returns the scheme called name ("xavier" and "he" are accepted for Glorot and
// Kaiming).
func ParseInit(name string) (InitScheme, error) {
	for i, s := range initNames {
		if s == name {
			return InitScheme(i), nil
		}
	}
	switch name {
	case "xavier-uniform", "xavier":
		return GlorotUniform, nil
	case "xavier-normal":
		return GlorotNormal, nil
	case "he-uniform", "he":
		return KaimingUniform, nil
	case "he-normal":
		return KaimingNormal, nil
	}
	return 0, fmt.Errorf("%w: unknown initialisation %q", ErrSpec, name)
}

// Config holds the settings of a network besides its layers. The zero value is the course's
// regression network: CourseMSE, no penalty, automatic initialisation from seed 0.
type Config struct {
	// Loss is the training loss; its Head is the output rule. Default CourseMSE.
	Loss Loss
	// Penalty is added to the loss in training. Default none.
	Penalty Penalty
	// Init is the initialisation scheme. Default InitAuto.
	Init InitScheme
	// Seed seeds the initialisation and the dropout masks. Default 0, itself a seed.
	Seed uint64
}

// Network is a feed-forward network: a list of layers whose parameters live in one flat
// vector (Params), with a loss. Every derivative comes from the adjoint engine: the network's
// program is recorded once per batch size on an adjoint.Tape whose variables alias windows of
// the parameter vector and whose adjoints alias windows of one gradient vector, and is then
// replayed for every mini-batch, so a training step allocates nothing.
//
// A Network is not safe for concurrent use.
type Network struct {
	layers  []Layer
	cfg     Config
	in, out int

	params []float64
	grad   []float64
	offs   []int       // offs[i]:offs[i+1] is layer i's window of params
	widths []int       // widths[i] is layer i's input width, widths[i+1] its output width
	state  [][]float64 // each layer's state (batch norm's running mean then variance), or nil

	penalized [][2]int // offset and length of each block the penalty applies to, set by forward

	dropSrc *rand.PCG // the state of dropRNG, saved to resume training
	dropRNG *rand.Rand
	progs   map[progKey]*program
}

// New returns a network with the given layers, initialised from c.Seed with c.Init. It
// returns an error wrapping ErrSpec if the layers do not chain or c is invalid.
func New(layers []Layer, c Config) (*Network, error) {
	if c.Loss < 0 || int(c.Loss) >= len(lossNames) {
		return nil, fmt.Errorf("%w: unknown loss %d", ErrSpec, int(c.Loss))
	}
	if c.Init < 0 || int(c.Init) >= len(initNames) {
		return nil, fmt.Errorf("%w: unknown initialisation %d", ErrSpec, int(c.Init))
	}
	if err := c.Penalty.check(); err != nil {
		return nil, err
	}
	shapes, err := plan(layers)
	if err != nil {
		return nil, err
	}
	if err := checkSize(shapes); err != nil { // before anything is allocated
		return nil, err
	}
	n := &Network{layers: append([]Layer(nil), layers...), cfg: c}
	n.offs = make([]int, len(layers)+1)
	n.widths = make([]int, len(layers)+1)
	n.state = make([][]float64, len(layers))
	size := 0
	for i, sh := range shapes {
		n.widths[i], n.widths[i+1] = sh.In, sh.Out
		n.offs[i] = size
		size += sh.Params
		if sh.State > 0 {
			n.state[i] = make([]float64, sh.State)
		}
	}
	n.offs[len(layers)] = size
	n.in, n.out = n.widths[0], n.widths[len(layers)]
	n.params = make([]float64, size)
	n.grad = make([]float64, size)
	n.Init(c.Init, c.Seed)
	return n, nil
}

// NewMLP returns the network MLP builds from a spec such as "1-100-1:tanh" (see ParseSpec;
// the activation defaults to Tanh).
func NewMLP(spec string, o MLPOptions, c Config) (*Network, error) {
	sizes, act, err := ParseSpec(spec, Tanh)
	if err != nil {
		return nil, err
	}
	return New(MLP(sizes, act, o), c)
}

// Layers returns a copy of the network's layers.
func (n *Network) Layers() []Layer { return append([]Layer(nil), n.layers...) }

// Config returns the network's settings.
func (n *Network) Config() Config { return n.cfg }

// In returns the number of inputs.
func (n *Network) In() int { return n.in }

// Out returns the number of outputs.
func (n *Network) Out() int { return n.out }

// NumParams returns the number of trainable parameters.
func (n *Network) NumParams() int { return len(n.params) }

// Params returns the network's parameter vector itself, not a copy: dense layers in order,
// each as W (Out×In, row-major) then b, batch norm as γ then β. Optimisers update it in place.
func (n *Network) Params() []float64 { return n.params }

// SetParams copies p into the parameter vector. It panics if the lengths differ.
func (n *Network) SetParams(p []float64) {
	if len(p) != len(n.params) {
		panic(fmt.Sprintf("nn: SetParams: %d values for %d parameters", len(p), len(n.params)))
	}
	copy(n.params, p)
}

// LayerParams returns the windows of Params that hold layer i's parameters: W and b of a
// dense layer, γ and β of a batch-norm layer, all of them and nil for another kind with
// parameters, nil and nil for a layer without.
func (n *Network) LayerParams(i int) (w, b []float64) {
	p := n.params[n.offs[i]:n.offs[i+1]]
	if len(p) == 0 {
		return nil, nil
	}
	switch l := n.layers[i].(type) {
	case DenseLayer:
		return p[:l.Out*l.In], p[l.Out*l.In:]
	case BatchNormLayer:
		return p[:len(p)/2], p[len(p)/2:]
	}
	return p, nil
}

// RunningStats returns the running mean and variance of batch-norm layer i (nil for other
// layers), the statistics it uses in evaluation. The slices are the network's own.
func (n *Network) RunningStats(i int) (mean, variance []float64) {
	s := n.state[i]
	if _, ok := n.layers[i].(BatchNormLayer); !ok || s == nil {
		return nil, nil
	}
	return s[:len(s)/2], s[len(s)/2:]
}

// hiddenActivation returns the first activation of the network, Identity if none.
func (n *Network) hiddenActivation() Activation {
	for _, l := range n.layers {
		if a, ok := l.(ActivationLayer); ok {
			return a.Activation
		}
	}
	return Identity
}

// Init redraws the parameters with scheme s from seed, resets the layers' state (batch-norm
// statistics) and reseeds the dropout masks. Layers that are not Initializers start at zero.
func (n *Network) Init(s InitScheme, seed uint64) {
	if s == InitAuto {
		s = GlorotUniform
		if a := n.hiddenActivation(); a == ReLU || a == LeakyReLU {
			s = KaimingUniform
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x6e6e2d696e6974)) // "nn-init"
	for i, l := range n.layers {
		p := n.params[n.offs[i]:n.offs[i+1]]
		if li, ok := l.(Initializer); ok {
			li.InitLayer(p, n.state[i], n.widths[i], s, rng)
		} else {
			clear(p)
			clear(n.state[i])
		}
	}
	n.SeedDropout(seed)
}

// SeedDropout reseeds the generator of the dropout masks.
func (n *Network) SeedDropout(seed uint64) {
	n.dropSrc = rand.NewPCG(seed, 0x6e6e2d64726f70) // "nn-drop"
	n.dropRNG = rand.New(n.dropSrc)
	n.rebindDropout()
}

// mode says how dropout and batch norm behave in a recorded program.
type mode int

const (
	modeTrain mode = iota // dropout active, batch norm on batch statistics, running ones updated
	modeEval              // dropout off, batch norm on the running statistics
	modeMC                // dropout active, batch norm on the running statistics (MC dropout)
)

type progKey struct {
	rows int
	mode mode
}

// program is the network's computation recorded on a tape for one batch size and mode:
// replay it after writing a batch into x.Data and y.Data.
type program struct {
	tape  *adjoint.Tape
	x, y  *adjoint.Value // the batch: constants whose Data is overwritten in place
	z     *adjoint.Value // the last layer's output (logits for the losses on logits)
	loss  *adjoint.Value // the data loss
	J     *adjoint.Value // the loss plus the penalty: the training objective
	vars  []*adjoint.Value
	drops []*dropoutOp
	bns   []*batchNormOp
	fixed bool // batch norm leaves its running statistics alone (Build)
}

// program returns the recorded program for a batch of the given size and mode, recording it
// on first use.
func (n *Network) program(rows int, m mode) *program {
	k := progKey{rows, m}
	if p, ok := n.progs[k]; ok {
		return p
	}
	if n.progs == nil {
		n.progs = make(map[progKey]*program)
	}
	p := n.record(rows, m)
	n.progs[k] = p
	return p
}

// record records the network on a new tape for a batch of rows items in mode m.
func (n *Network) record(rows int, m mode) *program {
	t := adjoint.NewTape()
	p := &program{tape: t}
	p.x = t.Constant(make([]float64, rows*n.in), rows, n.in)
	p.y = t.Constant(make([]float64, rows*n.out), rows, n.out)
	param := func(off, r, c int) *adjoint.Value {
		v := t.Variable(n.params[off:off+r*c], r, c)
		v.Adj = n.grad[off : off+r*c]
		p.vars = append(p.vars, v)
		return v
	}
	var weights []*adjoint.Value
	p.z, weights = n.forward(p.x, param, m, p)
	p.loss = n.cfg.Loss.record(p.z, p.y)
	p.J = p.loss
	if pen := n.cfg.Penalty; pen.Lambda > 0 {
		p.J = adjoint.Add(p.loss, t.Apply(penaltyOp{pen.Lambda, pen.q()}, 1, 1, weights...))
	}
	return p
}

// forward records the layers on x's tape, taking each parameter block from param, and
// returns the last layer's output and the weights the penalty applies to. The dropout and
// batch-norm primitives it creates are added to p.
func (n *Network) forward(x *adjoint.Value, param func(off, r, c int) *adjoint.Value, m mode, p *program) (*adjoint.Value, []*adjoint.Value) {
	r := &Recorder{n: n, p: p, mode: m, param: param}
	h := x
	for i, l := range n.layers {
		r.off, r.end, r.state, r.blocks = n.offs[i], n.offs[i+1], n.state[i], r.blocks[:0]
		h = l.Record(r, h)
		if h.Cols() != n.widths[i+1] || h.Rows() != x.Rows() {
			panic(fmt.Sprintf("nn: layer %d (%s) recorded an output of %dx%d, Setup said %dx%d",
				i, l.Kind(), h.Rows(), h.Cols(), x.Rows(), n.widths[i+1]))
		}
	}
	n.penalized = r.ranges
	return h, r.weights
}

// Build records the network on the tape of x as a function of an explicit parameter vector,
// for verification: params is a value holding all NumParams() parameters in the order of
// Params (a variable, so that derivatives with respect to the weights are taken, or a
// constant), x a batch of inputs (rows × In). It returns the last layer's output (the logits,
// before the head) and, when y is not nil, the training objective J(params, x, y) (loss plus
// penalty). With train set the layers run as in training, except that the dropout masks drawn
// while recording are kept and the batch-norm running statistics are left alone, so that
// replaying the tape evaluates one fixed function; otherwise they run as in evaluation.
func (n *Network) Build(params, x, y *adjoint.Value, train bool) (out, J *adjoint.Value) {
	if params.Len() != len(n.params) || x.Cols() != n.in || (y != nil && (y.Cols() != n.out || y.Rows() != x.Rows())) {
		panic(fmt.Sprintf("nn: Build: params of length %d, x %dx%d for a network %d→%d with %d parameters",
			params.Len(), x.Rows(), x.Cols(), n.in, n.out, len(n.params)))
	}
	param := func(off, r, c int) *adjoint.Value {
		return adjoint.Reshape(adjoint.Slice(params, off, off+r*c), r, c)
	}
	m := modeEval
	if train {
		m = modeTrain
	}
	p := &program{fixed: true}
	out, weights := n.forward(x, param, m, p)
	for _, d := range p.drops {
		d.frozen = true // after the mask drawn while recording
	}
	if y == nil {
		return out, nil
	}
	J = n.cfg.Loss.record(out, y)
	if pen := n.cfg.Penalty; pen.Lambda > 0 {
		J = adjoint.Add(J, x.Tape().Apply(penaltyOp{pen.Lambda, pen.q()}, 1, 1, weights...))
	}
	return out, J
}

// load copies rows idx of ds (all rows in order when idx is nil) into the program's batch.
func (p *program) load(ds *Dataset, idx []int) {
	in, out := ds.In, ds.Out
	x, y := p.x.Data, p.y.Data
	if idx == nil {
		copy(x, ds.X)
		copy(y, ds.Y)
		return
	}
	for r, i := range idx {
		copy(x[r*in:(r+1)*in], ds.X[i*in:(i+1)*in])
		copy(y[r*out:(r+1)*out], ds.Y[i*out:(i+1)*out])
	}
}

// step runs the recorded program forward and backward: it returns J and leaves ∇J in n.grad.
func (n *Network) step(p *program) float64 {
	p.tape.Forward()
	p.tape.Gradient(p.J)
	return p.J.Data[0]
}

// checkFinite returns an error wrapping ErrDiverged if J or a component of the gradient is not
// finite, naming where.
func (n *Network) checkFinite(J float64, where string) error {
	if math.IsNaN(J) || math.IsInf(J, 0) {
		return fmt.Errorf("%w: loss = %v at %s", ErrDiverged, J, where)
	}
	// A NaN or an infinity anywhere makes the sum non-finite: one cheap pass in the common case.
	if s := floats.Sum(n.grad); !math.IsNaN(s) && !math.IsInf(s, 0) {
		return nil
	}
	for i, g := range n.grad {
		if math.IsNaN(g) || math.IsInf(g, 0) {
			return fmt.Errorf("%w: gradient component %d = %v at %s", ErrDiverged, i, g, where)
		}
	}
	return nil
}

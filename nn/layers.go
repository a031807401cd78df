package nn

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"

	"github.com/adjunto/adjunto/adjoint"
)

// Layer is one layer of a network: a map from a batch of rows × in values to rows × out values
// recorded on the adjoint engine's tape, with its own block of the network's parameters and,
// optionally, state that persists across batches without being trained (batch norm's running
// statistics). The network knows nothing else about a layer, so a new kind needs no change to
// this package: implement Layer (and Initializer if its parameters do not start at zero), and
// RegisterLayer it to save and load it in model files. Dense, Act, Dropout and BatchNorm give
// the built-in kinds.
//
// A layer's settings are its exported fields, written to model files as JSON; a Layer must be
// a value that Setup does not modify, so that one value can describe several networks.
type Layer interface {
	// Kind names the layer in model files ("dense", "activation", …).
	Kind() string
	// Setup checks the settings for an input of width in and returns the layer's shape. in
	// is 0 for the first layer of a network, whose input width the layer must then give in
	// Shape.In (as a dense layer does); a layer that keeps the width returns an error then.
	Setup(in int) (Shape, error)
	// Record records the layer applied to h on h's tape and returns its output. It takes its
	// parameters from r.Param, in the order they lie in the network's parameter vector.
	Record(r *Recorder, h *adjoint.Value) *adjoint.Value
}

// Shape is what Setup says of a layer.
type Shape struct {
	In, Out int // input and output widths (units per row)
	Params  int // number of parameters
	State   int // length of the state
}

// Initializer is a Layer whose parameters or state do not start at zero.
type Initializer interface {
	Layer
	// InitLayer sets the layer's parameters and state (windows of the network's own vectors) for
	// an input of width in. s is the network's scheme, never InitAuto; rng is the network's
	// initialisation generator, shared by the layers in order.
	InitLayer(params, state []float64, in int, s InitScheme, rng *rand.Rand)
}

var (
	_ Initializer = DenseLayer{}
	_ Layer       = ActivationLayer{}
	_ Layer       = DropoutLayer{}
	_ Initializer = BatchNormLayer{}
)

// Recorder is what a layer sees while the network is recorded on a tape: its parameters,
// its state and the mode (training or evaluation) of the recording.
type Recorder struct {
	n       *Network
	p       *program
	mode    mode
	param   func(off, r, c int) *adjoint.Value
	off     int // offset of the layer's next parameter block
	end     int // end of the layer's parameters
	state   []float64
	weights []*adjoint.Value
	blocks  []paramBlock // the layer's blocks so far, to find a penalised one's offset
	ranges  [][2]int     // offsets and lengths of the penalised blocks in the parameter vector
}

type paramBlock struct {
	v   *adjoint.Value
	off int
}

// Param returns the next rows×cols block of the layer's parameters as a value on the tape
// (in training a variable whose adjoint accumulates into the network's gradient). It panics
// if the layer asks for more parameters than Setup declared.
func (r *Recorder) Param(rows, cols int) *adjoint.Value {
	if r.off+rows*cols > r.end {
		panic(fmt.Sprintf("nn: Recorder.Param: block %dx%d beyond the %d parameters the layer declared", rows, cols, r.end-r.off))
	}
	v := r.param(r.off, rows, cols)
	r.blocks = append(r.blocks, paramBlock{v, r.off})
	r.off += rows * cols
	return v
}

// Penalize adds w, a block the layer has from Param, to the weights the network's Penalty
// applies to (the dense layers' W). It panics for another value.
func (r *Recorder) Penalize(w *adjoint.Value) {
	for _, b := range r.blocks {
		if b.v == w {
			r.weights = append(r.weights, w)
			r.ranges = append(r.ranges, [2]int{b.off, w.Len()})
			return
		}
	}
	panic("nn: Recorder.Penalize: the value is not a parameter block of the layer")
}

// Training reports whether the network is recorded for training: dropout active, batch
// statistics. It is false in evaluation and in MC-dropout prediction.
func (r *Recorder) Training() bool { return r.mode == modeTrain }

// Stochastic reports whether random masks are drawn: in training and in MC-dropout
// prediction.
func (r *Recorder) Stochastic() bool { return r.mode != modeEval }

// State returns the layer's state, a window of the network's own vector.
func (r *Recorder) State() []float64 { return r.state }

// The kinds of the built-in layers, as model files name them.
const (
	KindDense      = "dense"
	KindActivation = "activation"
	KindDropout    = "dropout"
	KindBatchNorm  = "batchnorm"
)

// DenseLayer is the affine map x ↦ W x + b, with W of shape Out×In (row-major) followed by b
// in the parameter vector. The penalty applies to W.
type DenseLayer struct {
	// In and Out are the input and output widths, both positive.
	In  int `json:"in"`
	Out int `json:"out"`
}

// Dense returns a dense layer from in to out units.
func Dense(in, out int) DenseLayer { return DenseLayer{In: in, Out: out} }

// Kind returns "dense".
func (DenseLayer) Kind() string { return KindDense }

// Setup checks the widths.
func (l DenseLayer) Setup(in int) (Shape, error) {
	if l.In <= 0 || l.Out <= 0 {
		return Shape{}, fmt.Errorf("widths %d→%d, want positive", l.In, l.Out)
	}
	if in != 0 && l.In != in {
		return Shape{}, fmt.Errorf("input width %d after a layer of width %d", l.In, in)
	}
	p, err := denseParams(l.In, l.Out)
	return Shape{In: l.In, Out: l.Out, Params: p}, err
}

// Record records W h + b.
func (l DenseLayer) Record(r *Recorder, h *adjoint.Value) *adjoint.Value {
	w := r.Param(l.Out, l.In)
	b := r.Param(1, l.Out)
	r.Penalize(w)
	return adjoint.Dense(h, w, b)
}

// InitLayer draws W from the scheme (fan_in = In, fan_out = Out) and sets b to zero.
func (l DenseLayer) InitLayer(params, _ []float64, _ int, s InitScheme, rng *rand.Rand) {
	w, b := params[:l.Out*l.In], params[l.Out*l.In:]
	fin, fout := float64(l.In), float64(l.Out)
	for j := range w {
		switch s {
		case GlorotUniform:
			w[j] = math.Sqrt(6/(fin+fout)) * (2*rng.Float64() - 1)
		case GlorotNormal:
			w[j] = math.Sqrt(2/(fin+fout)) * rng.NormFloat64()
		case KaimingUniform:
			w[j] = math.Sqrt(6/fin) * (2*rng.Float64() - 1)
		case KaimingNormal:
			w[j] = math.Sqrt(2/fin) * rng.NormFloat64()
		default:
			panic(fmt.Sprintf("nn: Init: unknown scheme %d", int(s)))
		}
	}
	clear(b)
}

// ActivationLayer applies an Activation elementwise.
type ActivationLayer struct {
	// Activation is the function h; the zero value is Identity.
	Activation Activation `json:"activation,omitempty"`
	// Slope is LeakyReLU's slope for negative inputs; zero means DefaultLeakySlope.
	Slope float64 `json:"slope,omitempty"`
}

// Act returns an activation layer.
func Act(a Activation) ActivationLayer { return ActivationLayer{Activation: a} }

// Kind returns "activation".
func (ActivationLayer) Kind() string { return KindActivation }

// Setup checks the activation.
func (l ActivationLayer) Setup(in int) (Shape, error) {
	if l.Activation < 0 || int(l.Activation) >= len(activationNames) {
		return Shape{}, fmt.Errorf("unknown activation %d", int(l.Activation))
	}
	return widthKept(in)
}

// Record records h(x).
func (l ActivationLayer) Record(_ *Recorder, h *adjoint.Value) *adjoint.Value {
	return l.Activation.apply(h, l.Slope)
}

// DropoutLayer is inverted dropout: in training each unit is zeroed with probability Rate and
// the others are scaled by 1/(1−Rate); in evaluation it is the identity.
type DropoutLayer struct {
	// Rate is the drop probability p in [0, 1); zero makes the layer the identity.
	Rate float64 `json:"rate,omitempty"`
}

// Dropout returns an inverted-dropout layer with drop probability p.
func Dropout(p float64) DropoutLayer { return DropoutLayer{Rate: p} }

// Kind returns "dropout".
func (DropoutLayer) Kind() string { return KindDropout }

// Setup checks the rate.
func (l DropoutLayer) Setup(in int) (Shape, error) {
	if !(l.Rate >= 0 && l.Rate < 1) {
		return Shape{}, fmt.Errorf("rate %v, want 0 ≤ p < 1", l.Rate)
	}
	return widthKept(in)
}

// Record records the masking primitive when masks are drawn, nothing otherwise.
func (l DropoutLayer) Record(r *Recorder, h *adjoint.Value) *adjoint.Value {
	if !r.Stochastic() || l.Rate == 0 {
		return h
	}
	d := &dropoutOp{p: l.Rate, rng: r.n.dropRNG}
	r.p.drops = append(r.p.drops, d)
	return h.Tape().Apply(d, h.Rows(), h.Cols(), h)
}

// BatchNormLayer is batch normalisation with a learned scale γ and shift β per unit (γ then β
// in the parameter vector); its state is the running mean then the running variance.
type BatchNormLayer struct {
	// Momentum is the weight of the current batch in the running statistics,
	// r ← (1−m) r + m·batch, as in PyTorch. Zero means 0.1.
	Momentum float64 `json:"momentum,omitempty"`
	// Eps is added to the variance. Zero means 1e-5.
	Eps float64 `json:"eps,omitempty"`
}

// BatchNorm returns a batch-normalisation layer with the default momentum and ε.
func BatchNorm() BatchNormLayer { return BatchNormLayer{} }

// Kind returns "batchnorm".
func (BatchNormLayer) Kind() string { return KindBatchNorm }

// Setup checks the momentum and ε.
func (l BatchNormLayer) Setup(in int) (Shape, error) {
	if l.Momentum < 0 || l.Momentum > 1 || l.Eps < 0 {
		return Shape{}, fmt.Errorf("momentum %v, eps %v, want 0 ≤ m ≤ 1 and eps ≥ 0", l.Momentum, l.Eps)
	}
	s, err := widthKept(in)
	s.Params, s.State = 2*in, 2*in
	return s, err
}

func (l BatchNormLayer) momentum() float64 {
	if l.Momentum == 0 {
		return 0.1
	}
	return l.Momentum
}

func (l BatchNormLayer) eps() float64 {
	if l.Eps == 0 {
		return 1e-5
	}
	return l.Eps
}

// Record records normalisation on the batch statistics in training (updating the running
// ones unless the recording is Build's), on the running statistics otherwise.
func (l BatchNormLayer) Record(r *Recorder, h *adjoint.Value) *adjoint.Value {
	c := h.Cols()
	gamma, beta := r.Param(1, c), r.Param(1, c)
	mean, vr := r.state[:c], r.state[c:]
	t := h.Tape()
	if r.Training() {
		return t.Apply(&batchNormOp{eps: l.eps(), momentum: l.momentum(), runMean: mean, runVar: vr, frozen: r.p.fixed}, h.Rows(), c, h, gamma, beta)
	}
	return t.Apply(&batchNormEvalOp{eps: l.eps(), runMean: mean, runVar: vr}, h.Rows(), c, h, gamma, beta)
}

// InitLayer sets γ = 1, β = 0, the running mean to 0 and the running variance to 1.
func (l BatchNormLayer) InitLayer(params, state []float64, in int, _ InitScheme, _ *rand.Rand) {
	for j := range in {
		params[j], params[in+j] = 1, 0
		state[j], state[in+j] = 0, 1
	}
}

// widthKept is Setup's answer for a layer that keeps the width and has no parameters.
func widthKept(in int) (Shape, error) {
	if in == 0 {
		return Shape{}, errors.New("comes before any layer that sets the width")
	}
	return Shape{In: in, Out: in}, nil
}

// layerDecoders maps a kind to the function that reads a layer of that kind from JSON.
var (
	layerMu       sync.RWMutex
	layerDecoders = map[string]func([]byte) (Layer, error){}
)

func init() {
	RegisterLayer[DenseLayer](KindDense)
	RegisterLayer[ActivationLayer](KindActivation)
	RegisterLayer[DropoutLayer](KindDropout)
	RegisterLayer[BatchNormLayer](KindBatchNorm)
}

// RegisterLayer makes layers of type L, whose Kind is kind, readable from model files: Decode
// reads the JSON object of such a layer (its exported fields, beside "kind") into an L. Call
// it from an init function of the package that defines L. It panics if kind is empty or
// already registered.
func RegisterLayer[L Layer](kind string) {
	layerMu.Lock()
	defer layerMu.Unlock()
	if kind == "" || layerDecoders[kind] != nil {
		panic(fmt.Sprintf("nn: RegisterLayer: kind %q empty or registered twice", kind))
	}
	layerDecoders[kind] = func(b []byte) (Layer, error) {
		var l L
		err := json.Unmarshal(b, &l)
		return l, err
	}
}

// encodeLayer writes a layer as a JSON object: "kind" then its fields.
func encodeLayer(l Layer) (json.RawMessage, error) {
	fields, err := json.Marshal(l)
	if err != nil {
		return nil, err
	}
	kind, _ := json.Marshal(l.Kind())
	if string(fields) == "{}" {
		return json.RawMessage(`{"kind":` + string(kind) + `}`), nil
	}
	if len(fields) < 2 || fields[0] != '{' {
		return nil, fmt.Errorf("layer %q does not encode as a JSON object", l.Kind())
	}
	return json.RawMessage(`{"kind":` + string(kind) + `,` + string(fields[1:])), nil
}

// decodeLayer reads a layer written by encodeLayer.
func decodeLayer(b []byte) (Layer, error) {
	var head struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, err
	}
	layerMu.RLock()
	dec := layerDecoders[head.Kind]
	var known []string
	if dec == nil {
		for k := range layerDecoders {
			known = append(known, k)
		}
	}
	layerMu.RUnlock()
	if dec == nil {
		sort.Strings(known)
		return nil, fmt.Errorf("unknown layer kind %q (registered: %s)", head.Kind, strings.Join(known, ", "))
	}
	return dec(b)
}

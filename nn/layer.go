package nn

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/adjunto/adjunto/adjoint"
)

// Sentinel errors. Errors returned by this package wrap one of them.
var (
	// ErrSpec: a network spec or a layer list that does not describe a network.
	ErrSpec = errors.New("nn: invalid network spec")
	// ErrData: a data file or a dataset that cannot be used (parse errors, shapes).
	ErrData = errors.New("nn: invalid data")
	// ErrModel: a model file of another format or version, or with inconsistent shapes.
	ErrModel = errors.New("nn: invalid model file")
	// ErrDiverged: the loss or its gradient became NaN or ±Inf during training.
	ErrDiverged = errors.New("nn: training diverged")
	// ErrConfig: a training setting outside its domain.
	ErrConfig = errors.New("nn: invalid training setting")
)

// Activation is an elementwise activation h of a layer, x^(k+1) = h(W x^(k) + b).
type Activation int

// The activations of the engine. The zero value is Identity, the linear activation.
const (
	Identity  Activation = iota // h(x) = x
	Step                        // binary step: 1 for x ≥ 0, else 0; its derivative is zero
	ReLU                        // max(x, 0)
	LeakyReLU                   // x for x ≥ 0, else 0.01·x (the slope of ActivationLayer.Slope)
	Tanh                        // tanh x
	Sigmoid                     // 1/(1+e^{−x})
	Swish                       // x·σ(x), also called SiLU
	Softplus                    // log(1+e^x)
)

var activationNames = [...]string{"identity", "step", "relu", "leakyrelu", "tanh", "sigmoid", "swish", "softplus"}

// String returns the activation's name as ParseActivation accepts it.
func (a Activation) String() string {
	if a < 0 || int(a) >= len(activationNames) {
		return fmt.Sprintf("Activation(%d)", int(a))
	}
	return activationNames[a]
}

// ParseActivation returns the activation called name (case-insensitive; "linear" is Identity,
// "leaky-relu" and "leaky_relu" are LeakyReLU, "silu" is Swish).
func ParseActivation(name string) (Activation, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "linear", "none":
		return Identity, nil
	case "leaky-relu", "leaky_relu", "lrelu":
		return LeakyReLU, nil
	case "silu":
		return Swish, nil
	case "binary", "binarystep", "binary-step":
		return Step, nil
	}
	for i, s := range activationNames {
		if s == n {
			return Activation(i), nil
		}
	}
	return 0, fmt.Errorf("%w: unknown activation %q (known: %s)", ErrSpec, name, strings.Join(activationNames[:], ", "))
}

// DefaultLeakySlope is the slope of LeakyReLU for negative inputs when ActivationLayer.Slope
// is zero.
const DefaultLeakySlope = 0.01

// apply records h(x) on x's tape.
func (a Activation) apply(x *adjoint.Value, slope float64) *adjoint.Value {
	switch a {
	case Identity:
		return x
	case Step:
		return adjoint.Step(x)
	case ReLU:
		return adjoint.ReLU(x)
	case LeakyReLU:
		if slope == 0 {
			slope = DefaultLeakySlope
		}
		return adjoint.LeakyReLU(x, slope)
	case Tanh:
		return adjoint.Tanh(x)
	case Sigmoid:
		return adjoint.Sigmoid(x)
	case Swish:
		return adjoint.Swish(x)
	case Softplus:
		return adjoint.Softplus(x)
	}
	panic(fmt.Sprintf("nn: unknown activation %d", int(a)))
}

// MLPOptions selects the optional layers MLP inserts after each hidden dense layer.
type MLPOptions struct {
	// BatchNorm inserts batch normalisation between each hidden dense layer and its activation.
	BatchNorm bool
	// Dropout, if positive, inserts dropout with this rate after each hidden activation.
	Dropout float64
	// Slope is LeakyReLU's negative slope; zero means DefaultLeakySlope.
	Slope float64
}

// MLP returns the layers of a fully connected network with the given widths
// sizes[0]-sizes[1]-…-sizes[K]: dense layers, each hidden one followed by act (and, with the
// options, batch normalisation before it and dropout after it). The last dense layer has no
// activation: the output head belongs to the loss (see Head).
func MLP(sizes []int, act Activation, o MLPOptions) []Layer {
	var ls []Layer
	for k := 0; k+1 < len(sizes); k++ {
		ls = append(ls, Dense(sizes[k], sizes[k+1]))
		if k+2 == len(sizes) {
			break
		}
		if o.BatchNorm {
			ls = append(ls, BatchNorm())
		}
		a := Act(act)
		if act == LeakyReLU {
			a.Slope = o.Slope
		}
		ls = append(ls, a)
		if o.Dropout > 0 {
			ls = append(ls, Dropout(o.Dropout))
		}
	}
	return ls
}

// ParseSpec parses a network spec "n0-n1-…-nK[:activation]", such as "1-100-1:tanh" or
// "784-256-256-10:relu", into the widths and the hidden activation. Without an activation it
// returns def.
func ParseSpec(spec string, def Activation) (sizes []int, act Activation, err error) {
	s := strings.TrimSpace(spec)
	act = def
	if i := strings.IndexByte(s, ':'); i >= 0 {
		if act, err = ParseActivation(s[i+1:]); err != nil {
			return nil, 0, fmt.Errorf("%w (in spec %q)", err, spec)
		}
		s = s[:i]
	}
	parts := strings.Split(s, "-")
	if len(parts) < 2 {
		return nil, 0, fmt.Errorf("%w: %q: want at least two widths such as 1-100-1", ErrSpec, spec)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n <= 0 {
			return nil, 0, fmt.Errorf("%w: %q: width %d is %q, want a positive integer", ErrSpec, spec, i+1, p)
		}
		sizes = append(sizes, n)
	}
	return sizes, act, nil
}

// MarshalText writes the activation's name, so model files say "tanh" rather than 4.
func (a Activation) MarshalText() ([]byte, error) {
	if a < 0 || int(a) >= len(activationNames) {
		return nil, fmt.Errorf("%w: unknown activation %d", ErrSpec, int(a))
	}
	return []byte(a.String()), nil
}

// UnmarshalText reads an activation's name.
func (a *Activation) UnmarshalText(b []byte) error {
	v, err := ParseActivation(string(b))
	*a = v
	return err
}

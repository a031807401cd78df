package optimize

import (
	"fmt"
	"strings"
)

// methodNames lists the names New accepts, in the order Names returns them.
var methodNames = []string{
	"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "amsgrad", "adamw",
	"lbfgs", "bfgs", "cg", "cg-fr", "cg-prp", "cg-hs", "cg-dy", "cg-hz", "gd", "newton",
}

// Names returns the method names New accepts.
func Names() []string { return append([]string(nil), methodNames...) }

// New returns the method called name (case-insensitive; see Names) with its
// default settings and learning rate lr, zero meaning the method's default.
// "momentum" and "nesterov" are SGD with momentum 0.9; "amsgrad" is Adam with
// AMSGrad; "cg" is nonlinear CG with the Hestenes-Stiefel β and "cg-fr",
// "cg-prp", "cg-hs", "cg-dy", "cg-hz" select the variant; "gd" is gradient
// descent with a line search. The line-search methods (lbfgs, bfgs, cg*, gd,
// newton) have no learning rate and ignore lr.
//
// The stepping methods returned implement Stepper, which a mini-batch loop
// can assert; the others are run with Minimize. New returns an error wrapping
// ErrUnknownMethod for an unknown name and ErrSetting for a negative or
// non-finite lr.
func New(name string, lr float64) (Method, error) {
	if err := checkNonNeg("New", "learning rate", lr); err != nil {
		return nil, err
	}
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "sgd":
		return &SGD{LearningRate: lr}, nil
	case "momentum":
		return &SGD{LearningRate: lr, Momentum: 0.9}, nil
	case "nesterov":
		return &SGD{LearningRate: lr, Momentum: 0.9, Nesterov: true}, nil
	case "adagrad":
		return &Adagrad{LearningRate: lr}, nil
	case "rmsprop":
		return &RMSprop{LearningRate: lr}, nil
	case "adadelta":
		return &Adadelta{LearningRate: lr}, nil
	case "adam":
		return &Adam{LearningRate: lr}, nil
	case "amsgrad":
		return &Adam{LearningRate: lr, AMSGrad: true}, nil
	case "adamw":
		return &AdamW{LearningRate: lr, WeightDecay: defaultAdamWDecay}, nil
	case "lbfgs", "l-bfgs":
		return &LBFGS{}, nil
	case "bfgs":
		return &BFGS{}, nil
	case "cg", "cg-hs":
		return &CG{Variant: HestenesStiefel}, nil
	case "cg-fr":
		return &CG{Variant: FletcherReeves}, nil
	case "cg-prp":
		return &CG{Variant: PolakRibierePolyak}, nil
	case "cg-dy":
		return &CG{Variant: DaiYuan}, nil
	case "cg-hz":
		return &CG{Variant: HagerZhang}, nil
	case "gd":
		return &GradientDescent{}, nil
	case "newton":
		return &Newton{}, nil
	}
	return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownMethod, name, strings.Join(methodNames, ", "))
}

// NewStepper is New restricted to the stepping methods, for mini-batch
// training. For a line-search method it returns an error wrapping ErrSetting
// that says to run it full-batch with Minimize.
func NewStepper(name string, lr float64) (Stepper, error) {
	m, err := New(name, lr)
	if err != nil {
		return nil, err
	}
	s, ok := m.(Stepper)
	if !ok {
		return nil, fmt.Errorf("%w: method %q does not step on mini-batches; run it full-batch with Minimize", ErrSetting, name)
	}
	return s, nil
}

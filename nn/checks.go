package nn

import (
	"math/rand/v2"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/verify"
)

// Checks proves whole networks right with package verify, as "adjunto verify --model mlp"
// prints: the dot-product and Taylor tests of the logits with respect
// to the parameters and to the inputs, and the gradient test and finite-difference check of
// the training objective J with respect to the parameters, for the course's tanh network, a
// ReLU classifier with cross-entropy and L2 penalty, and a network with batch normalisation
// and dropout in training mode (its masks fixed while checked). The dot-product tolerance is
// the 1e-10 the contract allows long composites.
func Checks(seed uint64) []verify.Report {
	cases := []struct {
		name, spec string
		opts       MLPOptions
		cfg        Config
		train      bool
	}{
		{"mlp/1-100-1:tanh", "1-100-1:tanh", MLPOptions{}, Config{}, false},
		{"mlp/4-16-16-3:softplus/ce/L2", "4-16-16-3:softplus", MLPOptions{}, Config{Loss: CrossEntropy, Penalty: Penalty{Lambda: 0.01}}, false},
		{"mlp/3-12-12-2:tanh/batchnorm+dropout", "3-12-12-2:tanh", MLPOptions{BatchNorm: true, Dropout: 0.2}, Config{Loss: BCEWithLogits}, true},
	}
	var reports []verify.Report
	for _, c := range cases {
		c.cfg.Seed = seed
		net, err := NewMLP(c.spec, c.opts, c.cfg)
		if err != nil {
			panic(err) // the specs above are fixed: a failure is a programming error
		}
		reports = append(reports, CheckNetwork(c.name, net, c.train, seed)...)
	}
	return reports
}

// CheckNetwork runs on net the checks Checks runs on its networks, each report's name
// prefixed by name: the dot-product and Taylor tests of the logits with respect to the
// parameters and to the inputs, and the gradient test and finite-difference check of the
// training objective J with respect to the parameters, on a random batch of 8 rows drawn from
// seed. With train set the layers run as in training, dropout masks fixed (see Build). It is
// how a user-defined Layer is proved right: put it in a network and check that.
func CheckNetwork(name string, net *Network, train bool, seed uint64) []verify.Report {
	s := verify.Settings{Seed: seed, Tolerances: verify.Tolerances{DotProduct: 1e-10}}
	const rows = 8
	rng := rand.New(rand.NewPCG(seed, 0x6d6c70))
	x := make([]float64, rows*net.In())
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	y := make([]float64, rows*net.Out())
	for i := range y {
		y[i] = rng.Float64()
	}
	if net.Config().Loss == CrossEntropy {
		labels := make([]int, rows)
		for i := range labels {
			labels[i] = rng.IntN(net.Out())
		}
		y = OneHot(labels, net.Out())
	}
	params := append([]float64(nil), net.Params()...)
	in, out := net.In(), net.Out()
	var reports []verify.Report

	fn, p0 := verify.NewTapeFunc(func(t *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
		z, _ := net.Build(xs[0], t.Constant(x, rows, in), nil, train)
		return z
	}, []verify.Input{{Data: params}})
	reports = append(reports, verify.All(name+"/params", fn, p0, s)...)

	fn, x0 := verify.NewTapeFunc(func(t *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
		z, _ := net.Build(t.Constant(params, 1, len(params)), xs[0], nil, train)
		return z
	}, []verify.Input{{Data: x, Rows: rows, Cols: in}})
	reports = append(reports, verify.All(name+"/inputs", fn, x0, s)...)

	fn, p0 = verify.NewTapeFunc(func(t *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
		_, J := net.Build(xs[0], t.Constant(x, rows, in), t.Constant(y, rows, out), train)
		return J
	}, []verify.Input{{Data: params}})
	return append(reports, verify.All(name+"/J", fn, p0, s)...)
}

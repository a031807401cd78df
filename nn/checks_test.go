package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/verify"
)

// randomBatch returns a rows×cols batch of N(0, 1) values.
func randomBatch(rng *rand.Rand, rows, cols int) []float64 {
	x := make([]float64, rows*cols)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

// targetsFor returns targets suited to the loss: values for regression, probabilities for
// BCE, one-hot rows for cross-entropy.
func targetsFor(rng *rand.Rand, l Loss, rows, cols int) []float64 {
	y := randomBatch(rng, rows, cols)
	switch l {
	case BCEWithLogits:
		for i := range y {
			y[i] = rng.Float64()
		}
	case CrossEntropy:
		labels := make([]int, rows)
		for i := range labels {
			labels[i] = rng.IntN(cols)
		}
		y = OneHot(labels, cols)
	}
	return y
}

// TestNetworkChecks runs verify's four checks (dot-product, Taylor, gradient, finite
// differences) on whole networks: the logits as a function of the parameters and of the
// inputs, and the objective J as a function of the parameters, for every loss, both
// penalties, and batch norm and dropout in training mode. The tolerances are verify's
// defaults except the dot-product test, which gets the 1e-10 the contract allows composites.
func TestNetworkChecks(t *testing.T) {
	cases := []struct {
		name  string
		spec  string
		opts  MLPOptions
		cfg   Config
		train bool
	}{
		{"tanh/course-mse", "3-8-8-2:tanh", MLPOptions{}, Config{}, false},
		{"sigmoid/mse-mean/L2", "3-6-2:sigmoid", MLPOptions{}, Config{Loss: MeanSquaredError, Penalty: Penalty{Lambda: 0.3}}, false},
		{"softplus/bce/L1", "3-6-2:softplus", MLPOptions{}, Config{Loss: BCEWithLogits, Penalty: Penalty{Lambda: 0.1, Q: 1}}, false},
		{"swish/ce", "4-7-3:swish", MLPOptions{}, Config{Loss: CrossEntropy}, false},
		{"tanh/batchnorm+dropout/train", "3-8-8-2:tanh", MLPOptions{BatchNorm: true, Dropout: 0.3}, Config{}, true},
		{"tanh/batchnorm/eval", "3-8-2:tanh", MLPOptions{BatchNorm: true}, Config{Loss: CrossEntropy}, false},
	}
	const rows = 5
	s := verify.Settings{Seed: 3, Tolerances: verify.Tolerances{DotProduct: 1e-10}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.Seed = 2
			n, err := NewMLP(c.spec, c.opts, c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(5, 6))
			// Non-trivial batch-norm parameters and statistics, so that γ, β, μ and σ² matter.
			for i, l := range n.layers {
				if l.Kind() == KindBatchNorm {
					g, b := n.LayerParams(i)
					mean, vr := n.RunningStats(i)
					for j := range g {
						g[j], b[j], mean[j], vr[j] = 1+0.3*rng.NormFloat64(), 0.2*rng.NormFloat64(), 0.1*rng.NormFloat64(), 0.5+rng.Float64()
					}
				}
			}
			x := randomBatch(rng, rows, n.In())
			y := targetsFor(rng, c.cfg.Loss, rows, n.Out())
			params := append([]float64(nil), n.Params()...)
			var all []verify.Report

			fn, p0 := verify.NewTapeFunc(func(tp *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
				out, _ := n.Build(xs[0], tp.Constant(x, rows, n.In()), nil, c.train)
				return out
			}, []verify.Input{{Data: params}})
			all = append(all, verify.All(c.name+"/params", fn, p0, s)...)

			fn, x0 := verify.NewTapeFunc(func(tp *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
				out, _ := n.Build(tp.Constant(params, 1, len(params)), xs[0], nil, c.train)
				return out
			}, []verify.Input{{Data: x, Rows: rows, Cols: n.In()}})
			all = append(all, verify.All(c.name+"/inputs", fn, x0, s)...)

			fn, p0 = verify.NewTapeFunc(func(tp *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
				_, J := n.Build(xs[0], tp.Constant(x, rows, n.In()), tp.Constant(y, rows, n.Out()), c.train)
				return J
			}, []verify.Input{{Data: params}})
			all = append(all, verify.All(c.name+"/J", fn, p0, s)...)

			for _, r := range all {
				if !r.Pass {
					t.Errorf("%v", r)
				}
			}
		})
	}
}

// TestObjectiveMatchesBuild guards the training path (variables aliasing Params, adjoints
// aliasing one gradient vector, replayed programs) against the verified Build path: the same
// J and gradient to 1e-13 relative, after several replays at different parameters.
func TestObjectiveMatchesBuild(t *testing.T) {
	n, err := NewMLP("3-8-8-2:tanh", MLPOptions{}, Config{Loss: MeanSquaredError, Penalty: Penalty{Lambda: 0.05}, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	const rows = 6
	d, _ := NewDataset(randomBatch(rng, rows, 3), randomBatch(rng, rows, 2), rows, 3, 2)
	grad := make([]float64, n.NumParams())
	for rep := range 3 {
		for i := range n.Params() {
			n.Params()[i] += 0.1 * rng.NormFloat64()
		}
		J := n.Objective(grad, d)

		tp := adjoint.NewTape()
		pv := tp.Vector(append([]float64(nil), n.Params()...))
		_, Jb := n.Build(pv, tp.Constant(d.X, rows, 3), tp.Constant(d.Y, rows, 2), false)
		tp.Gradient(Jb)
		if math.Abs(J-Jb.Scalar()) > 1e-13*math.Abs(J) {
			t.Fatalf("replay %d: J = %v, Build gives %v", rep, J, Jb.Scalar())
		}
		for i, g := range grad {
			if math.Abs(g-pv.Adj[i]) > 1e-13*math.Max(1, math.Abs(g)) {
				t.Fatalf("replay %d: gradient %d = %v, Build gives %v", rep, i, g, pv.Adj[i])
			}
		}
	}
}

// TestFusedAgainstComposed checks the fused primitives of this package against the same maps
// composed from engine primitives: value, tangent and adjoint, to 1e-13 relative.
func TestFusedAgainstComposed(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const rows, cols = 6, 4
	x := randomBatch(rng, rows, cols)
	gamma := randomBatch(rng, 1, cols)
	beta := randomBatch(rng, 1, cols)
	mean := randomBatch(rng, 1, cols)
	vr := make([]float64, cols)
	for j := range vr {
		vr[j] = 0.5 + rng.Float64()
	}
	const eps = 1e-5
	ones := make([]float64, rows)
	for i := range ones {
		ones[i] = 1
	}
	// expand returns the 1×cols row v repeated on every row, as a rows×cols value.
	expand := func(tp *adjoint.Tape, v *adjoint.Value) *adjoint.Value {
		return adjoint.MatMul(tp.Constant(ones, rows, 1), v)
	}
	colMean := func(tp *adjoint.Tape, v *adjoint.Value) *adjoint.Value {
		return adjoint.Scale(1/float64(rows), adjoint.MatMul(tp.Constant(ones, 1, rows), v))
	}
	cases := []struct {
		name            string
		fused, composed func(tp *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value
		inputs          []verify.Input
	}{
		{
			name: "BatchNorm",
			fused: func(tp *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
				op := &batchNormOp{eps: eps, momentum: 0.1, runMean: make([]float64, cols), runVar: make([]float64, cols)}
				return tp.Apply(op, rows, cols, xs...)
			},
			composed: func(tp *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
				xc := adjoint.Sub(xs[0], expand(tp, colMean(tp, xs[0])))
				v := colMean(tp, adjoint.Square(xc))
				inv := adjoint.Pow(adjoint.Add(v, tp.Scalar(eps)), -0.5)
				return adjoint.AddRow(adjoint.Mul(adjoint.Mul(xc, expand(tp, inv)), expand(tp, xs[1])), xs[2])
			},
			inputs: []verify.Input{{Data: x, Rows: rows, Cols: cols}, {Data: gamma}, {Data: beta}},
		},
		{
			name: "BatchNormEval",
			fused: func(tp *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
				return tp.Apply(&batchNormEvalOp{eps: eps, runMean: mean, runVar: vr}, rows, cols, xs...)
			},
			composed: func(tp *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
				inv := adjoint.Pow(adjoint.Add(tp.Constant(vr, 1, cols), tp.Scalar(eps)), -0.5)
				xc := adjoint.AddRow(xs[0], adjoint.Neg(tp.Constant(mean, 1, cols)))
				return adjoint.AddRow(adjoint.Mul(adjoint.Mul(xc, expand(tp, inv)), expand(tp, xs[1])), xs[2])
			},
			inputs: []verify.Input{{Data: x, Rows: rows, Cols: cols}, {Data: gamma}, {Data: beta}},
		},
		{
			name: "PenaltyL2",
			fused: func(tp *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
				return tp.Apply(penaltyOp{0.7, 2}, 1, 1, xs...)
			},
			composed: func(tp *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
				return adjoint.Scale(0.35, adjoint.Add(adjoint.SumSquares(xs[0]), adjoint.SumSquares(xs[1])))
			},
			inputs: []verify.Input{{Data: x, Rows: rows, Cols: cols}, {Data: gamma}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ff, p := verify.NewTapeFunc(c.fused, c.inputs)
			fc, _ := verify.NewTapeFunc(c.composed, c.inputs)
			yf, yc := make([]float64, ff.M), make([]float64, fc.M)
			ff.F(yf, p)
			fc.F(yc, p)
			dx := randomBatch(rng, 1, ff.N)
			ay := randomBatch(rng, 1, ff.M)
			tf, tc := make([]float64, ff.M), make([]float64, fc.M)
			ff.Linearize(p)
			ff.Tangent(tf, dx)
			fc.Linearize(p)
			fc.Tangent(tc, dx)
			af, ac := make([]float64, ff.N), make([]float64, fc.N)
			ff.Linearize(p)
			ff.Adjoint(af, ay)
			fc.Linearize(p)
			fc.Adjoint(ac, ay)
			for _, pair := range []struct {
				what      string
				got, want []float64
			}{{"value", yf, yc}, {"tangent", tf, tc}, {"adjoint", af, ac}} {
				for i := range pair.want {
					if math.Abs(pair.got[i]-pair.want[i]) > 1e-13*math.Max(1, math.Abs(pair.want[i])) {
						t.Fatalf("%s[%d]: fused %v, composed %v", pair.what, i, pair.got[i], pair.want[i])
					}
				}
			}
			for _, r := range verify.All(c.name, ff, p, verify.Settings{Seed: 1}) {
				if !r.Pass {
					t.Errorf("%v", r)
				}
			}
		})
	}
}

// TestChecksPass runs the network suite of "adjunto verify --model mlp": dot-product, Taylor,
// gradient and finite-difference checks of three networks with respect to their parameters
// and inputs, all of which must pass.
func TestChecksPass(t *testing.T) {
	reps := Checks(1)
	if len(reps) != 36 {
		t.Errorf("%d checks, want 36 (3 networks × 3 maps × 4 tests)", len(reps))
	}
	for _, r := range verify.Failed(reps) {
		t.Errorf("failed: %+v", r)
	}
}

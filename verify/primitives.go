package verify

import (
	"math"
	"math/rand/v2"

	"github.com/adjunto/adjunto/adjoint"
)

// Domain says where the random point of a primitive case is drawn, so that each primitive is
// checked where it is differentiable and the steps of the Taylor and gradient tests (at most
// 0.1 in each coordinate) stay there.
type Domain int

const (
	// Real draws standard normal values.
	Real Domain = iota
	// Positive draws from [0.5, 2), for log, sqrt, pow and the divisor of div.
	Positive
	// AwayFromZero draws ±[0.5, 2) with a random sign: both sides of a kink at 0 (ReLU,
	// leaky ReLU, step) are covered, but never the kink itself.
	AwayFromZero
)

// Shape is the shape of one input of a primitive case.
type Shape struct {
	Rows, Cols int
	Domain     Domain // where the input's random values are drawn
}

// Case is one entry of the primitive suite: a program around one primitive of package adjoint,
// checked with its inputs as variables at a random point.
type Case struct {
	// Name identifies the case in reports, for example "Add/broadcast-b".
	Name string

	// Primitive is the name of the constructor of package adjoint that the case exercises;
	// the suite's tests check that every exported constructor has a case.
	Primitive string

	// Inputs are the shapes and domains of the variables passed to Build.
	Inputs []Shape

	// Build records the program on t from the variables xs.
	Build func(t *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value
}

func vec(n int, d Domain) Shape    { return Shape{1, n, d} }
func mat(r, c int, d Domain) Shape { return Shape{r, c, d} }

type build = func(t *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value

func unaryCase(name string, d Domain, f func(*adjoint.Value) *adjoint.Value) Case {
	return Case{name, name, []Shape{mat(3, 4, d)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value { return f(xs[0]) }}
}

func binaryCases(name string, f func(a, b *adjoint.Value) *adjoint.Value, db Domain) []Case {
	return []Case{
		{name, name, []Shape{mat(3, 4, Real), mat(3, 4, db)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value { return f(xs[0], xs[1]) }},
		{name + "/broadcast-b", name, []Shape{mat(3, 4, Real), mat(1, 1, db)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value { return f(xs[0], xs[1]) }},
		{name + "/broadcast-a", name, []Shape{mat(1, 1, Real), mat(3, 4, db)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value { return f(xs[0], xs[1]) }},
		// One passive operand: the rules must read its nil tangent as zero and skip its adjoint.
		{name + "/constant-b", name, []Shape{mat(3, 4, Real)}, func(t *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return f(xs[0], t.Constant([]float64{1.5, 0.7, 1.2, 0.9, 1.1, 1.3, 0.6, 1.8, 0.8, 1.4, 1.7, 0.55}, 3, 4))
		}},
		{name + "/constant-a", name, []Shape{mat(3, 4, db)}, func(t *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return f(t.Scalar(-0.75), xs[0])
		}},
	}
}

// PrimitiveCases returns the primitive suite: at least one case for every primitive
// constructor of package adjoint, covering both operands of binary operations, scalar
// broadcast, passive operands, fan-out, matrices and the index bookkeeping of gather, scatter,
// slice, concatenation and shifts.
func PrimitiveCases() []Case {
	var cs []Case
	cs = append(cs, binaryCases("Add", adjoint.Add, Real)...)
	cs = append(cs, binaryCases("Sub", adjoint.Sub, Real)...)
	cs = append(cs, binaryCases("Mul", adjoint.Mul, Real)...)
	cs = append(cs, binaryCases("Div", adjoint.Div, Positive)...)
	cs = append(cs,
		Case{"Mul/fan-out", "Mul", []Shape{mat(3, 4, Real)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			// x ⊙ x: both operands are one value, whose adjoint receives both contributions.
			return adjoint.Mul(xs[0], xs[0])
		}},
		unaryCase("Neg", Real, adjoint.Neg),
		unaryCase("Scale", Real, func(x *adjoint.Value) *adjoint.Value { return adjoint.Scale(-2.5, x) }),
		unaryCase("Square", Real, adjoint.Square),
		unaryCase("Exp", Real, adjoint.Exp),
		unaryCase("Log", Positive, adjoint.Log),
		unaryCase("Sqrt", Positive, adjoint.Sqrt),
		unaryCase("Pow", Positive, func(x *adjoint.Value) *adjoint.Value { return adjoint.Pow(x, 2.5) }),
		Case{"Pow/negative-exponent", "Pow", []Shape{mat(3, 4, Positive)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.Pow(xs[0], -1.5)
		}},
		unaryCase("Step", AwayFromZero, adjoint.Step),
		unaryCase("Identity", Real, adjoint.Identity),
		unaryCase("ReLU", AwayFromZero, adjoint.ReLU),
		unaryCase("LeakyReLU", AwayFromZero, func(x *adjoint.Value) *adjoint.Value { return adjoint.LeakyReLU(x, 0.1) }),
		unaryCase("Tanh", Real, adjoint.Tanh),
		unaryCase("Sigmoid", Real, adjoint.Sigmoid),
		unaryCase("Swish", Real, adjoint.Swish),
		unaryCase("Softplus", Real, adjoint.Softplus),
		unaryCase("Softmax", Real, adjoint.Softmax),
		unaryCase("LogSoftmax", Real, adjoint.LogSoftmax),

		Case{"MatMul", "MatMul", []Shape{mat(3, 4, Real), mat(4, 2, Real)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.MatMul(xs[0], xs[1])
		}},
		Case{"MatMul/constant-b", "MatMul", []Shape{mat(3, 4, Real)}, func(t *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.MatMul(xs[0], t.Constant([]float64{1, -2, 0.5, 3, -1, 0.25, 2, -0.5}, 4, 2))
		}},
		Case{"Dense", "Dense", []Shape{mat(3, 4, Real), mat(2, 4, Real), vec(2, Real)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.Dense(xs[0], xs[1], xs[2])
		}},
		Case{"Dense/no-bias", "Dense", []Shape{mat(3, 4, Real), mat(2, 4, Real)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.Dense(xs[0], xs[1], nil)
		}},
		Case{"MatVec", "MatVec", []Shape{mat(3, 4, Real), vec(4, Real)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.MatVec(xs[0], xs[1])
		}},
		Case{"MatVec/column", "MatVec", []Shape{mat(3, 4, Real), mat(4, 1, Real)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.MatVec(xs[0], xs[1])
		}},
		Case{"AddRow", "AddRow", []Shape{mat(3, 4, Real), vec(4, Real)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.AddRow(xs[0], xs[1])
		}},
		unaryCase("Transpose", Real, adjoint.Transpose),
		Case{"Reshape", "Reshape", []Shape{mat(3, 4, Real)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.Reshape(xs[0], 2, 6)
		}},

		unaryCase("Sum", Real, adjoint.Sum),
		unaryCase("Mean", Real, adjoint.Mean),
		unaryCase("SumSquares", Real, adjoint.SumSquares),
		Case{"Dot", "Dot", []Shape{mat(3, 4, Real), vec(12, Real)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.Dot(xs[0], xs[1])
		}},
		Case{"Dot/self", "Dot", []Shape{vec(5, Real)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.Dot(xs[0], xs[0])
		}},
		Case{"Dot/constant-a", "Dot", []Shape{vec(3, Real)}, func(t *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.Dot(t.Constant([]float64{0.5, -1, 2}, 1, 3), xs[0])
		}},

		Case{"Gather/repeated", "Gather", []Shape{mat(3, 4, Real)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.Gather(xs[0], []int{5, 0, 11, 5, 5, 3, 0})
		}},
		Case{"Scatter/repeated", "Scatter", []Shape{mat(2, 3, Real)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.Scatter(xs[0], []int{4, 0, 4, 7, 2, 4}, 9)
		}},
		Case{"Slice", "Slice", []Shape{mat(3, 4, Real)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.Slice(xs[0], 3, 10)
		}},
		Case{"Concat/matrices", "Concat", []Shape{mat(3, 2, Real), mat(3, 4, Real), mat(3, 1, Real)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.Concat(xs...)
		}},
		Case{"Concat/vectors-constant", "Concat", []Shape{vec(3, Real), vec(2, Real)}, func(t *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.Concat(xs[0], t.Constant([]float64{1, 2}, 1, 2), xs[1])
		}},
		Case{"Shift/+1", "Shift", []Shape{mat(3, 5, Real)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.Shift(xs[0], 1)
		}},
		Case{"Shift/-2", "Shift", []Shape{mat(3, 5, Real)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.Shift(xs[0], -2)
		}},
		Case{"Shift/-7", "Shift", []Shape{vec(5, Real)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			// |k| larger than the row: the shift wraps around more than once.
			return adjoint.Shift(xs[0], -7)
		}},
		Case{"Filter/grid", "Filter", []Shape{mat(3, 4, Real)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			// A Helmholtz inverse on a 3×4 periodic grid: odd and even sizes, so that the
			// Nyquist column and a row without a Nyquist mode are both exercised.
			return adjoint.Filter(xs[0], adjoint.NewSpectral(4, 3, func(kx, ky int) float64 {
				return -1 / float64(1+kx*kx+ky*ky)
			}))
		}},
		Case{"Filter/ring", "Filter", []Shape{vec(7, Real)}, func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
			return adjoint.Filter(adjoint.Square(xs[0]), adjoint.NewSpectral(7, 1, func(kx, _ int) float64 {
				return math.Exp(-float64(kx * kx))
			}))
		}},
	)
	return cs
}

// Point draws the inputs of c from rnd, each in its domain.
func (c Case) Point(rnd *rand.Rand) []Input {
	in := make([]Input, len(c.Inputs))
	for i, s := range c.Inputs {
		data := make([]float64, s.Rows*s.Cols)
		for j := range data {
			switch s.Domain {
			case Real:
				data[j] = rnd.NormFloat64()
			case Positive:
				data[j] = 0.5 + 1.5*rnd.Float64()
			case AwayFromZero:
				data[j] = 0.5 + 1.5*rnd.Float64()
				if rnd.IntN(2) == 0 {
					data[j] = -data[j]
				}
			}
		}
		in[i] = Input{Data: data, Rows: s.Rows, Cols: s.Cols}
	}
	return in
}

// Run checks c at a point drawn from seed with the four checks and the settings s.
func (c Case) Run(s Settings) []Report {
	rnd := rand.New(rand.NewPCG(s.Seed, hashName(c.Name)))
	return Tape(c.Name, c.Build, c.Point(rnd), s)
}

// hashName is FNV-1a of name: each case draws its point from its own stream, so that adding a
// case does not move the points of the others.
func hashName(name string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	return h
}

// Primitives runs every case of PrimitiveCases with the settings s and returns all the
// reports, four per case.
func Primitives(s Settings) []Report {
	var reports []Report
	for _, c := range PrimitiveCases() {
		reports = append(reports, c.Run(s)...)
	}
	return reports
}

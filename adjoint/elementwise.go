package adjoint

import (
	"fmt"
	"math"

	"github.com/adjunto/adjunto/internal/vmath"
)

// binaryKind selects one of the elementwise binary primitives.
type binaryKind int

const (
	kindAdd binaryKind = iota
	kindSub
	kindMul
	kindDiv
)

// binaryOp is y = a ∘ b elementwise, where ∘ is +, −, · or /, and either operand may be a 1×1
// scalar broadcast over the other. Broadcasting is done with a stride of 0 into the scalar, so
// the adjoint of a broadcast scalar sums over the elements without a special case.
type binaryOp struct{ kind binaryKind }

var binaryNames = [...]string{"Add", "Sub", "Mul", "Div"}

func (p binaryOp) Name() string { return binaryNames[p.kind] }

func binary(kind binaryKind, a, b *Value) *Value {
	rows, cols := a.rows, a.cols
	switch {
	case a.rows == b.rows && a.cols == b.cols:
	case b.Len() == 1:
	case a.Len() == 1:
		rows, cols = b.rows, b.cols
	default:
		panic(fmt.Sprintf("adjoint: %s: shape mismatch %s vs %s", binaryNames[kind], a.shape(), b.shape()))
	}
	return apply(binaryOp{kind}, rows, cols, a, b)
}

// strides returns the index strides into a and b for an output of length n: 1 for a full
// operand, 0 for a broadcast scalar.
func strides(n int, a, b *Value) (sa, sb int) {
	sa, sb = 1, 1
	if a.Len() != n {
		sa = 0
	}
	if b.Len() != n {
		sb = 0
	}
	return sa, sb
}

func (p binaryOp) Forward(out *Value, in []*Value) {
	a, b, y := in[0].Data, in[1].Data, out.Data
	sa, sb := strides(len(y), in[0], in[1])
	switch p.kind {
	case kindAdd:
		for i := range y {
			y[i] = a[i*sa] + b[i*sb]
		}
	case kindSub:
		for i := range y {
			y[i] = a[i*sa] - b[i*sb]
		}
	case kindMul:
		for i := range y {
			y[i] = a[i*sa] * b[i*sb]
		}
	case kindDiv:
		for i := range y {
			y[i] = a[i*sa] / b[i*sb]
		}
	}
}

func (p binaryOp) Tangent(out *Value, in []*Value) {
	a, b := in[0], in[1]
	dy := out.Tan
	sa, sb := strides(len(dy), a, b)
	clear(dy)
	if da := a.Tan; da != nil {
		switch p.kind {
		case kindAdd, kindSub:
			for i := range dy {
				dy[i] += da[i*sa]
			}
		case kindMul:
			for i := range dy {
				dy[i] += da[i*sa] * b.Data[i*sb]
			}
		case kindDiv:
			for i := range dy {
				dy[i] += da[i*sa] / b.Data[i*sb]
			}
		}
	}
	if db := b.Tan; db != nil {
		switch p.kind {
		case kindAdd:
			for i := range dy {
				dy[i] += db[i*sb]
			}
		case kindSub:
			for i := range dy {
				dy[i] -= db[i*sb]
			}
		case kindMul:
			for i := range dy {
				dy[i] += a.Data[i*sa] * db[i*sb]
			}
		case kindDiv:
			// ∂(a/b)/∂b = −y/b.
			for i := range dy {
				dy[i] -= out.Data[i] / b.Data[i*sb] * db[i*sb]
			}
		}
	}
}

func (p binaryOp) Adjoint(out *Value, in []*Value) {
	a, b := in[0], in[1]
	ay := out.Adj
	sa, sb := strides(len(ay), a, b)
	if aa := a.Adj; aa != nil {
		switch p.kind {
		case kindAdd, kindSub:
			for i, g := range ay {
				aa[i*sa] += g
			}
		case kindMul:
			for i, g := range ay {
				aa[i*sa] += g * b.Data[i*sb]
			}
		case kindDiv:
			for i, g := range ay {
				aa[i*sa] += g / b.Data[i*sb]
			}
		}
	}
	if ab := b.Adj; ab != nil {
		switch p.kind {
		case kindAdd:
			for i, g := range ay {
				ab[i*sb] += g
			}
		case kindSub:
			for i, g := range ay {
				ab[i*sb] -= g
			}
		case kindMul:
			for i, g := range ay {
				ab[i*sb] += g * a.Data[i*sa]
			}
		case kindDiv:
			for i, g := range ay {
				ab[i*sb] -= g * out.Data[i] / b.Data[i*sb]
			}
		}
	}
}

// Add returns a + b elementwise. Both must have the same shape, or one must be 1×1 (a scalar
// broadcast over the other, whose adjoint is then the sum over the elements).
func Add(a, b *Value) *Value { return binary(kindAdd, a, b) }

// Sub returns a − b elementwise, with Add's shape rules.
func Sub(a, b *Value) *Value { return binary(kindSub, a, b) }

// Mul returns the elementwise (Hadamard) product a ⊙ b, with Add's shape rules.
func Mul(a, b *Value) *Value { return binary(kindMul, a, b) }

// Div returns a / b elementwise, with Add's shape rules.
func Div(a, b *Value) *Value { return binary(kindDiv, a, b) }

// unaryKind selects one of the elementwise unary primitives.
type unaryKind int

const (
	kindNeg unaryKind = iota
	kindScale
	kindSquare
	kindExp
	kindLog
	kindSqrt
	kindPow
	kindStep
	kindIdentity
	kindReLU
	kindLeakyReLU
	kindTanh
	kindSigmoid
	kindSwish
	kindSoftplus
)

var unaryNames = [...]string{
	"Neg", "Scale", "Square", "Exp", "Log", "Sqrt", "Pow",
	"Step", "Identity", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Swish", "Softplus",
}

// unaryOp is y = f(x) elementwise. Its tangent and adjoint both multiply by the local
// derivative f'(x), computed from x and y during the sweep rather than stored in the forward,
// so a recorded tape holds only the values themselves.
type unaryOp struct {
	kind unaryKind
	a    float64 // the scale of Scale, the exponent of Pow, the slope of LeakyReLU
}

func (p unaryOp) Name() string { return unaryNames[p.kind] }

func unary(kind unaryKind, a float64, x *Value) *Value {
	return apply(unaryOp{kind, a}, x.rows, x.cols, x)
}

func (p unaryOp) Forward(out *Value, in []*Value) {
	x, y := in[0].Data, out.Data
	y = y[:len(x)]
	switch p.kind {
	case kindNeg:
		for i, v := range x {
			y[i] = -v
		}
	case kindScale:
		for i, v := range x {
			y[i] = p.a * v
		}
	case kindSquare:
		for i, v := range x {
			y[i] = v * v
		}
	case kindExp:
		for i, v := range x {
			y[i] = math.Exp(v)
		}
	case kindLog:
		for i, v := range x {
			y[i] = math.Log(v)
		}
	case kindSqrt:
		for i, v := range x {
			y[i] = math.Sqrt(v)
		}
	case kindPow:
		for i, v := range x {
			y[i] = math.Pow(v, p.a)
		}
	case kindStep:
		for i, v := range x {
			y[i] = 0
			if v >= 0 {
				y[i] = 1
			}
		}
	case kindIdentity:
		copy(y, x)
	case kindReLU:
		for i, v := range x {
			y[i] = max(v, 0)
		}
	case kindLeakyReLU:
		for i, v := range x {
			if v < 0 {
				v *= p.a
			}
			y[i] = v
		}
	case kindTanh:
		vmath.Tanh(y, x)
	case kindSigmoid:
		for i, v := range x {
			y[i] = sigmoid(v)
		}
	case kindSwish:
		for i, v := range x {
			y[i] = v * sigmoid(v)
		}
	case kindSoftplus:
		for i, v := range x {
			y[i] = softplus(v)
		}
	}
}

// sigmoid is the logistic function 1/(1+e^{−x}), written so that neither branch overflows.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// softplus is log(1+e^x), computed as max(x,0) + log1p(e^{−|x|}) so it neither overflows for
// large x nor loses all digits for very negative x.
func softplus(x float64) float64 {
	return max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

func (p unaryOp) Tangent(out *Value, in []*Value) {
	if in[0].Tan == nil {
		clear(out.Tan)
		return
	}
	p.chain(out.Tan, in[0].Tan, in[0].Data, out.Data, false)
}

func (p unaryOp) Adjoint(out *Value, in []*Value) {
	if in[0].Adj == nil {
		return
	}
	p.chain(in[0].Adj, out.Adj, in[0].Data, out.Data, true)
}

// chain sets dst = f'(x) ⊙ src, or adds it to dst when acc is true: the tangent rule is the
// first, the adjoint rule the second, because the Jacobian of an elementwise map is diagonal
// and so equal to its transpose.
func (p unaryOp) chain(dst, src, x, y []float64, acc bool) {
	dst = dst[:len(src)]
	x = x[:len(src)]
	y = y[:len(src)]
	put := func(i int, v float64) {
		if acc {
			dst[i] += v
		} else {
			dst[i] = v
		}
	}
	switch p.kind {
	case kindNeg:
		for i, s := range src {
			put(i, -s)
		}
	case kindScale:
		for i, s := range src {
			put(i, p.a*s)
		}
	case kindSquare:
		for i, s := range src {
			put(i, 2*x[i]*s)
		}
	case kindExp:
		for i, s := range src {
			put(i, y[i]*s)
		}
	case kindLog:
		for i, s := range src {
			put(i, s/x[i])
		}
	case kindSqrt:
		for i, s := range src {
			put(i, s/(2*y[i]))
		}
	case kindPow:
		for i, s := range src {
			put(i, p.a*math.Pow(x[i], p.a-1)*s)
		}
	case kindStep:
		// The derivative of the step is zero wherever it exists: the reason the course
		// gives for never training with it.
		if !acc {
			clear(dst)
		}
	case kindIdentity:
		for i, s := range src {
			put(i, s)
		}
	case kindReLU:
		vmath.ReLUChain(dst, src, x, acc)
	case kindLeakyReLU:
		for i, s := range src {
			if x[i] < 0 {
				s *= p.a
			}
			put(i, s)
		}
	case kindTanh:
		vmath.TanhChain(dst, src, y, acc)
	case kindSigmoid:
		for i, s := range src {
			put(i, y[i]*(1-y[i])*s)
		}
	case kindSwish:
		// d/dx x·σ(x) = σ(x) + x·σ(x)(1−σ(x)) = σ(x)(1 + x − y).
		for i, s := range src {
			sg := sigmoid(x[i])
			put(i, sg*(1+x[i]-y[i])*s)
		}
	case kindSoftplus:
		for i, s := range src {
			put(i, sigmoid(x[i])*s)
		}
	}
}

// Neg returns −x.
func Neg(x *Value) *Value { return unary(kindNeg, 0, x) }

// Scale returns a·x for a constant a.
func Scale(a float64, x *Value) *Value { return unary(kindScale, a, x) }

// Square returns x² elementwise.
func Square(x *Value) *Value { return unary(kindSquare, 0, x) }

// Exp returns e^x elementwise.
func Exp(x *Value) *Value { return unary(kindExp, 0, x) }

// Log returns the natural logarithm of x elementwise.
func Log(x *Value) *Value { return unary(kindLog, 0, x) }

// Sqrt returns the square root of x elementwise.
func Sqrt(x *Value) *Value { return unary(kindSqrt, 0, x) }

// Pow returns x^p elementwise for a constant exponent p.
func Pow(x *Value, p float64) *Value { return unary(kindPow, p, x) }

// Step returns the binary step, 1 where x ≥ 0 and 0 elsewhere. Its derivative is zero.
func Step(x *Value) *Value { return unary(kindStep, 0, x) }

// Identity returns x unchanged: the linear activation.
func Identity(x *Value) *Value { return unary(kindIdentity, 0, x) }

// ReLU returns max(x, 0) elementwise; its derivative at 0 is taken as 0.
func ReLU(x *Value) *Value { return unary(kindReLU, 0, x) }

// LeakyReLU returns x where x ≥ 0 and slope·x elsewhere.
func LeakyReLU(x *Value, slope float64) *Value { return unary(kindLeakyReLU, slope, x) }

// Tanh returns the hyperbolic tangent of x elementwise.
func Tanh(x *Value) *Value { return unary(kindTanh, 0, x) }

// Sigmoid returns the logistic function 1/(1+e^{−x}) elementwise.
func Sigmoid(x *Value) *Value { return unary(kindSigmoid, 0, x) }

// Swish returns x·σ(x) elementwise (SiLU).
func Swish(x *Value) *Value { return unary(kindSwish, 0, x) }

// Softplus returns log(1+e^x) elementwise, a smooth ReLU.
func Softplus(x *Value) *Value { return unary(kindSoftplus, 0, x) }

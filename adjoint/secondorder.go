package adjoint

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
)

// Second order: forward over reverse.
//
// The adjoint sweep computes x̃ = ∇J(x). Differentiating the sweep itself along a direction
// δx (the tangent of the adjoint, "forward over reverse") gives δx̃ = ∇²J(x) δx: the exact
// Hessian-vector product, at the price of one tangent sweep, one reverse sweep and one
// second-order reverse sweep, against two gradients and an O(h²) error for the central
// difference of HessVec. A primitive y = f(x_1 … x_n) takes part through SecondOrder: the
// tangent of its adjoint rule x̃_i += (∂f/∂x_i)ᵀ ỹ is
//
//	δx̃_i += (∂f/∂x_i)ᵀ δỹ + Σ_j (∂²f/∂x_i ∂x_j [δx_j])ᵀ ỹ,
//
// the first-order rule applied to δỹ plus the curvature term. The built-in primitives'
// curvature terms are:
//
//   - linear maps (Add, Sub, Neg, Scale, Identity, Sum, Mean, Transpose, Reshape, AddRow,
//     Gather, Scatter, Slice, Concat, Shift, Filter): none, f'' = 0;
//   - piecewise-linear ones (Step, ReLU, LeakyReLU): none, f'' = 0 wherever it exists;
//   - elementwise unary y = f(x): f''(x) δx ỹ, with f'' = 2 (Square), y (Exp), −1/x² (Log),
//     −1/(4y³) (Sqrt), a(a−1)x^{a−2} (Pow), −2y(1−y²) (Tanh), y(1−y)(1−2y) (Sigmoid),
//     σ(1−σ)(2 + x(1−2σ)) (Swish x·σ(x)), σ(1−σ) (Softplus);
//   - Mul y = ab: δã += ỹ δb, δb̃ += ỹ δa;
//   - Div y = a/b: δã −= ỹ δb/b², δb̃ += −ỹ δa/b² + 2ỹ y δb/b²;
//   - MatMul C = AB: δÃ += C̃ δBᵀ, δB̃ += δAᵀ C̃; Dense Y = XWᵀ + b: δX̃ += Ỹ δW, δW̃ += Ỹᵀ δX;
//   - Dot s = a·b: δã += s̃ δb, δb̃ += s̃ δa; SumSquares s = ‖x‖²: δx̃ += 2 s̃ δx;
//   - Softmax s: δx̃ += δs ⊙ (ỹ − ỹ·s) − s (ỹ·δs); LogSoftmax (p = e^y): δx̃ −= p ⊙ δy Σ ỹ.
//
// Reference: B. A. Pearlmutter, Fast exact multiplication by the Hessian, Neural Comput. 6(1),
// 147–160, 1994; A. Griewank and A. Walther, Evaluating Derivatives, 2nd ed., SIAM, 2008,
// chapter 5.

// SecondOrder is a Primitive whose adjoint rule has a tangent, so that it takes part in
// Tape.HessVecExact. The built-in primitives implement it; a fused primitive that does not
// makes HessVecExact panic, naming it.
type SecondOrder interface {
	Primitive

	// AdjointTangent accumulates into in[i].AdjTan, for every input with a non-nil AdjTan,
	// the tangent of the adjoint rule along the inputs' tangents (Tan, nil read as zero):
	// δx̃_i += (∂f/∂x_i)ᵀ δỹ + Σ_j (∂²f/∂x_i ∂x_j [δx_j])ᵀ ỹ, with ỹ = out.Adj and
	// δỹ = out.AdjTan. Like Adjoint it must add, never assign.
	AdjointTangent(out *Value, in []*Value)
}

// HessVecExact sets dst = ∇²J(x) v, the exact Hessian-vector product of the scalar J recorded
// on t with respect to the variable x at the recorded point, by forward over reverse: a
// tangent sweep along v, a reverse sweep (the gradient, left in the values' Adj), and a
// second-order reverse sweep of the primitives' AdjointTangent rules (left in AdjTan).
// Other variables are held fixed. It panics if a recorded primitive on the way does not
// implement SecondOrder, naming it.
func (t *Tape) HessVecExact(dst []float64, x, J *Value, v []float64) {
	if len(v) != x.Len() || len(dst) != x.Len() {
		panic(fmt.Sprintf("adjoint: HessVecExact: v of length %d and dst of length %d for variable of shape %s", len(v), len(dst), x.shape()))
	}
	if !x.leaf || !x.active || x.tape != t {
		panic(fmt.Sprintf("adjoint: HessVecExact: value of shape %s is not a variable of this tape", x.shape()))
	}
	t.ZeroTangents()
	copy(x.Tan, v)
	t.TangentSweep()
	t.Gradient(J)
	for _, n := range t.nodes {
		if !n.active {
			continue
		}
		if len(n.AdjTan) != len(n.Data) {
			n.AdjTan = make([]float64, len(n.Data))
		} else {
			clear(n.AdjTan)
		}
	}
	for i := len(t.nodes) - 1; i >= 0; i-- {
		n := t.nodes[i]
		if n.prim == nil || !n.active {
			continue
		}
		so, ok := n.prim.(SecondOrder)
		if !ok {
			panic(fmt.Sprintf("adjoint: HessVecExact: primitive %s has no second-order rule (it does not implement SecondOrder)", n.prim.Name()))
		}
		so.AdjointTangent(n, n.in)
	}
	copy(dst, x.AdjTan)
}

// adjointOfTangents runs p's first-order adjoint rule on the adjoint tangents, δx̃_i +=
// (∂f/∂x_i)ᵀ δỹ, by handing p the AdjTan slices in place of the Adj ones. For a linear
// primitive that is the whole of AdjointTangent. An input used twice is swapped once.
func adjointOfTangents(p Primitive, out *Value, in []*Value) {
	swap := func() {
		out.Adj, out.AdjTan = out.AdjTan, out.Adj
		for i, x := range in {
			seen := false
			for _, y := range in[:i] {
				seen = seen || y == x
			}
			if !seen {
				x.Adj, x.AdjTan = x.AdjTan, x.Adj
			}
		}
	}
	swap()
	defer swap()
	p.Adjoint(out, in)
}

var (
	_ SecondOrder = binaryOp{}
	_ SecondOrder = unaryOp{}
	_ SecondOrder = matMulOp{}
	_ SecondOrder = denseOp{}
	_ SecondOrder = addRowOp{}
	_ SecondOrder = transposeOp{}
	_ SecondOrder = reshapeOp{}
	_ SecondOrder = sumOp{}
	_ SecondOrder = dotOp{}
	_ SecondOrder = sumSquaresOp{}
	_ SecondOrder = softmaxOp{}
	_ SecondOrder = gatherOp{}
	_ SecondOrder = scatterOp{}
	_ SecondOrder = sliceOp{}
	_ SecondOrder = concatOp{}
	_ SecondOrder = shiftOp{}
)

// The linear primitives: the first-order rule on the adjoint tangents is all.

func (p addRowOp) AdjointTangent(out *Value, in []*Value)    { adjointOfTangents(p, out, in) }
func (p transposeOp) AdjointTangent(out *Value, in []*Value) { adjointOfTangents(p, out, in) }
func (p reshapeOp) AdjointTangent(out *Value, in []*Value)   { adjointOfTangents(p, out, in) }
func (p sumOp) AdjointTangent(out *Value, in []*Value)       { adjointOfTangents(p, out, in) }
func (p gatherOp) AdjointTangent(out *Value, in []*Value)    { adjointOfTangents(p, out, in) }
func (p scatterOp) AdjointTangent(out *Value, in []*Value)   { adjointOfTangents(p, out, in) }
func (p sliceOp) AdjointTangent(out *Value, in []*Value)     { adjointOfTangents(p, out, in) }
func (p concatOp) AdjointTangent(out *Value, in []*Value)    { adjointOfTangents(p, out, in) }
func (p shiftOp) AdjointTangent(out *Value, in []*Value)     { adjointOfTangents(p, out, in) }

func (p binaryOp) AdjointTangent(out *Value, in []*Value) {
	adjointOfTangents(p, out, in)
	a, b := in[0], in[1]
	ay, y := out.Adj, out.Data
	sa, sb := strides(len(ay), a, b)
	switch p.kind {
	case kindMul:
		if a.AdjTan != nil && b.Tan != nil {
			for i, g := range ay {
				a.AdjTan[i*sa] += g * b.Tan[i*sb]
			}
		}
		if b.AdjTan != nil && a.Tan != nil {
			for i, g := range ay {
				b.AdjTan[i*sb] += g * a.Tan[i*sa]
			}
		}
	case kindDiv:
		if a.AdjTan != nil && b.Tan != nil {
			for i, g := range ay {
				d := b.Data[i*sb]
				a.AdjTan[i*sa] -= g * b.Tan[i*sb] / (d * d)
			}
		}
		if b.AdjTan != nil {
			for i, g := range ay {
				d := b.Data[i*sb]
				var s float64
				if a.Tan != nil {
					s -= a.Tan[i*sa]
				}
				if b.Tan != nil {
					s += 2 * y[i] * b.Tan[i*sb]
				}
				b.AdjTan[i*sb] += g * s / (d * d)
			}
		}
	}
}

func (p unaryOp) AdjointTangent(out *Value, in []*Value) {
	x := in[0]
	if x.AdjTan == nil {
		return
	}
	p.chain(x.AdjTan, out.AdjTan, x.Data, out.Data, true)
	if x.Tan == nil {
		return
	}
	switch p.kind {
	case kindNeg, kindScale, kindStep, kindIdentity, kindReLU, kindLeakyReLU:
		return // f'' = 0 (wherever it exists)
	}
	for i, g := range out.Adj {
		x.AdjTan[i] += p.second(x.Data[i], out.Data[i]) * x.Tan[i] * g
	}
}

// second returns the second derivative of f at x, y = f(x), for the kinds with curvature.
func (p unaryOp) second(x, y float64) float64 {
	switch p.kind {
	case kindSquare:
		return 2
	case kindExp:
		return y
	case kindLog:
		return -1 / (x * x)
	case kindSqrt:
		return -1 / (4 * y * y * y)
	case kindPow:
		return p.a * (p.a - 1) * math.Pow(x, p.a-2)
	case kindTanh:
		return -2 * y * (1 - y*y)
	case kindSigmoid:
		return y * (1 - y) * (1 - 2*y)
	case kindSwish:
		s := sigmoid(x)
		return s * (1 - s) * (2 + x*(1-2*s))
	case kindSoftplus:
		s := sigmoid(x)
		return s * (1 - s)
	}
	return 0
}

func (p matMulOp) AdjointTangent(out *Value, in []*Value) {
	adjointOfTangents(p, out, in)
	a, b := in[0], in[1]
	cbar := general(out, out.Adj)
	if a.AdjTan != nil && b.Tan != nil { // δĀ += C̄ δBᵀ
		gemm(blas.NoTrans, blas.Trans, 1, cbar, general(b, b.Tan), 1, general(a, a.AdjTan))
	}
	if b.AdjTan != nil && a.Tan != nil { // δB̄ += δAᵀ C̄
		gemm(blas.Trans, blas.NoTrans, 1, general(a, a.Tan), cbar, 1, general(b, b.AdjTan))
	}
}

func (p denseOp) AdjointTangent(out *Value, in []*Value) {
	adjointOfTangents(p, out, in)
	x, w := in[0], in[1]
	ybar := general(out, out.Adj)
	if x.AdjTan != nil && w.Tan != nil { // δX̄ += Ȳ δW
		gemm(blas.NoTrans, blas.NoTrans, 1, ybar, general(w, w.Tan), 1, general(x, x.AdjTan))
	}
	if w.AdjTan != nil && x.Tan != nil { // δW̄ += Ȳᵀ δX
		gemm(blas.Trans, blas.NoTrans, 1, ybar, general(x, x.Tan), 1, general(w, w.AdjTan))
	}
}

func (p dotOp) AdjointTangent(out *Value, in []*Value) {
	adjointOfTangents(p, out, in)
	a, b, g := in[0], in[1], out.Adj[0]
	if a.AdjTan != nil && b.Tan != nil {
		for i, v := range b.Tan {
			a.AdjTan[i] += g * v
		}
	}
	if b.AdjTan != nil && a.Tan != nil {
		for i, v := range a.Tan {
			b.AdjTan[i] += g * v
		}
	}
}

func (p sumSquaresOp) AdjointTangent(out *Value, in []*Value) {
	adjointOfTangents(p, out, in)
	x := in[0]
	if x.AdjTan != nil && x.Tan != nil {
		g := 2 * out.Adj[0]
		for i, v := range x.Tan {
			x.AdjTan[i] += g * v
		}
	}
}

func (p softmaxOp) AdjointTangent(out *Value, in []*Value) {
	adjointOfTangents(p, out, in)
	x := in[0]
	if x.AdjTan == nil || x.Tan == nil {
		return
	}
	c := out.cols
	for r := 0; r < out.rows; r++ {
		y, dy := out.Data[r*c:(r+1)*c], out.Tan[r*c:(r+1)*c]
		ay, dax := out.Adj[r*c:(r+1)*c], x.AdjTan[r*c:(r+1)*c]
		if p.log {
			s := 0.0
			for _, g := range ay {
				s += g
			}
			for j, d := range dy {
				dax[j] -= math.Exp(y[j]) * d * s
			}
			continue
		}
		s, sd := dot(ay, y), dot(ay, dy)
		for j, d := range dy {
			dax[j] += d*(ay[j]-s) - y[j]*sd
		}
	}
}

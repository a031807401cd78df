package adjoint

import (
	"fmt"
	"math"
)

// sumOp is s = c·Σ_i x_i, with c = 1 for Sum and 1/n for Mean.
type sumOp struct {
	name string
	c    float64
}

func (p sumOp) Name() string { return p.name }

// Sum returns the sum of the elements of x, as a 1×1 value.
func Sum(x *Value) *Value { return apply(sumOp{"Sum", 1}, 1, 1, x) }

// Mean returns the mean of the elements of x, as a 1×1 value.
func Mean(x *Value) *Value {
	if x.Len() == 0 {
		panic("adjoint: Mean: empty value of shape " + x.shape())
	}
	return apply(sumOp{"Mean", 1 / float64(x.Len())}, 1, 1, x)
}

func (p sumOp) Forward(out *Value, in []*Value) {
	s := 0.0
	for _, v := range in[0].Data {
		s += v
	}
	out.Data[0] = p.c * s
}

func (p sumOp) Tangent(out *Value, in []*Value) {
	s := 0.0
	for _, v := range in[0].Tan {
		s += v
	}
	out.Tan[0] = p.c * s
}

func (p sumOp) Adjoint(out *Value, in []*Value) {
	if ax := in[0].Adj; ax != nil {
		g := p.c * out.Adj[0]
		for i := range ax {
			ax[i] += g
		}
	}
}

// dotOp is s = Σ_i a_i b_i.
type dotOp struct{}

func (dotOp) Name() string { return "Dot" }

// Dot returns the inner product Σ a_i b_i of two values with the same number of elements,
// as a 1×1 value.
func Dot(a, b *Value) *Value {
	if a.Len() != b.Len() {
		panic(fmt.Sprintf("adjoint: Dot: shape mismatch %s vs %s", a.shape(), b.shape()))
	}
	return apply(dotOp{}, 1, 1, a, b)
}

func dot(a, b []float64) float64 {
	s := 0.0
	b = b[:len(a)]
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func (dotOp) Forward(out *Value, in []*Value) { out.Data[0] = dot(in[0].Data, in[1].Data) }

func (dotOp) Tangent(out *Value, in []*Value) {
	a, b := in[0], in[1]
	s := 0.0
	if a.Tan != nil {
		s += dot(a.Tan, b.Data)
	}
	if b.Tan != nil {
		s += dot(a.Data, b.Tan)
	}
	out.Tan[0] = s
}

func (dotOp) Adjoint(out *Value, in []*Value) {
	a, b, g := in[0], in[1], out.Adj[0]
	if a.Adj != nil {
		for i, v := range b.Data {
			a.Adj[i] += g * v
		}
	}
	if b.Adj != nil {
		for i, v := range a.Data {
			b.Adj[i] += g * v
		}
	}
}

// sumSquaresOp is s = Σ_i x_i² = ‖x‖².
type sumSquaresOp struct{}

func (sumSquaresOp) Name() string { return "SumSquares" }

// SumSquares returns the squared Euclidean norm ‖x‖² = Σ x_i², as a 1×1 value.
func SumSquares(x *Value) *Value { return apply(sumSquaresOp{}, 1, 1, x) }

func (sumSquaresOp) Forward(out *Value, in []*Value) { out.Data[0] = dot(in[0].Data, in[0].Data) }

func (sumSquaresOp) Tangent(out *Value, in []*Value) {
	out.Tan[0] = 2 * dot(in[0].Data, in[0].Tan)
}

func (sumSquaresOp) Adjoint(out *Value, in []*Value) {
	if ax := in[0].Adj; ax != nil {
		g := 2 * out.Adj[0]
		for i, v := range in[0].Data {
			ax[i] += g * v
		}
	}
}

// softmaxOp is the row-wise softmax y_j = e^{x_j} / Σ_k e^{x_k}, or its logarithm
// y_j = x_j − log Σ_k e^{x_k} when log is set. Both subtract the row maximum first so that
// e^x cannot overflow.
type softmaxOp struct{ log bool }

func (p softmaxOp) Name() string {
	if p.log {
		return "LogSoftmax"
	}
	return "Softmax"
}

// Softmax returns the softmax of each row of x.
func Softmax(x *Value) *Value { return apply(softmaxOp{false}, x.rows, x.cols, x) }

// LogSoftmax returns the logarithm of the softmax of each row of x, computed without forming
// the softmax so that it stays accurate for very negative entries.
func LogSoftmax(x *Value) *Value { return apply(softmaxOp{true}, x.rows, x.cols, x) }

func (p softmaxOp) Forward(out *Value, in []*Value) {
	c := out.cols
	for r := 0; r < out.rows; r++ {
		x, y := in[0].Data[r*c:(r+1)*c], out.Data[r*c:(r+1)*c]
		m := math.Inf(-1)
		for _, v := range x {
			m = max(m, v)
		}
		s := 0.0
		for j, v := range x {
			y[j] = math.Exp(v - m)
			s += y[j]
		}
		if p.log {
			lse := m + math.Log(s)
			for j, v := range x {
				y[j] = v - lse
			}
			continue
		}
		for j := range y {
			y[j] /= s
		}
	}
}

// prob returns the softmax probability of element j of a row of the output.
func (p softmaxOp) prob(y []float64, j int) float64 {
	if p.log {
		return math.Exp(y[j])
	}
	return y[j]
}

// The Jacobian of the softmax is diag(s) − s sᵀ, that of the log-softmax I − 1 sᵀ, where s is
// the softmax: both are applied row by row without forming them.
func (p softmaxOp) Tangent(out *Value, in []*Value) {
	c := out.cols
	if in[0].Tan == nil {
		clear(out.Tan)
		return
	}
	for r := 0; r < out.rows; r++ {
		y, dx, dy := out.Data[r*c:(r+1)*c], in[0].Tan[r*c:(r+1)*c], out.Tan[r*c:(r+1)*c]
		sdx := 0.0
		for j, d := range dx {
			sdx += p.prob(y, j) * d
		}
		for j, d := range dx {
			if p.log {
				dy[j] = d - sdx
			} else {
				dy[j] = y[j] * (d - sdx)
			}
		}
	}
}

func (p softmaxOp) Adjoint(out *Value, in []*Value) {
	c := out.cols
	if in[0].Adj == nil {
		return
	}
	for r := 0; r < out.rows; r++ {
		y, ay, ax := out.Data[r*c:(r+1)*c], out.Adj[r*c:(r+1)*c], in[0].Adj[r*c:(r+1)*c]
		if p.log {
			s := 0.0
			for _, g := range ay {
				s += g
			}
			for j, g := range ay {
				ax[j] += g - math.Exp(y[j])*s
			}
			continue
		}
		s := dot(ay, y)
		for j, g := range ay {
			ax[j] += y[j] * (g - s)
		}
	}
}

package adjoint_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/adjunto/adjunto/adjoint"
)

// hessCase is a scalar J(x) through one primitive (or a short composite) with, where it has
// a closed form, its analytic Hessian.
type hessCase struct {
	name string
	n    int                                                // length of x
	pos  bool                                               // x > 0 (Log, Sqrt, Pow, Div's denominator)
	J    func(x *adjoint.Value, w []float64) *adjoint.Value // w: fixed weights, len n
	hess func(x, w []float64) [][]float64                   // nil: no closed form
}

// diag returns the Hessian diag(w_i f”(x_i)) of J = Σ w_i f(x_i).
func diag(f2 func(x float64) float64) func(x, w []float64) [][]float64 {
	return func(x, w []float64) [][]float64 {
		h := zeros(len(x))
		for i := range x {
			h[i][i] = w[i] * f2(x[i])
		}
		return h
	}
}

func zeros(n int) [][]float64 {
	h := make([][]float64, n)
	for i := range h {
		h[i] = make([]float64, n)
	}
	return h
}

func weighted(f func(*adjoint.Value) *adjoint.Value) func(x *adjoint.Value, w []float64) *adjoint.Value {
	return func(x *adjoint.Value, w []float64) *adjoint.Value {
		return adjoint.Dot(x.Tape().Vector(w), f(x))
	}
}

func sig(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

var hessCases = []hessCase{
	{"Neg", 5, false, weighted(adjoint.Neg), diag(func(float64) float64 { return 0 })},
	{"Scale", 5, false, weighted(func(x *adjoint.Value) *adjoint.Value { return adjoint.Scale(3, x) }), diag(func(float64) float64 { return 0 })},
	{"Identity", 5, false, weighted(adjoint.Identity), diag(func(float64) float64 { return 0 })},
	{"Step", 5, false, weighted(adjoint.Step), diag(func(float64) float64 { return 0 })},
	{"ReLU", 5, false, weighted(adjoint.ReLU), diag(func(float64) float64 { return 0 })},
	{"LeakyReLU", 5, false, weighted(func(x *adjoint.Value) *adjoint.Value { return adjoint.LeakyReLU(x, 0.1) }), diag(func(float64) float64 { return 0 })},
	{"Square", 5, false, weighted(adjoint.Square), diag(func(float64) float64 { return 2 })},
	{"Exp", 5, false, weighted(adjoint.Exp), diag(math.Exp)},
	{"Log", 5, true, weighted(adjoint.Log), diag(func(x float64) float64 { return -1 / (x * x) })},
	{"Sqrt", 5, true, weighted(adjoint.Sqrt), diag(func(x float64) float64 { return -0.25 * math.Pow(x, -1.5) })},
	{"Pow", 5, true, weighted(func(x *adjoint.Value) *adjoint.Value { return adjoint.Pow(x, 2.5) }), diag(func(x float64) float64 { return 2.5 * 1.5 * math.Pow(x, 0.5) })},
	{"Tanh", 5, false, weighted(adjoint.Tanh), diag(func(x float64) float64 { t := math.Tanh(x); return -2 * t * (1 - t*t) })},
	{"Sigmoid", 5, false, weighted(adjoint.Sigmoid), diag(func(x float64) float64 { s := sig(x); return s * (1 - s) * (1 - 2*s) })},
	{"Swish", 5, false, weighted(adjoint.Swish), diag(func(x float64) float64 { s := sig(x); return s * (1 - s) * (2 + x*(1-2*s)) })},
	{"Softplus", 5, false, weighted(adjoint.Softplus), diag(func(x float64) float64 { s := sig(x); return s * (1 - s) })},
	{"Mul", 6, false, func(x *adjoint.Value, w []float64) *adjoint.Value {
		return adjoint.Dot(x.Tape().Vector(w[:3]), adjoint.Mul(adjoint.Slice(x, 0, 3), adjoint.Slice(x, 3, 6)))
	}, func(x, w []float64) [][]float64 { // ∂²(Σ w_i a_i b_i)/∂a_i∂b_i = w_i
		h := zeros(6)
		for i := range 3 {
			h[i][3+i], h[3+i][i] = w[i], w[i]
		}
		return h
	}},
	{"Mul(x,x)", 4, false, func(x *adjoint.Value, w []float64) *adjoint.Value {
		return adjoint.Dot(x.Tape().Vector(w), adjoint.Mul(x, x))
	}, diag(func(float64) float64 { return 2 })},
	{"Div", 6, true, func(x *adjoint.Value, w []float64) *adjoint.Value {
		return adjoint.Dot(x.Tape().Vector(w[:3]), adjoint.Div(adjoint.Slice(x, 0, 3), adjoint.Slice(x, 3, 6)))
	}, func(x, w []float64) [][]float64 { // J = Σ w a/b
		h := zeros(6)
		for i := range 3 {
			a, b := x[i], x[3+i]
			h[i][3+i], h[3+i][i] = -w[i]/(b*b), -w[i]/(b*b)
			h[3+i][3+i] = 2 * w[i] * a / (b * b * b)
		}
		return h
	}},
	{"Div(scalar)", 4, true, func(x *adjoint.Value, w []float64) *adjoint.Value {
		// A broadcast scalar numerator: J = Σ w_i x_0/x_i over i ≥ 1, with stride 0.
		return adjoint.Dot(x.Tape().Vector(w[1:]), adjoint.Div(adjoint.Slice(x, 0, 1), adjoint.Slice(x, 1, 4)))
	}, nil},
	{"Dot", 5, false, func(x *adjoint.Value, _ []float64) *adjoint.Value { return adjoint.Dot(x, x) },
		diag(func(float64) float64 { return 2 }), // w = 1 below: ∇²‖x‖² = 2I
	},
	{"SumSquares", 5, false, func(x *adjoint.Value, _ []float64) *adjoint.Value { return adjoint.SumSquares(x) },
		diag(func(float64) float64 { return 2 })},
	{"MatMul", 6, false, func(x *adjoint.Value, _ []float64) *adjoint.Value {
		a := adjoint.Reshape(x, 2, 3)
		return adjoint.Sum(adjoint.MatMul(a, adjoint.Transpose(a)))
	}, func(x, _ []float64) [][]float64 { // Σ_k (Σ_i A_ik)²: H[(i,k)][(j,l)] = 2δ_kl
		h := zeros(6)
		for p := range 6 {
			for q := range 6 {
				if p%3 == q%3 {
					h[p][q] = 2
				}
			}
		}
		return h
	}},
	{"Dense", 9, false, func(x *adjoint.Value, w []float64) *adjoint.Value {
		X := adjoint.Reshape(adjoint.Slice(x, 0, 3), 1, 3)
		W := adjoint.Reshape(adjoint.Slice(x, 3, 9), 2, 3)
		b := x.Tape().Vector([]float64{0.5, -1})
		return adjoint.Dot(x.Tape().Vector(w[:2]), adjoint.Dense(X, W, b))
	}, func(x, w []float64) [][]float64 { // Σ_m w_m Σ_n W_mn X_n: H[X_n][W_mn] = w_m
		h := zeros(9)
		for m := range 2 {
			for n := range 3 {
				h[n][3+3*m+n], h[3+3*m+n][n] = w[m], w[m]
			}
		}
		return h
	}},
	{"Softmax", 5, false, weighted(adjoint.Softmax), nil},
	{"LogSoftmax", 6, false, func(x *adjoint.Value, w []float64) *adjoint.Value {
		return adjoint.Dot(x.Tape().Vector(w), adjoint.LogSoftmax(adjoint.Reshape(x, 2, 3)))
	}, nil},
	{"Gather+Scatter+Shift+Concat", 5, false, func(x *adjoint.Value, w []float64) *adjoint.Value {
		g := adjoint.Gather(x, []int{4, 0, 0, 2})
		s := adjoint.Scatter(adjoint.Square(g), []int{1, 3, 0, 2}, 5)
		c := adjoint.Concat(adjoint.Shift(s, 1), adjoint.Tanh(x))
		return adjoint.Dot(x.Tape().Vector(append(append([]float64(nil), w...), w...)), c)
	}, nil},
	{"network", 8, false, func(x *adjoint.Value, w []float64) *adjoint.Value {
		// A 2-4-1 tanh network's loss in its weights: the Hessian that Newton training needs.
		t := x.Tape()
		W1 := adjoint.Reshape(adjoint.Slice(x, 0, 8), 4, 2)
		in := t.Constant([]float64{0.3, -1.2, 1, 0.5, -0.7, 2}, 3, 2)
		h := adjoint.Tanh(adjoint.Dense(in, W1, nil))
		out := adjoint.Dense(h, t.Constant(w[:4], 1, 4), nil)
		return adjoint.Mean(adjoint.Square(adjoint.Sub(out, t.Constant([]float64{1, 0, -1}, 3, 1))))
	}, nil},
}

// TestHessVecExact checks the forward-over-reverse Hessian-vector product of every built-in
// primitive against the analytic Hessian where it has one (to 1e-12 relative: the same
// arithmetic in another order) and against HessVec's central differences of gradients (to
// 1e-6 relative: their O(h²) truncation with h ≈ 1e-5 and round-off of order ε/h).
func TestHessVecExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	worstFD, worstExact := 0.0, 0.0
	for _, tc := range hessCases {
		t.Run(tc.name, func(t *testing.T) {
			x := make([]float64, tc.n)
			w := make([]float64, tc.n)
			v := make([]float64, tc.n)
			for i := range x {
				x[i] = rng.NormFloat64()
				if tc.pos {
					x[i] = 0.5 + rng.Float64()
				}
				// Keep off the kinks of Step and the ReLUs.
				if math.Abs(x[i]) < 0.1 {
					x[i] += 0.3
				}
				w[i] = rng.NormFloat64()
				v[i] = rng.NormFloat64()
			}
			if tc.name == "Dot" || tc.name == "SumSquares" || tc.name == "MatMul" {
				for i := range w {
					w[i] = 1
				}
			}
			tape := adjoint.NewTape()
			xv := tape.Vector(x)
			J := tc.J(xv, w)
			got := make([]float64, tc.n)
			tape.HessVecExact(got, xv, J, v)

			fd := make([]float64, tc.n)
			tape.HessVec(fd, xv, J, v, 0)
			e := relErr(got, fd)
			worstFD = max(worstFD, e)
			if e > 1e-6 {
				t.Errorf("exact %v, central differences %v: relative error %.2g", got, fd, e)
			}
			if tc.hess != nil {
				h := tc.hess(x, w)
				want := make([]float64, tc.n)
				for i := range h {
					for j, hij := range h[i] {
						want[i] += hij * v[j]
					}
				}
				e := relErr(got, want)
				worstExact = max(worstExact, e)
				if e > 1e-12 {
					t.Errorf("exact %v, analytic %v: relative error %.2g", got, want, e)
				}
			}
		})
	}
	t.Logf("largest relative error against central differences %.2g, against the analytic Hessians %.2g", worstFD, worstExact)
}

// relErr returns max_i |a_i − b_i| / max(max_i |b_i|, 1e-300), or 0 when both are zero.
func relErr(a, b []float64) float64 {
	d, s := 0.0, 0.0
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
		s = max(s, math.Abs(b[i]))
	}
	if d == 0 {
		return 0
	}
	return d / max(s, 1e-300)
}

// opaque is a fused primitive without a second-order rule.
type opaque struct{}

func (opaque) Name() string                                    { return "Opaque" }
func (opaque) Forward(out *adjoint.Value, in []*adjoint.Value) { copy(out.Data, in[0].Data) }
func (opaque) Tangent(out *adjoint.Value, in []*adjoint.Value) { copy(out.Tan, in[0].Tan) }
func (opaque) Adjoint(out *adjoint.Value, in []*adjoint.Value) {
	for i, g := range out.Adj {
		in[0].Adj[i] += g
	}
}

func TestHessVecExactNamesMissingRule(t *testing.T) {
	tape := adjoint.NewTape()
	x := tape.Vector([]float64{1, 2})
	J := adjoint.SumSquares(tape.Apply(opaque{}, 1, 2, x))
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "Opaque") {
			t.Errorf("panic %v; want one naming the primitive", r)
		}
	}()
	tape.HessVecExact(make([]float64, 2), x, J, []float64{1, 0})
}

// BenchmarkHessVec compares the exact Hessian-vector product (one tangent, one reverse and
// one second-order sweep) with HessVec's central differences (two replays and two reverse
// sweeps) on the loss of a 20-64-1 tanh network in its 1344 first-layer weights over a
// batch of 256, run A B A B with -count.
func BenchmarkHessVec(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	fill := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64() * 0.3
		}
		return v
	}
	tape := adjoint.NewTape()
	w := tape.Variable(fill(64*20), 64, 20)
	x := tape.Constant(fill(256*20), 256, 20)
	h := adjoint.Tanh(adjoint.Dense(x, w, tape.Vector(fill(64))))
	out := adjoint.Dense(h, tape.Constant(fill(64), 1, 64), nil)
	J := adjoint.Mean(adjoint.Square(adjoint.Sub(out, tape.Constant(fill(256), 256, 1))))
	v, dst := fill(w.Len()), make([]float64, w.Len())
	b.Run("exact", func(b *testing.B) {
		for b.Loop() {
			tape.HessVecExact(dst, w, J, v)
		}
	})
	b.Run("central-differences", func(b *testing.B) {
		for b.Loop() {
			tape.HessVec(dst, w, J, v, 0)
		}
	})
}

// ExampleTape_HessVecExact multiplies the Hessian of J(x) = Σ x_i³ + x_0 x_1, which is
// [[6x_0, 1], [1, 6x_1]], by v at x = (1, 2): exactly, by forward over reverse.
func ExampleTape_HessVecExact() {
	t := adjoint.NewTape()
	x := t.Vector([]float64{1, 2})
	J := adjoint.Add(adjoint.Sum(adjoint.Pow(x, 3)), adjoint.Mul(adjoint.Slice(x, 0, 1), adjoint.Slice(x, 1, 2)))
	hv := make([]float64, 2)
	t.HessVecExact(hv, x, J, []float64{1, 0})
	fmt.Println(hv)
	t.HessVecExact(hv, x, J, []float64{0, 1})
	fmt.Println(hv)
	// Output:
	// [6 1]
	// [1 12]
}

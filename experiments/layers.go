package experiments

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/verify"
)

// This file writes a fully connected tanh network the way an operational 4DVar system writes
// its model: each layer is a model step x_{k+1} = h(x_k Wᵀ + b) with a hand-written
// tangent-linear and adjoint, the control vector w holds every W_k and b_k, and the gradient
// comes from a driver that stores the trajectory forward and runs the step adjoints backward.

// layerForward computes Y = h(X Wᵀ + b) for X rows×in, W out×in, b of length out; h is tanh
// when act is set and the identity otherwise.
func layerForward(y, x, w, b []float64, rows, in, out int, act bool) {
	for r := range rows {
		xr := x[r*in : (r+1)*in]
		for j := range out {
			s := b[j]
			wj := w[j*in : (j+1)*in]
			for i, v := range xr {
				s += wj[i] * v
			}
			if act {
				s = math.Tanh(s)
			}
			y[r*out+j] = s
		}
	}
}

// layerTangent computes δY = h'(·) ⊙ (δX Wᵀ + X δWᵀ + δb), reading h' = 1 − Y² from the
// stored output. A nil dx, dw or db is a zero perturbation.
func layerTangent(dy, y, x, w, dx, dw, db []float64, rows, in, out int, act bool) {
	for r := range rows {
		for j := range out {
			s := 0.0
			if db != nil {
				s = db[j]
			}
			for i := range in {
				if dx != nil {
					s += w[j*in+i] * dx[r*in+i]
				}
				if dw != nil {
					s += dw[j*in+i] * x[r*in+i]
				}
			}
			if act {
				yv := y[r*out+j]
				s *= 1 - yv*yv
			}
			dy[r*out+j] = s
		}
	}
}

// layerAdjoint accumulates, with ã = h'(·) ⊙ Ỹ: X̃ += ã W, W̃ += ãᵀ X, b̃ += Σ_rows ã.
// A nil ax, aw or ab is skipped.
func layerAdjoint(ay, y, x, w, ax, aw, ab []float64, rows, in, out int, act bool) {
	for r := range rows {
		for j := range out {
			a := ay[r*out+j]
			if act {
				yv := y[r*out+j]
				a *= 1 - yv*yv
			}
			if a == 0 {
				continue
			}
			if ab != nil {
				ab[j] += a
			}
			for i := range in {
				if ax != nil {
					ax[r*in+i] += a * w[j*in+i]
				}
				if aw != nil {
					aw[j*in+i] += a * x[r*in+i]
				}
			}
		}
	}
}

// fusedLayer is one layer as a single engine primitive with the hand-written rules above:
// inputs X (rows×in), W (out×in), b (1×out).
type fusedLayer struct{ act bool }

var _ adjoint.Primitive = fusedLayer{}

func (fusedLayer) Name() string { return "FusedLayer" }

func (p fusedLayer) Forward(out *adjoint.Value, in []*adjoint.Value) {
	x, w, b := in[0], in[1], in[2]
	layerForward(out.Data, x.Data, w.Data, b.Data, x.Rows(), x.Cols(), w.Rows(), p.act)
}

func (p fusedLayer) Tangent(out *adjoint.Value, in []*adjoint.Value) {
	x, w, b := in[0], in[1], in[2]
	layerTangent(out.Tan, out.Data, x.Data, w.Data, x.Tan, w.Tan, b.Tan, x.Rows(), x.Cols(), w.Rows(), p.act)
}

func (p fusedLayer) Adjoint(out *adjoint.Value, in []*adjoint.Value) {
	x, w, b := in[0], in[1], in[2]
	layerAdjoint(out.Adj, out.Data, x.Data, w.Data, x.Adj, w.Adj, b.Adj, x.Rows(), x.Cols(), w.Rows(), p.act)
}

// mlp is the layout of a network's control vector: W_0, b_0, W_1, b_1, … flattened.
type mlp struct {
	sizes      []int
	nparams    int
	offW, offB []int
}

func newMLP(sizes []int) *mlp {
	n := &mlp{sizes: append([]int(nil), sizes...)}
	for k := 0; k+1 < len(sizes); k++ {
		n.offW = append(n.offW, n.nparams)
		n.nparams += sizes[k+1] * sizes[k]
		n.offB = append(n.offB, n.nparams)
		n.nparams += sizes[k+1]
	}
	return n
}

func (n *mlp) layers() int { return len(n.sizes) - 1 }

// act reports whether layer k has the tanh activation: all but the last, which is linear.
func (n *mlp) act(k int) bool { return k < n.layers()-1 }

func (n *mlp) wb(w []float64, k int) (W, b []float64) {
	in, out := n.sizes[k], n.sizes[k+1]
	return w[n.offW[k] : n.offW[k]+out*in], w[n.offB[k] : n.offB[k]+out]
}

// init draws weights from N(0, 1/fan_in) (LeCun) and small biases.
func (n *mlp) init(rnd *rand.Rand) []float64 {
	w := make([]float64, n.nparams)
	for k := range n.layers() {
		W, b := n.wb(w, k)
		s := 1 / math.Sqrt(float64(n.sizes[k]))
		for i := range W {
			W[i] = s * rnd.NormFloat64()
		}
		for i := range b {
			b[i] = 0.1 * rnd.NormFloat64()
		}
	}
	return w
}

// trajectory runs the layers forward from X and returns x_0 = X, x_1, …, x_K.
func (n *mlp) trajectory(w, X []float64, rows int) [][]float64 {
	xs := [][]float64{X}
	for k := range n.layers() {
		W, b := n.wb(w, k)
		y := make([]float64, rows*n.sizes[k+1])
		layerForward(y, xs[k], W, b, rows, n.sizes[k], n.sizes[k+1], n.act(k))
		xs = append(xs, y)
	}
	return xs
}

// adjointOverLayers computes J = ½/N ‖x_K − Y‖² and writes its gradient with respect to w
// into grad by the adjoint method of 4DVar: the forward run stores the trajectory, then
// x̃_K = (x_K − Y)/N and, for k = K−1 … 0, the adjoint of step k gives W̃_k, b̃_k and x̃_k.
func (n *mlp) adjointOverLayers(grad, w, X, Y []float64, rows int) float64 {
	xs := n.trajectory(w, X, rows)
	K := n.layers()
	J := 0.0
	adj := make([]float64, len(xs[K]))
	for i, v := range xs[K] {
		r := v - Y[i]
		J += 0.5 * r * r / float64(rows)
		adj[i] = r / float64(rows)
	}
	clear(grad)
	for k := K - 1; k >= 0; k-- {
		W, _ := n.wb(w, k)
		gW, gb := n.wb(grad, k)
		var prev []float64
		if k > 0 {
			prev = make([]float64, len(xs[k]))
		}
		layerAdjoint(adj, xs[k+1], xs[k], W, prev, gW, gb, rows, n.sizes[k], n.sizes[k+1], n.act(k))
		adj = prev
	}
	return J
}

// tapeGrad records the network and its loss on the engine's tape, composed of Dense and Tanh
// primitives (backpropagation as any autodiff library does it) or, if fused, of one
// fusedLayer per layer, and returns the gradient from one reverse sweep and J.
func (n *mlp) tapeGrad(w, X, Y []float64, rows int, fused bool) ([]float64, float64) {
	t := adjoint.NewTape()
	wc := append([]float64(nil), w...)
	x := t.Constant(X, rows, n.sizes[0])
	var vars []*adjoint.Value
	for k := range n.layers() {
		W, b := n.wb(wc, k)
		Wv := t.Variable(W, n.sizes[k+1], n.sizes[k])
		bv := t.Variable(b, 1, n.sizes[k+1])
		vars = append(vars, Wv, bv)
		if fused {
			x = t.Apply(fusedLayer{act: n.act(k)}, rows, n.sizes[k+1], x, Wv, bv)
			continue
		}
		x = adjoint.Dense(x, Wv, bv)
		if n.act(k) {
			x = adjoint.Tanh(x)
		}
	}
	J := adjoint.Scale(0.5/float64(rows), adjoint.SumSquares(adjoint.Sub(x, t.Constant(Y, rows, n.sizes[len(n.sizes)-1]))))
	t.Gradient(J)
	grad := make([]float64, n.nparams)
	for k := range n.layers() {
		gW, gb := n.wb(grad, k)
		copy(gW, vars[2*k].Adj)
		copy(gb, vars[2*k+1].Adj)
	}
	return grad, J.Scalar()
}

// verifyFunc returns the map w → x_K (the network's outputs on X) with the hand-written
// tangent-linear and adjoint chains, for package verify.
func (n *mlp) verifyFunc(X []float64, rows int) verify.Func {
	K := n.layers()
	var w0 []float64
	var xs [][]float64
	return verify.Func{
		N: n.nparams, M: rows * n.sizes[K],
		F: func(y, w []float64) {
			copy(y, n.trajectory(w, X, rows)[K])
		},
		Linearize: func(w []float64) {
			w0 = append(w0[:0], w...)
			xs = n.trajectory(w0, X, rows)
		},
		Tangent: func(dy, dw []float64) {
			var dx []float64 // δx_0 = 0: the input batch is not a control
			for k := range K {
				W, _ := n.wb(w0, k)
				dW, db := n.wb(dw, k)
				next := make([]float64, len(xs[k+1]))
				layerTangent(next, xs[k+1], xs[k], W, dx, dW, db, rows, n.sizes[k], n.sizes[k+1], n.act(k))
				dx = next
			}
			copy(dy, dx)
		},
		Adjoint: func(aw, ay []float64) {
			adj := append([]float64(nil), ay...)
			for k := K - 1; k >= 0; k-- {
				W, _ := n.wb(w0, k)
				gW, gb := n.wb(aw, k)
				var prev []float64
				if k > 0 {
					prev = make([]float64, len(xs[k]))
				}
				layerAdjoint(adj, xs[k+1], xs[k], W, prev, gW, gb, rows, n.sizes[k], n.sizes[k+1], n.act(k))
				adj = prev
			}
		},
	}
}

func (n *mlp) String() string { return fmt.Sprintf("mlp%v", n.sizes) }

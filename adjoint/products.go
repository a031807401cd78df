package adjoint

import "fmt"

// GaussNewton computes dst = Jᵀ W J v, where J = ∂y/∂x is the Jacobian of the recorded output y
// with respect to the variable x at the recorded point, and W is the symmetric positive
// semi-definite weight applied by weight(dst, src) (nil means W = I). It is one tangent sweep
// (J v), the weighting, and one reverse sweep (Jᵀ ·): the product the inner loop of
// incremental 4DVar and of Gauss-Newton training needs many times per linearisation, without
// re-running the forward. Variables other than x are held fixed. dst may not alias v.
func (t *Tape) GaussNewton(dst []float64, x, y *Value, v []float64, weight func(dst, src []float64)) {
	if len(v) != x.Len() || len(dst) != x.Len() {
		panic(fmt.Sprintf("adjoint: GaussNewton: v of length %d and dst of length %d for variable of shape %s", len(v), len(dst), x.shape()))
	}
	t.ZeroTangents()
	copy(x.Tan, v)
	t.TangentSweep()
	jv := y.Tan
	if weight != nil {
		if cap(t.scratch) < y.Len() {
			t.scratch = make([]float64, y.Len())
		}
		w := t.scratch[:y.Len()]
		weight(w, jv)
		jv = w
	}
	t.VJP(y, jv)
	copy(dst, x.Adj)
}

// HessVec approximates dst = ∇²J(x) v for the scalar J recorded on t by central differences
// of adjoint gradients, (∇J(x + h v) − ∇J(x − h v)) / 2h, with error O(h²). Each gradient is a
// replay of the forward and a reverse sweep. A step h ≤ 0 selects 1e-5·max(1, ‖x‖∞)/max(‖v‖∞,
// tiny), near the cube root of machine precision that balances truncation against round-off.
// On return the tape is replayed at x again, so its values and x.Data are unchanged.
func (t *Tape) HessVec(dst []float64, x, J *Value, v []float64, h float64) {
	n := x.Len()
	if len(v) != n || len(dst) != n {
		panic(fmt.Sprintf("adjoint: HessVec: v of length %d and dst of length %d for variable of shape %s", len(v), len(dst), x.shape()))
	}
	if h <= 0 {
		xs, vs := 1.0, 0.0
		for i := range n {
			xs = max(xs, abs(x.Data[i]))
			vs = max(vs, abs(v[i]))
		}
		if vs == 0 {
			clear(dst)
			return
		}
		h = 1e-5 * xs / vs
	}
	if cap(t.scratch) < n {
		t.scratch = make([]float64, n)
	}
	x0 := t.scratch[:n]
	copy(x0, x.Data)
	for i := range n {
		x.Data[i] = x0[i] + h*v[i]
	}
	t.Forward()
	t.Gradient(J)
	copy(dst, x.Adj)
	for i := range n {
		x.Data[i] = x0[i] - h*v[i]
	}
	t.Forward()
	t.Gradient(J)
	for i := range n {
		dst[i] = (dst[i] - x.Adj[i]) / (2 * h)
	}
	copy(x.Data, x0)
	t.Forward()
}

func abs(a float64) float64 {
	if a < 0 {
		return -a
	}
	return a
}

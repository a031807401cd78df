package adjoint

import "fmt"

// gatherOp is y_i = x_{idx_i} over the flat (row-major) elements of x. Its adjoint is a
// scatter-add, which is why repeated indices are allowed.
type gatherOp struct{ idx []int }

func (gatherOp) Name() string { return "Gather" }

// Gather returns the vector (x_{idx_0}, x_{idx_1}, ...) of shape 1×len(idx), indexing the
// elements of x in row-major order. Indices may repeat. The slice idx is kept, not copied.
func Gather(x *Value, idx []int) *Value {
	checkIndices("Gather", idx, x.Len(), x.shape())
	return apply(gatherOp{idx}, 1, len(idx), x)
}

func checkIndices(op string, idx []int, n int, shape string) {
	for _, k := range idx {
		if k < 0 || k >= n {
			panic(fmt.Sprintf("adjoint: %s: index %d out of range for shape %s", op, k, shape))
		}
	}
}

func (p gatherOp) Forward(out *Value, in []*Value) {
	x := in[0].Data
	for i, k := range p.idx {
		out.Data[i] = x[k]
	}
}

func (p gatherOp) Tangent(out *Value, in []*Value) {
	dx := in[0].Tan
	if dx == nil {
		clear(out.Tan)
		return
	}
	for i, k := range p.idx {
		out.Tan[i] = dx[k]
	}
}

func (p gatherOp) Adjoint(out *Value, in []*Value) {
	if ax := in[0].Adj; ax != nil {
		for i, k := range p.idx {
			ax[k] += out.Adj[i]
		}
	}
}

// scatterOp is y = 0; y_{idx_i} += x_i: the transpose of Gather.
type scatterOp struct{ idx []int }

func (scatterOp) Name() string { return "Scatter" }

// Scatter returns the vector y of shape 1×n that is zero except y_{idx_i} += x_i for every
// element x_i of x (row-major); repeated indices add. It is the transpose of Gather.
func Scatter(x *Value, idx []int, n int) *Value {
	if len(idx) != x.Len() {
		panic(fmt.Sprintf("adjoint: Scatter: %d indices for value of shape %s", len(idx), x.shape()))
	}
	checkIndices("Scatter", idx, n, fmt.Sprintf("1x%d", n))
	return apply(scatterOp{idx}, 1, n, x)
}

func (p scatterOp) Forward(out *Value, in []*Value) {
	clear(out.Data)
	for i, k := range p.idx {
		out.Data[k] += in[0].Data[i]
	}
}

func (p scatterOp) Tangent(out *Value, in []*Value) {
	clear(out.Tan)
	if dx := in[0].Tan; dx != nil {
		for i, k := range p.idx {
			out.Tan[k] += dx[i]
		}
	}
}

func (p scatterOp) Adjoint(out *Value, in []*Value) {
	if ax := in[0].Adj; ax != nil {
		for i, k := range p.idx {
			ax[i] += out.Adj[k]
		}
	}
}

// sliceOp is y = x[from:to] over the flat elements of x.
type sliceOp struct{ from, to int }

func (sliceOp) Name() string { return "Slice" }

// Slice returns the elements from (inclusive) to to (exclusive) of x in row-major order, as a
// vector of shape 1×(to−from).
func Slice(x *Value, from, to int) *Value {
	if from < 0 || to < from || to > x.Len() {
		panic(fmt.Sprintf("adjoint: Slice: bounds [%d:%d] out of range for shape %s", from, to, x.shape()))
	}
	return apply(sliceOp{from, to}, 1, to-from, x)
}

func (p sliceOp) Forward(out *Value, in []*Value) { copy(out.Data, in[0].Data[p.from:p.to]) }

func (p sliceOp) Tangent(out *Value, in []*Value) {
	if dx := in[0].Tan; dx != nil {
		copy(out.Tan, dx[p.from:p.to])
		return
	}
	clear(out.Tan)
}

func (p sliceOp) Adjoint(out *Value, in []*Value) {
	if ax := in[0].Adj; ax != nil {
		ax = ax[p.from:p.to]
		for i, g := range out.Adj {
			ax[i] += g
		}
	}
}

// concatOp joins its inputs side by side, row by row.
type concatOp struct{}

func (concatOp) Name() string { return "Concat" }

// Concat joins values with the same number of rows side by side: row r of the result is row r
// of xs[0], then row r of xs[1], and so on. For vectors (one row) it is plain concatenation.
func Concat(xs ...*Value) *Value {
	if len(xs) == 0 {
		panic("adjoint: Concat: no values")
	}
	cols := 0
	for _, x := range xs {
		if x.rows != xs[0].rows {
			panic(fmt.Sprintf("adjoint: Concat: shape mismatch %s vs %s", xs[0].shape(), x.shape()))
		}
		cols += x.cols
	}
	return apply(concatOp{}, xs[0].rows, cols, xs...)
}

func (concatOp) Forward(out *Value, in []*Value) {
	for r := 0; r < out.rows; r++ {
		off := r * out.cols
		for _, x := range in {
			off += copy(out.Data[off:], x.Data[r*x.cols:(r+1)*x.cols])
		}
	}
}

func (concatOp) Tangent(out *Value, in []*Value) {
	for r := 0; r < out.rows; r++ {
		off := r * out.cols
		for _, x := range in {
			dst := out.Tan[off : off+x.cols]
			if x.Tan != nil {
				copy(dst, x.Tan[r*x.cols:(r+1)*x.cols])
			} else {
				clear(dst)
			}
			off += x.cols
		}
	}
}

func (concatOp) Adjoint(out *Value, in []*Value) {
	for r := 0; r < out.rows; r++ {
		off := r * out.cols
		for _, x := range in {
			if x.Adj != nil {
				ax := x.Adj[r*x.cols : (r+1)*x.cols]
				for j, g := range out.Adj[off : off+x.cols] {
					ax[j] += g
				}
			}
			off += x.cols
		}
	}
}

// shiftOp is the circular shift y_{r,j} = x_{r,(j+k) mod c} within each row.
type shiftOp struct{ k int }

func (shiftOp) Name() string { return "Shift" }

// Shift returns x with each row shifted circularly: element j of a row of the result is
// element (j+k) mod Cols of the same row of x. Shift(x, 1) is x_{i+1} and Shift(x, −2) is
// x_{i−2} on a periodic domain such as the Lorenz-96 circle.
func Shift(x *Value, k int) *Value {
	if x.cols > 0 {
		k %= x.cols
		if k < 0 {
			k += x.cols
		}
	}
	return apply(shiftOp{k}, x.rows, x.cols, x)
}

// shift writes dst_j (op) src_{(j+k) mod c} for every row, in two contiguous pieces.
func shift(dst, src []float64, rows, cols, k int, acc bool) {
	for r := 0; r < rows; r++ {
		d, s := dst[r*cols:(r+1)*cols], src[r*cols:(r+1)*cols]
		if !acc {
			n := copy(d, s[k:])
			copy(d[n:], s[:k])
			continue
		}
		n := cols - k
		for j, v := range s[k:] {
			d[j] += v
		}
		for j, v := range s[:k] {
			d[n+j] += v
		}
	}
}

func (p shiftOp) Forward(out *Value, in []*Value) {
	shift(out.Data, in[0].Data, out.rows, out.cols, p.k, false)
}

func (p shiftOp) Tangent(out *Value, in []*Value) {
	if dx := in[0].Tan; dx != nil {
		shift(out.Tan, dx, out.rows, out.cols, p.k, false)
		return
	}
	clear(out.Tan)
}

func (p shiftOp) Adjoint(out *Value, in []*Value) {
	if ax := in[0].Adj; ax != nil && out.cols > 0 {
		// The transpose of a shift by k is a shift by −k.
		shift(ax, out.Adj, out.rows, out.cols, (out.cols-p.k)%out.cols, true)
	}
}

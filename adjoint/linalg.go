package adjoint

import (
	"fmt"
	"runtime"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"

	gemmkernel "github.com/adjunto/adjunto/internal/gemm"
)

// init makes adjunto's Dgemm (internal/gemm: packed panels and an AVX-512 or AVX2 micro-kernel,
// gonum's own elsewhere) the implementation behind blas64, here because every package that
// multiplies matrices imports the engine: the networks, the models, 4DVar and gonum's mat as
// they call it all gain at once. A program that prefers another BLAS calls blas64.Use itself;
// its init runs after this one.
func init() { blas64.Use(gemmkernel.Implementation{}) }

func general(v *Value, data []float64) blas64.General {
	return blas64.General{Rows: v.rows, Cols: v.cols, Stride: v.cols, Data: data}
}

// gemm computes c = alpha·op(a)·op(b) + beta·c on raw row-major buffers.
//
// Two kinds of product are routed around a plain blas64.Gemm, for speed only. A product with
// an inner or outer dimension of 1 (the layers of a network with one input or one output) is a
// rank-one update or a matrix-vector product: gonum's Gemm would spend one kernel call per
// element on it, Ger and Gemv one per row. And where Dgemm is gonum's (no micro-kernel for this
// CPU, or -tags purego), on one thread (GOMAXPROCS=1) a large product is cut into the 64×64
// blocks of C that gonum would hand to its worker goroutines, and each block is computed
// serially: the same arithmetic and cache blocking, without the goroutines, channels and
// closures that would otherwise be allocated on every call. internal/gemm's Dgemm needs no such
// help: it allocates nothing and wants the whole product to block it for the caches itself.
func gemm(tA, tB blas.Transpose, alpha float64, a blas64.General, b blas64.General, beta float64, c blas64.General) {
	m, n := c.Rows, c.Cols
	if m == 0 || n == 0 {
		return
	}
	k := a.Cols
	if tA == blas.Trans {
		k = a.Rows
	}
	// inc returns the increments between consecutive elements of a row and of a column of
	// op(g), a row-major matrix g used transposed or not.
	inc := func(g blas64.General, t blas.Transpose) (row, col int) {
		if t == blas.Trans {
			return g.Stride, 1
		}
		return 1, g.Stride
	}
	switch {
	case k == 1 && m > 1 && n > 1:
		// C = beta·C + alpha·a bᵀ with a the only column of op(A), b the only row of op(B).
		scaleGeneral(beta, c)
		_, ac := inc(a, tA)
		br, _ := inc(b, tB)
		blas64.Ger(alpha, blas64.Vector{N: m, Inc: ac, Data: a.Data}, blas64.Vector{N: n, Inc: br, Data: b.Data}, c)
	case n == 1:
		// The only column of C is op(A) times the only column of op(B).
		_, bc := inc(b, tB)
		blas64.Gemv(tA, alpha, a, blas64.Vector{N: k, Inc: bc, Data: b.Data}, beta, blas64.Vector{N: m, Inc: c.Stride, Data: c.Data})
	case m == 1:
		// The only row of C is op(B)ᵀ times the only row of op(A).
		ar, _ := inc(a, tA)
		tBT := blas.Trans
		if tB == blas.Trans {
			tBT = blas.NoTrans
		}
		blas64.Gemv(tBT, alpha, b, blas64.Vector{N: k, Inc: ar, Data: a.Data}, beta, blas64.Vector{N: n, Inc: 1, Data: c.Data})
	case (m > gemmBlock || n > gemmBlock) && gemmkernel.Kernel() == "gonum" && runtime.GOMAXPROCS(0) == 1:
		for i := 0; i < m; i += gemmBlock {
			ri := min(gemmBlock, m-i)
			var as blas64.General
			if tA == blas.Trans {
				as = blas64.General{Rows: k, Cols: ri, Stride: a.Stride, Data: a.Data[i:]}
			} else {
				as = blas64.General{Rows: ri, Cols: k, Stride: a.Stride, Data: a.Data[i*a.Stride:]}
			}
			for j := 0; j < n; j += gemmBlock {
				rj := min(gemmBlock, n-j)
				var bs blas64.General
				if tB == blas.Trans {
					bs = blas64.General{Rows: rj, Cols: k, Stride: b.Stride, Data: b.Data[j*b.Stride:]}
				} else {
					bs = blas64.General{Rows: k, Cols: rj, Stride: b.Stride, Data: b.Data[j:]}
				}
				cs := blas64.General{Rows: ri, Cols: rj, Stride: c.Stride, Data: c.Data[i*c.Stride+j:]}
				blas64.Gemm(tA, tB, alpha, as, bs, beta, cs)
			}
		}
	default:
		blas64.Gemm(tA, tB, alpha, a, b, beta, c)
	}
}

// gemmBlock is the block size of gonum's parallel Gemm: a product whose C fits in one block
// row or column of blocks is computed serially by gonum.
const gemmBlock = 64

// scaleGeneral sets c = beta·c, writing zeros when beta is 0 so that NaNs in c do not survive.
func scaleGeneral(beta float64, c blas64.General) {
	if beta == 1 {
		return
	}
	for i := 0; i < c.Rows; i++ {
		row := c.Data[i*c.Stride : i*c.Stride+c.Cols]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// matMulOp is C = A·B.
type matMulOp struct{}

func (matMulOp) Name() string { return "MatMul" }

// MatMul returns the matrix product A·B of an m×k and a k×n value.
func MatMul(a, b *Value) *Value {
	if a.cols != b.rows {
		panic(fmt.Sprintf("adjoint: MatMul: shape mismatch %s vs %s", a.shape(), b.shape()))
	}
	return apply(matMulOp{}, a.rows, b.cols, a, b)
}

func (matMulOp) Forward(out *Value, in []*Value) {
	a, b := in[0], in[1]
	gemm(blas.NoTrans, blas.NoTrans, 1, general(a, a.Data), general(b, b.Data), 0, general(out, out.Data))
}

func (matMulOp) Tangent(out *Value, in []*Value) {
	a, b := in[0], in[1]
	c := general(out, out.Tan)
	beta := 0.0
	if a.Tan != nil {
		gemm(blas.NoTrans, blas.NoTrans, 1, general(a, a.Tan), general(b, b.Data), beta, c)
		beta = 1
	}
	if b.Tan != nil {
		gemm(blas.NoTrans, blas.NoTrans, 1, general(a, a.Data), general(b, b.Tan), beta, c)
		beta = 1
	}
	if beta == 0 {
		clear(out.Tan)
	}
}

func (matMulOp) Adjoint(out *Value, in []*Value) {
	a, b := in[0], in[1]
	cbar := general(out, out.Adj)
	if a.Adj != nil { // Ā += C̄ Bᵀ
		gemm(blas.NoTrans, blas.Trans, 1, cbar, general(b, b.Data), 1, general(a, a.Adj))
	}
	if b.Adj != nil { // B̄ += Aᵀ C̄
		gemm(blas.Trans, blas.NoTrans, 1, general(a, a.Data), cbar, 1, general(b, b.Adj))
	}
}

// denseOp is Y = X·Wᵀ + 1·bᵀ: a fully connected layer's pre-activation for a batch X whose rows
// are items, weights W with one row per output unit, and a bias b broadcast over the rows.
type denseOp struct{ name string }

func (p denseOp) Name() string { return p.name }

// Dense returns X·Wᵀ + b for X of shape B×n, W of shape m×n and b of length m (or nil for no
// bias): the pre-activation W x + b of a layer applied to every row x of X, of shape B×m.
func Dense(x, w, b *Value) *Value {
	if x.cols != w.cols || (b != nil && b.Len() != w.rows) {
		bs := "none"
		if b != nil {
			bs = b.shape()
		}
		panic(fmt.Sprintf("adjoint: Dense: shape mismatch X %s, W %s, b %s", x.shape(), w.shape(), bs))
	}
	if b == nil {
		return apply(denseOp{"Dense"}, x.rows, w.rows, x, w)
	}
	return apply(denseOp{"Dense"}, x.rows, w.rows, x, w, b)
}

// MatVec returns W·x for W of shape m×n and x of length n, as a vector of shape 1×m.
func MatVec(w, x *Value) *Value {
	if x.Len() != w.cols {
		panic(fmt.Sprintf("adjoint: MatVec: shape mismatch W %s, x %s", w.shape(), x.shape()))
	}
	if x.rows != 1 {
		x = Reshape(x, 1, x.Len())
	}
	return apply(denseOp{"MatVec"}, 1, w.rows, x, w)
}

func (denseOp) Forward(out *Value, in []*Value) {
	x, w := in[0], in[1]
	y := general(out, out.Data)
	beta := 0.0
	if len(in) == 3 {
		b := in[2].Data
		for r := 0; r < out.rows; r++ {
			copy(out.Data[r*out.cols:(r+1)*out.cols], b)
		}
		beta = 1
	}
	gemm(blas.NoTrans, blas.Trans, 1, general(x, x.Data), general(w, w.Data), beta, y)
}

func (denseOp) Tangent(out *Value, in []*Value) {
	x, w := in[0], in[1]
	dy := out.Tan
	clear(dy)
	if len(in) == 3 && in[2].Tan != nil {
		db := in[2].Tan
		for r := 0; r < out.rows; r++ {
			copy(dy[r*out.cols:(r+1)*out.cols], db)
		}
	}
	if x.Tan != nil {
		gemm(blas.NoTrans, blas.Trans, 1, general(x, x.Tan), general(w, w.Data), 1, general(out, dy))
	}
	if w.Tan != nil {
		gemm(blas.NoTrans, blas.Trans, 1, general(x, x.Data), general(w, w.Tan), 1, general(out, dy))
	}
}

func (denseOp) Adjoint(out *Value, in []*Value) {
	x, w := in[0], in[1]
	ybar := general(out, out.Adj)
	if x.Adj != nil { // X̄ += Ȳ W
		gemm(blas.NoTrans, blas.NoTrans, 1, ybar, general(w, w.Data), 1, general(x, x.Adj))
	}
	if w.Adj != nil { // W̄ += Ȳᵀ X
		gemm(blas.Trans, blas.NoTrans, 1, ybar, general(x, x.Data), 1, general(w, w.Adj))
	}
	if len(in) == 3 && in[2].Adj != nil { // b̄ += Σ_rows Ȳ
		// Row by row with gonum's vector add: the same sums in the same order as the scalar
		// loop, which was a tenth of a batch gradient's reverse sweep.
		bb := in[2].Adj
		for r := 0; r < out.rows; r++ {
			floats.Add(bb, out.Adj[r*out.cols:(r+1)*out.cols])
		}
	}
}

// addRowOp is Y = X + 1·bᵀ, a row vector broadcast over the rows of X.
type addRowOp struct{}

func (addRowOp) Name() string { return "AddRow" }

// AddRow returns X + b with the vector b (length Cols of X) added to every row of X.
func AddRow(x, b *Value) *Value {
	if b.Len() != x.cols {
		panic(fmt.Sprintf("adjoint: AddRow: shape mismatch X %s, b %s", x.shape(), b.shape()))
	}
	return apply(addRowOp{}, x.rows, x.cols, x, b)
}

func (addRowOp) Forward(out *Value, in []*Value) {
	x, b, c := in[0].Data, in[1].Data, out.cols
	for i := range out.Data {
		out.Data[i] = x[i] + b[i%c]
	}
}

func (addRowOp) Tangent(out *Value, in []*Value) {
	dy, c := out.Tan, out.cols
	if dx := in[0].Tan; dx != nil {
		copy(dy, dx)
	} else {
		clear(dy)
	}
	if db := in[1].Tan; db != nil {
		for i := range dy {
			dy[i] += db[i%c]
		}
	}
}

func (addRowOp) Adjoint(out *Value, in []*Value) {
	ay, c := out.Adj, out.cols
	if ax := in[0].Adj; ax != nil {
		for i, g := range ay {
			ax[i] += g
		}
	}
	if ab := in[1].Adj; ab != nil {
		for i, g := range ay {
			ab[i%c] += g
		}
	}
}

// transposeOp is Y = Xᵀ.
type transposeOp struct{}

func (transposeOp) Name() string { return "Transpose" }

// Transpose returns Xᵀ.
func Transpose(x *Value) *Value { return apply(transposeOp{}, x.cols, x.rows, x) }

func transpose(dst, src []float64, rows, cols int, acc bool) {
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			if acc {
				dst[j*rows+i] += src[i*cols+j]
			} else {
				dst[j*rows+i] = src[i*cols+j]
			}
		}
	}
}

func (transposeOp) Forward(out *Value, in []*Value) {
	transpose(out.Data, in[0].Data, in[0].rows, in[0].cols, false)
}

func (transposeOp) Tangent(out *Value, in []*Value) {
	if in[0].Tan == nil {
		clear(out.Tan)
		return
	}
	transpose(out.Tan, in[0].Tan, in[0].rows, in[0].cols, false)
}

func (transposeOp) Adjoint(out *Value, in []*Value) {
	if in[0].Adj != nil {
		transpose(in[0].Adj, out.Adj, out.rows, out.cols, true)
	}
}

// reshapeOp is Y = X with another shape and the same row-major elements.
type reshapeOp struct{}

func (reshapeOp) Name() string { return "Reshape" }

// Reshape returns x with shape rows×cols; the element count must not change.
func Reshape(x *Value, rows, cols int) *Value {
	if rows*cols != x.Len() || rows < 0 || cols < 0 {
		panic(fmt.Sprintf("adjoint: Reshape: shape mismatch %s to %dx%d", x.shape(), rows, cols))
	}
	return apply(reshapeOp{}, rows, cols, x)
}

func (reshapeOp) Forward(out *Value, in []*Value) { copy(out.Data, in[0].Data) }

func (reshapeOp) Tangent(out *Value, in []*Value) {
	if in[0].Tan == nil {
		clear(out.Tan)
		return
	}
	copy(out.Tan, in[0].Tan)
}

func (reshapeOp) Adjoint(out *Value, in []*Value) {
	if ax := in[0].Adj; ax != nil {
		floats.Add(ax, out.Adj) // the scalar loop's sums, vectorised
	}
}

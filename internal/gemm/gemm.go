package gemm

import (
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// kernel is a register-blocked micro-kernel: run adds A·B to an mr×nr tile of C from an
// mr×kc panel of A and a kc×nr panel of B, both packed (see pack.go).
type kernel struct {
	name   string
	mr, nr int
	run    func(kc int, a, b, c *float64, ldc int)
}

// available lists the kernels of this CPU and build, best first; best is the first or nil.
var (
	available = kernels()
	best      = first(available)
)

func first(ks []*kernel) *kernel {
	if len(ks) == 0 {
		return nil
	}
	return ks[0]
}

// Kernel names the micro-kernel Dgemm uses on this CPU and build: "avx512", "avx2", or
// "gonum" when there is none and Dgemm is gonum's.
func Kernel() string {
	if best == nil {
		return "gonum"
	}
	return best.name
}

// Implementation is gonum's native BLAS with Dgemm replaced by this package's. Install it
// with blas64.Use(gemm.Implementation{}) so that every caller of blas64.Gemm (gonum's mat
// among them) gains.
type Implementation struct {
	gonum.Implementation
}

var _ blas.Float64 = Implementation{}

// Dgemm computes C = alpha·op(A)·op(B) + beta·C, where op(X) is X or Xᵀ, A is m×k, B is k×n
// and C is m×n after op, all row-major with leading dimensions lda, ldb, ldc. It checks its
// arguments and panics as gonum's Dgemm does. As in the reference BLAS, beta = 0 overwrites C
// (NaNs in it do not survive) and alpha = 0 does not read A or B.
//
// Without a micro-kernel for this CPU (see Kernel) it is gonum's Dgemm.
func (impl Implementation) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if best == nil {
		impl.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	aTrans, bTrans := checkArgs(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
	dgemm(best, aTrans, bTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Panic messages, the same as gonum's.
const (
	badTranspose = "blas: illegal transpose"
	mLT0         = "blas: m < 0"
	nLT0         = "blas: n < 0"
	kLT0         = "blas: k < 0"
	badLdA       = "blas: bad leading dimension of A"
	badLdB       = "blas: bad leading dimension of B"
	badLdC       = "blas: bad leading dimension of C"
	shortA       = "blas: insufficient length of a"
	shortB       = "blas: insufficient length of b"
	shortC       = "blas: insufficient length of c"
)

// checkArgs panics on the arguments gonum's Dgemm panics on, in the same order, and reports
// whether A and B are transposed.
func checkArgs(tA, tB blas.Transpose, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) (aTrans, bTrans bool) {
	isTrans := func(t blas.Transpose) bool {
		switch t {
		case blas.NoTrans:
			return false
		case blas.Trans, blas.ConjTrans:
			return true
		}
		panic(badTranspose)
	}
	aTrans, bTrans = isTrans(tA), isTrans(tB)
	switch {
	case m < 0:
		panic(mLT0)
	case n < 0:
		panic(nLT0)
	case k < 0:
		panic(kLT0)
	case aTrans && lda < max(1, m), !aTrans && lda < max(1, k):
		panic(badLdA)
	case bTrans && ldb < max(1, k), !bTrans && ldb < max(1, n):
		panic(badLdB)
	case ldc < max(1, n):
		panic(badLdC)
	case m == 0 || n == 0:
		return aTrans, bTrans
	case aTrans && len(a) < (k-1)*lda+m, !aTrans && len(a) < (m-1)*lda+k:
		panic(shortA)
	case bTrans && len(b) < (n-1)*ldb+k, !bTrans && len(b) < (k-1)*ldb+n:
		panic(shortB)
	case len(c) < (m-1)*ldc+n:
		panic(shortC)
	}
	return aTrans, bTrans
}

// Cache blocking (doc.go): a kc×nc block of B stays in L2 while the micro-kernel streams
// through it with an mr×kc panel of A in L1. The limits are for the 1 MiB L2 and 48 KiB L1
// of current x86 cores; the blocks actually used split k, n and m into equal parts no larger.
const (
	kcMax = 256
	ncMax = 384
	mcMax = 384
)

// bufPool holds the packing buffers, so that Dgemm allocates nothing in steady state and
// concurrent callers do not share one.
var bufPool sync.Pool

type buffers struct{ a, b, tile []float64 }

func getBuffers(na, nb, nt int) *buffers {
	bf, _ := bufPool.Get().(*buffers)
	if bf == nil {
		bf = new(buffers)
	}
	grow := func(s []float64, n int) []float64 {
		if cap(s) < n {
			return make([]float64, n)
		}
		return s[:n]
	}
	bf.a, bf.b, bf.tile = grow(bf.a, na), grow(bf.b, nb), grow(bf.tile, nt)
	return bf
}

// split returns the block size that cuts n into the fewest parts of at most limit, made
// equal and rounded up to a multiple of unit.
func split(n, limit, unit int) int {
	parts := (n + limit - 1) / limit
	size := (n + parts - 1) / parts
	return (size + unit - 1) / unit * unit
}

// dgemm is Dgemm after the argument checks, with kernel kn.
//
// The loops are those of Goto and van de Geijn (2008): over blocks of kc of the inner
// dimension; over blocks of nc columns of C, packing the kc×nc block of op(B) into nr-wide
// panels; over blocks of mc rows, packing the mc×kc block of alpha·op(A) into mr-high panels;
// then over the mr×nr tiles, each computed by one call of the micro-kernel. With the kc loop
// outermost, a product whose rows fit in one block (a mini-batch of up to mc) packs each
// block of A once instead of once per block of columns. Every element of C
// sums its products in the same order whatever the memory layout or the goroutine, so the
// result is a function of the inputs and the shapes alone.
func dgemm(kn *kernel, aTrans, bTrans bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	scale(m, n, beta, c, ldc)
	if alpha == 0 || k == 0 {
		return
	}
	mr, nr := kn.mr, kn.nr
	kc, nc, mc := split(k, kcMax, 1), split(n, ncMax, nr), split(m, mcMax, mr)
	bf := getBuffers(mc*kc, kc*nc, mr*nr)
	defer bufPool.Put(bf)
	tile := bf.tile
	for pc := 0; pc < k; pc += kc {
		kb := min(kc, k-pc)
		for jc := 0; jc < n; jc += nc {
			nb := min(nc, n-jc)
			packB(bf.b, b, ldb, bTrans, pc, jc, kb, nb, nr)
			for ic := 0; ic < m; ic += mc {
				mb := min(mc, m-ic)
				if jc == 0 || mc < m { // one block of rows: still packed from jc = 0
					packA(bf.a, a, lda, aTrans, ic, pc, mb, kb, mr, alpha)
				}
				for ir := 0; ir < mb; ir += mr {
					pa := &bf.a[ir*kb]
					rows := min(mr, mb-ir)
					for jr := 0; jr < nb; jr += nr {
						pb := &bf.b[jr*kb]
						cols := min(nr, nb-jr)
						ci := (ic+ir)*ldc + jc + jr
						if rows == mr && cols == nr {
							kn.run(kb, pa, pb, &c[ci], ldc)
							continue
						}
						// An edge tile: the kernel writes a full tile of scratch, of which
						// the part inside C is added.
						clear(tile)
						kn.run(kb, pa, pb, &tile[0], nr)
						for i := range rows {
							row := c[ci+i*ldc : ci+i*ldc+cols]
							for j, v := range tile[i*nr : i*nr+cols] {
								row[j] += v
							}
						}
					}
				}
			}
		}
	}
}

// scale sets C = beta·C, with zeros (not 0·C, which keeps NaNs) when beta is 0.
func scale(m, n int, beta float64, c []float64, ldc int) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

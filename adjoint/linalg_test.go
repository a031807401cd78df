package adjoint

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// TestGemmPaths checks every route of gemm in this build (rank-one update, matrix-vector
// products, and blas64.Gemm: internal/gemm's Dgemm, or where that is gonum's, serial 64×64
// blocks at GOMAXPROCS=1) against a naive triple loop, for both transpositions, with α and
// β ≠ 1 and strided operands. Tolerance 1e-12 relative: only the summation order differs.
func TestGemmPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	fill := func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = rng.NormFloat64()
		}
		return s
	}
	for _, procs := range []int{1, 2} {
		old := runtime.GOMAXPROCS(procs)
		for _, sz := range [][3]int{{1, 1, 1}, {5, 7, 1}, {5, 1, 7}, {1, 7, 5}, {1, 1, 9}, {70, 130, 3}, {200, 65, 1}, {3, 4, 5}, {130, 140, 70}} {
			m, n, k := sz[0], sz[1], sz[2]
			for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
					const pad = 2 // strides larger than the widths
					ar, ac := m, k
					if tA == blas.Trans {
						ar, ac = k, m
					}
					br, bc := k, n
					if tB == blas.Trans {
						br, bc = n, k
					}
					a := blas64.General{Rows: ar, Cols: ac, Stride: ac + pad, Data: fill(ar * (ac + pad))}
					b := blas64.General{Rows: br, Cols: bc, Stride: bc + pad, Data: fill(br * (bc + pad))}
					c := blas64.General{Rows: m, Cols: n, Stride: n + pad, Data: fill(m * (n + pad))}
					at := func(g blas64.General, tr blas.Transpose, i, j int) float64 {
						if tr == blas.Trans {
							i, j = j, i
						}
						return g.Data[i*g.Stride+j]
					}
					const alpha, beta = 0.7, -1.3
					want := make([]float64, m*n)
					for i := range m {
						for j := range n {
							s := 0.0
							for l := range k {
								s += at(a, tA, i, l) * at(b, tB, l, j)
							}
							want[i*n+j] = alpha*s + beta*c.Data[i*c.Stride+j]
						}
					}
					gemm(tA, tB, alpha, a, b, beta, c)
					for i := range m {
						for j := range n {
							got, w := c.Data[i*c.Stride+j], want[i*n+j]
							if math.Abs(got-w) > 1e-12*math.Max(1, math.Abs(w)) {
								t.Fatalf("GOMAXPROCS=%d %dx%dx%d tA=%c tB=%c: C[%d,%d] = %v, want %v", procs, m, n, k, tA, tB, i, j, got, w)
							}
						}
					}
				}
			}
		}
		runtime.GOMAXPROCS(old)
	}
}

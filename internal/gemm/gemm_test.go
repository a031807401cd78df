package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// operands returns random A, B and C for C = alpha·op(A)·op(B) + beta·C with leading
// dimensions pad larger than the minimum, so that a kernel that ignored lda would fail.
func operands(rng *rand.Rand, tA, tB bool, m, n, k, pad int) (a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	fill := func(rows, cols int) ([]float64, int) {
		ld := max(cols+pad, 1)
		s := make([]float64, max(0, (rows-1)*ld+cols))
		for i := range s {
			s[i] = rng.NormFloat64()
		}
		return s, ld
	}
	if tA {
		a, lda = fill(k, m)
	} else {
		a, lda = fill(m, k)
	}
	if tB {
		b, ldb = fill(n, k)
	} else {
		b, ldb = fill(k, n)
	}
	c, ldc = fill(m, n)
	return
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// TestDgemmAgainstGonum compares every kernel this CPU has with gonum's Dgemm on shapes that
// hit the edges of tiles and blocks (1, 7, 17, 129 and the kernel's mr, nr and blocking limits
// ± 1), all four transposes, leading dimensions larger than the matrices, and alpha and beta
// at 0, 1 and other values.
//
// The two sum the k products of an element in different orders, so they agree only to
// rounding: each element must be within 1e-13 of the scale of its terms,
// |alpha|·Σ_p |a_ip b_pj| + |beta·c_ij|, which bounds the error of any summation order by
// about k·2⁻⁵³ times that scale (here at most 520·1.1e-16 ≈ 6e-14).
func TestDgemmAgainstGonum(t *testing.T) {
	if len(available) == 0 {
		t.Skip("no micro-kernel on this CPU or build: Dgemm is gonum's")
	}
	dims := []int{1, 2, 7, 8, 17, 24, 25, 129}
	big := []int{kcMax - 1, kcMax + 1, 2*kcMax + 3, ncMax + 5}
	type scalars struct{ alpha, beta float64 }
	coeffs := []scalars{{1, 0}, {1, 1}, {-0.7, 0}, {0.3, -1.25}, {0, 0.5}, {0, 0}, {2, 1}}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, kn := range available {
		cases := 0
		for _, m := range dims {
			for _, n := range dims {
				for _, k := range append(dims, 0) {
					cases += checkShape(t, rng, kn, m, n, k, coeffs[rng.IntN(len(coeffs))].alpha, coeffs[rng.IntN(len(coeffs))].beta)
				}
			}
		}
		// Blocking edges: one dimension at a time past a blocking limit.
		for _, d := range big {
			for _, s := range coeffs[:4] {
				cases += checkShape(t, rng, kn, 9, 31, d, s.alpha, s.beta)
				cases += checkShape(t, rng, kn, 13, d, 5, s.alpha, s.beta)
				cases += checkShape(t, rng, kn, d, 26, 3, s.alpha, s.beta)
			}
		}
		t.Logf("%s: %d products", kn.name, cases)
	}
}

// checkShape runs one shape with all four transposes and returns how many products it checked.
func checkShape(t *testing.T, rng *rand.Rand, kn *kernel, m, n, k int, alpha, beta float64) int {
	t.Helper()
	cases := 0
	for _, tA := range []bool{false, true} {
		for _, tB := range []bool{false, true} {
			a, lda, b, ldb, c, ldc := operands(rng, tA, tB, m, n, k, rng.IntN(3))
			if beta == 0 && len(c) > 0 {
				c[0] = math.NaN() // beta = 0 must overwrite, not scale
			}
			want := append([]float64(nil), c...)
			gonum.Implementation{}.Dgemm(trans(tA), trans(tB), m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
			got := append([]float64(nil), c...)
			dgemm(kn, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc)
			at := func(x []float64, ld, i, j int, tr bool) float64 {
				if tr {
					return x[j*ld+i]
				}
				return x[i*ld+j]
			}
			for i := range m {
				for j := range n {
					scale := 0.0
					for p := range k {
						scale += math.Abs(at(a, lda, i, p, tA) * at(b, ldb, p, j, tB))
					}
					scale *= math.Abs(alpha)
					if beta != 0 {
						scale += math.Abs(beta * c[i*ldc+j])
					}
					g, w := got[i*ldc+j], want[i*ldc+j]
					if math.IsNaN(g) || math.Abs(g-w) > 1e-13*scale {
						t.Fatalf("%s: %s %dx%dx%d tA=%v tB=%v alpha=%v beta=%v: C[%d,%d] = %v, gonum %v (scale %v)",
							kn.name, "dgemm", m, n, k, tA, tB, alpha, beta, i, j, g, w, scale)
					}
				}
			}
			// Padding between rows of C belongs to the caller: it must be untouched.
			for i := range max(0, m-1) {
				for j := n; j < ldc; j++ {
					if got[i*ldc+j] != c[i*ldc+j] {
						t.Fatalf("%s: %dx%dx%d: wrote C's padding at [%d,%d]", kn.name, m, n, k, i, j)
					}
				}
			}
			cases++
		}
	}
	return cases
}

// TestDgemmPanics checks that Dgemm rejects what gonum's rejects, with gonum's message.
func TestDgemmPanics(t *testing.T) {
	s := make([]float64, 12)
	for _, tc := range []struct {
		name       string
		tA, tB     blas.Transpose
		m, n, k    int
		lda, ldb   int
		ldc        int
		la, lb, lc int
	}{
		{"transpose", 'x', blas.NoTrans, 2, 2, 2, 2, 2, 2, 4, 4, 4},
		{"m<0", blas.NoTrans, blas.NoTrans, -1, 2, 2, 2, 2, 2, 4, 4, 4},
		{"lda", blas.NoTrans, blas.NoTrans, 2, 2, 3, 2, 2, 2, 6, 6, 4},
		{"ldaT", blas.Trans, blas.NoTrans, 3, 2, 2, 2, 2, 2, 6, 4, 6},
		{"ldb", blas.NoTrans, blas.Trans, 2, 3, 2, 2, 1, 3, 4, 6, 6},
		{"ldc", blas.NoTrans, blas.NoTrans, 2, 3, 2, 2, 3, 2, 4, 6, 6},
		{"shortA", blas.NoTrans, blas.NoTrans, 2, 2, 2, 2, 2, 2, 3, 4, 4},
		{"shortB", blas.NoTrans, blas.NoTrans, 2, 2, 2, 2, 2, 2, 4, 3, 4},
		{"shortC", blas.NoTrans, blas.NoTrans, 2, 2, 2, 2, 2, 2, 4, 4, 3},
	} {
		run := func(f func()) (msg any) {
			defer func() { msg = recover() }()
			f()
			return nil
		}
		want := run(func() {
			gonum.Implementation{}.Dgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, s[:tc.la], tc.lda, s[:tc.lb], tc.ldb, 0, make([]float64, tc.lc), tc.ldc)
		})
		got := run(func() {
			Implementation{}.Dgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, s[:tc.la], tc.lda, s[:tc.lb], tc.ldb, 0, make([]float64, tc.lc), tc.ldc)
		})
		if want == nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: panic %v, gonum's %v", tc.name, got, want)
		}
	}
}

// TestDgemmConcurrent runs products of different shapes from several goroutines at once, so
// that they share the pool of packing buffers, and checks that each gives the same bits as
// the same product run alone: Dgemm is deterministic and its callers do not share scratch.
func TestDgemmConcurrent(t *testing.T) {
	if best == nil {
		t.Skip("no micro-kernel on this CPU or build: Dgemm is gonum's")
	}
	rng := rand.New(rand.NewPCG(9, 10))
	type product struct {
		m, n, k    int
		a, b, want []float64
	}
	var ps []product
	for _, s := range [][3]int{{64, 300, 70}, {129, 17, 257}, {8, 24, 600}, {300, 40, 33}} {
		m, n, k := s[0], s[1], s[2]
		a, _, b, _, _, _ := operands(rng, false, true, m, n, k, 0)
		want := make([]float64, m*n)
		Implementation{}.Dgemm(blas.NoTrans, blas.Trans, m, n, k, 1, a, k, b, k, 0, want, n)
		ps = append(ps, product{m, n, k, a, b, want})
	}
	const rounds = 20
	errs := make(chan string, len(ps)*rounds)
	done := make(chan struct{})
	for g := range 4 * len(ps) {
		go func() {
			defer func() { done <- struct{}{} }()
			p := ps[g%len(ps)]
			c := make([]float64, p.m*p.n)
			for range rounds {
				Implementation{}.Dgemm(blas.NoTrans, blas.Trans, p.m, p.n, p.k, 1, p.a, p.k, p.b, p.k, 0, c, p.n)
				for i := range c {
					if math.Float64bits(c[i]) != math.Float64bits(p.want[i]) {
						errs <- fmt.Sprintf("%dx%dx%d: C[%d] = %v, alone %v", p.m, p.n, p.k, i, c[i], p.want[i])
						return
					}
				}
			}
		}()
	}
	for range 4 * len(ps) {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

package adjoint

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// ulps returns the distance between a and b in units in the last place.
func ulps(a, b float64) int64 {
	ia, ib := int64(math.Float64bits(a)), int64(math.Float64bits(b))
	if (ia < 0) != (ib < 0) {
		return math.MaxInt64
	}
	if ia > ib {
		return ia - ib
	}
	return ib - ia
}

// TestTanhAccuracy guards the branch-free tanh that Tanh uses against math.Tanh (itself within
// about 1 ulp): within 3 ulp everywhere for 1e-22 ≤ |x| ≤ 25, which is what the few roundings of
// u/(u+2) with an expm1 accurate to < 1 ulp allow (the largest, near −1 where
// ulps are finest, come from rounding u+2), and exact at the special values.
func TestTanhAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var worst int64
	var at float64
	check := func(x float64) {
		if d := ulps(tanh(x), math.Tanh(x)); d > worst {
			worst, at = d, x
		}
		if d := ulps(tanh(-x), math.Tanh(-x)); d > worst {
			worst, at = d, -x
		}
	}
	for range 1_000_000 {
		check(rng.Float64() * 25)
		check(math.Exp(rng.Float64()*60 - 50)) // tiny to large magnitudes
	}
	// The branch points and their neighbours.
	for _, x := range []float64{0.625, 19.1, 19.06, math.Log(2) / 2, 1, 5} {
		check(x)
		check(math.Nextafter(x, 0))
		check(math.Nextafter(x, 100))
	}
	t.Logf("largest difference from math.Tanh: %d ulp at x = %v", worst, at)
	if worst > 3 {
		t.Errorf("tanh differs from math.Tanh by %d ulp at x = %v, want ≤ 3", worst, at)
	}
	for _, x := range []float64{math.Inf(1), math.Inf(-1), 1e300, -1e300, 19.1, -40} {
		if tanh(x) != math.Tanh(x) {
			t.Errorf("tanh(%v) = %v, want %v", x, tanh(x), math.Tanh(x))
		}
	}
	if !math.IsNaN(tanh(math.NaN())) {
		t.Error("tanh(NaN) is not NaN")
	}
	if z := tanh(math.Copysign(0, -1)); z != 0 || !math.Signbit(z) {
		t.Error("tanh(−0) is not −0")
	}
}

func BenchmarkTanh(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 6400)
	for i := range x {
		x[i] = rng.NormFloat64() * 2
	}
	y := make([]float64, len(x))
	b.Run("inline", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				y[i] = tanh(v)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/elem")
	})
	b.Run("math", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				y[i] = math.Tanh(v)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/elem")
	})
}

// TestGemmPaths checks every route of gemm (rank-one update, matrix-vector products, serial
// 64×64 blocks, gonum's Gemm) against a naive triple loop, for both transpositions, with
// α and β ≠ 1 and strided operands. Tolerance 1e-12 relative: only the summation order differs.
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

package vmath

import (
	"math"
	"math/rand/v2"
	"testing"
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

// tanhKernels are the implementations of tanh this CPU and build can run: the scalar one
// always, and the vector kernel where it exists (called on slices of every length 1–17, so
// that both its main loop and its masked tail are exercised).
func tanhKernels() map[string]func(dst, x []float64) {
	ks := map[string]func(dst, x []float64){
		"scalar": func(dst, x []float64) {
			for i, v := range x {
				dst[i] = tanh(v)
			}
		},
	}
	if vectorTanh {
		ks["vector"] = func(dst, x []float64) {
			// Chunks of 1 to 17 elements in turn, so that every tail length and
			// alignment is exercised and every element is computed exactly once.
			for i, c := 0, 0; i < len(x); c++ {
				n := min(1+c%17, len(x)-i)
				tanhVector(dst[i:i+n], x[i:i+n])
				i += n
			}
		}
	}
	return ks
}

// TestTanhAccuracy guards each tanh kernel against math.Tanh (itself within about 1 ulp) over
// the whole float64 range: random bit patterns (so every exponent, subnormals included, is
// hit as often as any other), the magnitudes where tanh is neither x nor ±1 drawn densely,
// the branch points of math.Tanh and their neighbours. Within 3 ulp everywhere, which is
// what the few roundings of u/(u+2) with an expm1 accurate to about 1 ulp allow (the largest,
// near ±1 where the ulps of u+2 are coarse), and exact at ±0, ±Inf, NaN and where tanh
// rounds to ±1.
func TestTanhAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var x []float64
	for range 1_000_000 {
		x = append(x, math.Float64frombits(rng.Uint64()))
		x = append(x, rng.Float64()*25, -rng.Float64()*25)
		x = append(x, math.Exp(rng.Float64()*60-50)) // tiny to large magnitudes
	}
	for _, b := range []float64{0.625, 19.1, 19.06, math.Log(2) / 2, 1, 5, math.Log(2) / 64, 0.3466, 20} {
		for _, v := range []float64{b, math.Nextafter(b, 0), math.Nextafter(b, 100)} {
			x = append(x, v, -v)
		}
	}
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
		1e300, -1e300, 19.1, -40, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, math.MaxFloat64}
	x = append(x, special...)
	y := make([]float64, len(x))
	for name, kernel := range tanhKernels() {
		// A sentinel that no tanh returns, so an element a kernel skipped fails below
		// instead of passing with the value an earlier kernel left.
		for i := range y {
			y[i] = 42
		}
		kernel(y, x)
		var worst int64
		var at float64
		for i, v := range x {
			want := math.Tanh(v)
			if math.IsNaN(v) {
				if !math.IsNaN(y[i]) {
					t.Errorf("%s: tanh(NaN) = %v", name, y[i])
				}
				continue
			}
			if d := ulps(y[i], want); d > worst {
				worst, at = d, v
			}
		}
		t.Logf("%s: largest difference from math.Tanh: %d ulp at x = %v", name, worst, at)
		if worst > 3 {
			t.Errorf("%s: tanh differs from math.Tanh by %d ulp at x = %v, want ≤ 3", name, worst, at)
		}
		for i, v := range x[len(x)-len(special):] {
			got := y[len(x)-len(special)+i]
			if want := math.Tanh(v); got != want && !math.IsNaN(v) || math.Signbit(got) != math.Signbit(want) {
				t.Errorf("%s: tanh(%v) = %v, want %v", name, v, got, want)
			}
		}
	}
}

// TestTanhInPlace checks that Tanh may write over its input.
func TestTanhInPlace(t *testing.T) {
	x := []float64{-3, -0.5, 0, 0.25, 1, 2, 4, 8, 16, 0.1}
	want := make([]float64, len(x))
	Tanh(want, x)
	Tanh(x, x)
	for i := range x {
		if x[i] != want[i] {
			t.Errorf("in place: tanh[%d] = %v, want %v", i, x[i], want[i])
		}
	}
}

// BenchmarkTanh compares the kernels with math.Tanh on the pre-activations of a 64×100
// hidden layer.
func BenchmarkTanh(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 6400)
	for i := range x {
		x[i] = rng.NormFloat64() * 2
	}
	y := make([]float64, len(x))
	run := func(name string, f func()) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				f()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/elem")
		})
	}
	run("Tanh", func() { Tanh(y, x) })
	run("scalar", func() {
		for i, v := range x {
			y[i] = tanh(v)
		}
	})
	run("math", func() {
		for i, v := range x {
			y[i] = math.Tanh(v)
		}
	})
}

package fourdvar

// Test models: package lorenz's Lorenz-96 (the forcing F as its one parameter), and a linear
// model x' = A x + b p, for which strong-constraint 4DVar with a linear H is an exact
// quadratic.

import (
	"math"
	"math/rand/v2"

	"github.com/adjunto/adjunto/models/lorenz"
)

// newTestL96 returns package lorenz's Lorenz-96 with n variables, forcing f, time step dt
// and RK4: the fused model, whose TL and AD lorenz's own tests prove.
func newTestL96(n int, f, dt float64) *lorenz.L96 { return &lorenz.L96{N: n, F: f, Dt: dt} }

// testLinear is x' = A x + b p with a fixed random A (spectral radius near 1) and b.
type testLinear struct {
	n int
	a []float64 // row-major n×n
	b []float64
	p float64
}

func newTestLinear(n int, seed uint64) *testLinear {
	rng := rand.New(rand.NewPCG(seed, 7))
	m := &testLinear{n: n, a: make([]float64, n*n), b: make([]float64, n), p: 1}
	for i := range n {
		for j := range n {
			m.a[i*n+j] = 0.3 * rng.NormFloat64() / math.Sqrt(float64(n))
		}
		m.a[i*n+i] += 0.9
		m.b[i] = rng.NormFloat64()
	}
	return m
}

func (m *testLinear) Dim() int              { return m.n }
func (m *testLinear) NumParams() int        { return 1 }
func (m *testLinear) Params() []float64     { return []float64{m.p} }
func (m *testLinear) SetParams(p []float64) { m.p = p[0] }

func (m *testLinear) Step(dst, x []float64) {
	m.StepTangent(dst, x, x, []float64{m.p})
}

func (m *testLinear) StepTangent(dy, x, dx, dp []float64) {
	n := m.n
	for i := range n {
		var s float64
		for j := range n {
			s += m.a[i*n+j] * dx[j]
		}
		if dp != nil {
			s += m.b[i] * dp[0]
		}
		dy[i] = s
	}
}

func (m *testLinear) StepAdjoint(ax, ap, x, ay []float64) {
	n := m.n
	for i := range n {
		for j := range n {
			ax[j] += m.a[i*n+j] * ay[i]
		}
		if ap != nil {
			ap[0] += m.b[i] * ay[i]
		}
	}
}

func randVec(rng *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = scale * rng.NormFloat64()
	}
	return v
}

// spunUpL96 returns a Lorenz-96 state on the attractor.
func spunUpL96(m Model, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := randVec(rng, m.Dim(), 1)
	for i := range x {
		x[i] += 8
	}
	Forecast(m, x, x, 500, nil)
	return x
}

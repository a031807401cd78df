package fourdvar

// Test models, written here so that fourdvar's tests depend on no other model package: a
// Lorenz-96 with RK4 and hand-written TL and AD steps (the forcing F as its one parameter),
// and a linear model x' = A x + b p, for which strong-constraint 4DVar with a linear H is an
// exact quadratic.

import (
	"math"
	"math/rand/v2"
)

type testL96 struct {
	n  int
	f  float64
	dt float64
	// scratch
	k1, k2, k3, k4, x2, x3, x4, a1, a2, a3, a4, ax2, ax3, ax4 []float64
}

func newTestL96(n int, f, dt float64) *testL96 {
	m := &testL96{n: n, f: f, dt: dt}
	for _, p := range []*[]float64{&m.k1, &m.k2, &m.k3, &m.k4, &m.x2, &m.x3, &m.x4, &m.a1, &m.a2, &m.a3, &m.a4, &m.ax2, &m.ax3, &m.ax4} {
		*p = make([]float64, n)
	}
	return m
}

func (m *testL96) Dim() int              { return m.n }
func (m *testL96) NumParams() int        { return 1 }
func (m *testL96) Params() []float64     { return []float64{m.f} }
func (m *testL96) SetParams(p []float64) { m.f = p[0] }

func (m *testL96) tend(dst, x []float64) {
	n := m.n
	for i := range n {
		dst[i] = (x[(i+1)%n]-x[(i+n-2)%n])*x[(i+n-1)%n] - x[i] + m.f
	}
}

func (m *testL96) tendTan(dst, x, dx []float64, df float64) {
	n := m.n
	for i := range n {
		ip, im1, im2 := (i+1)%n, (i+n-1)%n, (i+n-2)%n
		dst[i] = (dx[ip]-dx[im2])*x[im1] + (x[ip]-x[im2])*dx[im1] - dx[i] + df
	}
}

// tendAdj accumulates ax += f'(x)ᵀ a and returns Σ a (the adjoint of F).
func (m *testL96) tendAdj(ax, x, a []float64) float64 {
	n := m.n
	var sf float64
	for i := range n {
		ip, im1, im2 := (i+1)%n, (i+n-1)%n, (i+n-2)%n
		ax[ip] += a[i] * x[im1]
		ax[im2] -= a[i] * x[im1]
		ax[im1] += a[i] * (x[ip] - x[im2])
		ax[i] -= a[i]
		sf += a[i]
	}
	return sf
}

func (m *testL96) stages(x []float64) {
	h := m.dt
	m.tend(m.k1, x)
	for i := range x {
		m.x2[i] = x[i] + h/2*m.k1[i]
	}
	m.tend(m.k2, m.x2)
	for i := range x {
		m.x3[i] = x[i] + h/2*m.k2[i]
	}
	m.tend(m.k3, m.x3)
	for i := range x {
		m.x4[i] = x[i] + h*m.k3[i]
	}
	m.tend(m.k4, m.x4)
}

func (m *testL96) Step(dst, x []float64) {
	m.stages(x)
	h := m.dt
	for i := range x {
		dst[i] = x[i] + h/6*(m.k1[i]+2*m.k2[i]+2*m.k3[i]+m.k4[i])
	}
}

func (m *testL96) StepTangent(dy, x, dx, dp []float64) {
	m.stages(x)
	h := m.dt
	df := 0.0
	if dp != nil {
		df = dp[0]
	}
	d1, d2, d3, d4, t := m.a1, m.a2, m.a3, m.a4, m.ax2
	m.tendTan(d1, x, dx, df)
	for i := range x {
		t[i] = dx[i] + h/2*d1[i]
	}
	m.tendTan(d2, m.x2, t, df)
	for i := range x {
		t[i] = dx[i] + h/2*d2[i]
	}
	m.tendTan(d3, m.x3, t, df)
	for i := range x {
		t[i] = dx[i] + h*d3[i]
	}
	m.tendTan(d4, m.x4, t, df)
	for i := range x {
		dy[i] = dx[i] + h/6*(d1[i]+2*d2[i]+2*d3[i]+d4[i])
	}
}

func (m *testL96) StepAdjoint(ax, ap, x, ay []float64) {
	m.stages(x)
	h := m.dt
	for i, a := range ay {
		ax[i] += a
		m.a1[i] = h / 6 * a
		m.a2[i] = h / 3 * a
		m.a3[i] = h / 3 * a
		m.a4[i] = h / 6 * a
	}
	var sf float64
	clear(m.ax4)
	sf += m.tendAdj(m.ax4, m.x4, m.a4)
	for i, v := range m.ax4 {
		ax[i] += v
		m.a3[i] += h * v
	}
	clear(m.ax3)
	sf += m.tendAdj(m.ax3, m.x3, m.a3)
	for i, v := range m.ax3 {
		ax[i] += v
		m.a2[i] += h / 2 * v
	}
	clear(m.ax2)
	sf += m.tendAdj(m.ax2, m.x2, m.a2)
	for i, v := range m.ax2 {
		ax[i] += v
		m.a1[i] += h / 2 * v
	}
	sf += m.tendAdj(ax, x, m.a1)
	if ap != nil {
		ap[0] += sf
	}
}

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

package qg

import (
	"errors"
	"fmt"
	"math"

	"github.com/adjunto/adjunto/adjoint"
)

// Sentinel errors.
var (
	// ErrInvalid is wrapped by every error that reports an invalid model setting.
	ErrInvalid = errors.New("qg: invalid model")

	// ErrUnstable is wrapped by the errors of settings or states beyond the stability limit
	// of the time step (the CFL condition of the advection, or the limit of the explicit
	// dissipation).
	ErrUnstable = errors.New("qg: time step beyond the stability limit")
)

// Defaults of New: Sakov and Oke's (2008) parameters (DAPPER mods/QG) where the periodic
// geometry allows them; see the package documentation for where they differ and why.
const (
	DefaultN       = 64          // grid points per side
	DefaultDt      = 1.25        // time step, Sakov and Oke's
	DefaultF       = 400         // (L/R_d)²; Sakov and Oke have 1600 at 129² (see the package doc)
	DefaultR       = 1e-5        // factor of the advection (Rossby number), Sakov and Oke's
	DefaultBeta    = 1           // factor of the β term, Sakov and Oke's
	DefaultBottom  = 1e-3        // linear (bottom) drag rkb; Sakov and Oke's basin has none
	DefaultHyper   = 6.25e-13    // biharmonic r_h at 128² (1e-11 at 64²); Sakov and Oke have 2e-12
	DefaultForcing = 8 * math.Pi // Sakov and Oke's wind curl has 2π
	DefaultK       = 4           // meridional wavenumber of the forcing: four jets
)

// DefaultMaxSpeed is the speed scale of New's default flow, used by Validate for the CFL
// condition before any state exists: the largest |u| or |v| (u = −R ψ_y, in domain lengths
// per time unit) measured over 2000 steps of the statistically steady default run at 64²
// (0.0058) and over 1000 steps at 128², rounded up.
const DefaultMaxSpeed = 0.008

// cflLimit is the largest advective Courant number U·Dt/h accepted. RK4 is stable on the
// imaginary axis up to 2√2, and the eigenvalues of the centred advection u∂x + v∂y reach
// (|u| + |v|)/h ≤ 2U/h, so RK4 needs U·Dt/h ≤ √2.
const cflLimit = math.Sqrt2

// rk4RealLimit bounds |λ|·Dt for a negative real eigenvalue λ of the dissipation: RK4 is
// stable on the negative real axis up to 2.785.
const rk4RealLimit = 2.78

// Model is the 1.5-layer (equivalent-barotropic) quasi-geostrophic model of Sakov and Oke
// (2008) on a doubly periodic square of side 1 with N×N points: the streamfunction ψ is
// the state, and the potential vorticity q = Δψ − Fψ is advected by the flow,
//
//	∂q/∂t = −R J(ψ, q) − β ψ_x − r_b ζ − r_h ∇⁴ζ + A sin(2πy),   ζ = Δψ,
//
// discretised with the five-point Laplacian, Arakawa's Jacobian and centred ψ_x on a grid of
// spacing h = 1/N, and integrated in time with RK4 on ψ: each stage inverts the Helmholtz
// operator Δ_h − F by FFT (an adjoint.Spectral). Step, StepTangent and StepAdjoint are
// fused: hand-written kernels; StepOn records the same step from the engine's primitives.
//
// Fields are used as they are; New sets the defaults. A Model owns scratch buffers and is
// not safe for concurrent use. Call Validate after changing fields.
type Model struct {
	N       int     // grid points per side, ≥ 8 with no prime factor above 5
	Dt      float64 // time step
	F       float64 // (L/R_d)², ≥ 0
	R       float64 // factor of the advection J(ψ, q)
	Beta    float64 // factor of the β term ψ_x
	Bottom  float64 // linear drag r_b of ζ, ≥ 0
	Hyper   float64 // biharmonic dissipation r_h, ≥ 0
	Forcing float64 // amplitude A of the forcing A sin(2π K y)
	// K is the meridional wavenumber of the forcing, ≥ 1.
	K int
	// MaxSpeed is the speed scale for Validate's CFL check; zero means DefaultMaxSpeed.
	MaxSpeed float64

	inv  *adjoint.Spectral // (Δ_h − F)⁻¹
	key  [4]float64        // N, F, Forcing and K that inv and curl were built for
	curl []float64         // the forcing field
	w    work
}

// work holds the scratch of one step.
type work struct {
	x2, x3, x4     []float64 // RK4 stage states
	k1, k2, k3, k4 []float64 // stage tendencies (or their tangents / adjoints)
	zeta, q        []float64 // ζ and q of the stage being differentiated
	t1, t2, t3, t4 []float64
	a              []float64 // adjoint accumulator of the state
}

var (
	_ adjoint.Model        = (*Model)(nil)
	_ adjoint.TapedStepper = (*Model)(nil)
)

// New returns the default model on an n×n grid; n ≤ 0 means DefaultN. The biharmonic
// coefficient is scaled as h⁴ from DefaultHyper at 128² (1e-11 at 64²), which keeps the
// damping rate of the grid scale. It returns an error wrapping ErrInvalid for a grid the
// FFT cannot take.
func New(n int) (*Model, error) {
	if n <= 0 {
		n = DefaultN
	}
	m := &Model{N: n, Dt: DefaultDt, F: DefaultF, R: DefaultR, Beta: DefaultBeta, Bottom: DefaultBottom,
		Hyper: DefaultHyper * math.Pow(128/float64(n), 4), Forcing: DefaultForcing, K: DefaultK}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// Validate returns an error wrapping ErrInvalid naming the first invalid field, or one
// wrapping ErrUnstable when Dt is beyond the stability limit of the dissipation or of the
// advection at MaxSpeed.
func (m *Model) Validate() error {
	if m.N < 8 {
		return fmt.Errorf("%w: N = %d: the grid needs at least 8 points per side", ErrInvalid, m.N)
	}
	if p := largestPrimeFactor(m.N); p > 5 {
		return fmt.Errorf("%w: N = %d has the prime factor %d: the FFT of the PV inversion needs sizes 2^a 3^b 5^c (try %d)",
			ErrInvalid, m.N, p, nextSmooth(m.N))
	}
	if m.K < 1 || m.K >= m.N/2 {
		return fmt.Errorf("%w: K = %d: the forcing's wavenumber must be in [1, N/2)", ErrInvalid, m.K)
	}
	for _, f := range []struct {
		name string
		v    float64
		min  float64 // v must be ≥ min, or > 0 when min is NaN
	}{
		{"Dt", m.Dt, math.NaN()}, {"F", m.F, 0}, {"R", m.R, math.Inf(-1)}, {"Beta", m.Beta, math.Inf(-1)},
		{"Bottom", m.Bottom, 0}, {"Hyper", m.Hyper, 0}, {"Forcing", m.Forcing, math.Inf(-1)}, {"MaxSpeed", m.MaxSpeed, 0},
	} {
		bad := math.IsNaN(f.v) || math.IsInf(f.v, 0)
		if math.IsNaN(f.min) {
			bad = bad || !(f.v > 0)
		} else {
			bad = bad || f.v < f.min
		}
		if bad {
			want := "finite"
			switch {
			case math.IsNaN(f.min):
				want = "positive and finite"
			case f.min == 0:
				want = "finite and ≥ 0"
			}
			return fmt.Errorf("%w: %s = %v: must be %s", ErrInvalid, f.name, f.v, want)
		}
	}
	// The stiffest dissipative mode: the grid-scale checkerboard, λ = −8/h² of Δ_h.
	h2inv := float64(m.N * m.N)
	lam := 8 * h2inv
	rate := (m.Bottom*lam + m.Hyper*lam*lam*lam) / (lam + m.F)
	if rate*m.Dt > rk4RealLimit {
		return fmt.Errorf("%w: Dt = %v: the dissipation (Bottom %g, Hyper %g) damps the grid scale at rate %.3g, "+
			"RK4 needs Dt ≤ %.3g", ErrUnstable, m.Dt, m.Bottom, m.Hyper, rate, rk4RealLimit/rate)
	}
	if c := m.courant(m.maxSpeed()); c > cflLimit {
		return fmt.Errorf("%w: Dt = %v: Courant number %.3g at the flow's speed scale %g (grid spacing %g); "+
			"need ≤ %.3g, so Dt ≤ %.3g", ErrUnstable, m.Dt, c, m.maxSpeed(), 1/float64(m.N), cflLimit, m.Dt*cflLimit/c)
	}
	return nil
}

func (m *Model) maxSpeed() float64 {
	if m.MaxSpeed == 0 {
		return DefaultMaxSpeed
	}
	return m.MaxSpeed
}

// courant returns U·Dt/h for the speed U.
func (m *Model) courant(u float64) float64 { return u * m.Dt * float64(m.N) }

// CheckState returns an error wrapping ErrUnstable when the flow of state x moves faster
// than the CFL condition of Dt allows, naming the largest speed and where it is.
func (m *Model) CheckState(x []float64) error {
	m.check("CheckState", x)
	u, at := m.Speed(x)
	if c := m.courant(u); c > cflLimit {
		return fmt.Errorf("%w: speed %.3g at grid point (x=%d, y=%d) gives Courant number %.3g with Dt = %v; need ≤ %.3g",
			ErrUnstable, u, at%m.N, at/m.N, c, m.Dt, cflLimit)
	}
	return nil
}

// Speed returns the largest |u| or |v| of the flow of ψ, u = −R ψ_y and v = R ψ_x by
// centred differences, and the grid index where it is.
func (m *Model) Speed(x []float64) (float64, int) {
	m.check("Speed", x)
	n := m.N
	best, at := 0.0, 0
	c := math.Abs(m.R) * float64(n) / 2
	for j := range n {
		jm, jp := neighbours(j, n)
		for i := range n {
			im, ip := neighbours(i, n)
			u := c * math.Abs(x[jp*n+i]-x[jm*n+i])
			v := c * math.Abs(x[j*n+ip]-x[j*n+im])
			if s := max(u, v); s > best || math.IsNaN(s) {
				best, at = s, j*n+i
			}
		}
	}
	return best, at
}

func largestPrimeFactor(n int) int {
	p := 1
	for f := 2; f*f <= n; f++ {
		for n%f == 0 {
			p, n = f, n/f
		}
	}
	return max(p, n)
}

func nextSmooth(n int) int {
	for k := n + 1; ; k++ {
		if largestPrimeFactor(k) <= 5 {
			return k
		}
	}
}

// Dim returns N².
func (m *Model) Dim() int { return m.N * m.N }

// NumParams returns 0: the model's coefficients are fields, not control variables.
func (m *Model) NumParams() int { return 0 }

// Params returns an empty slice.
func (m *Model) Params() []float64 { return []float64{} }

// SetParams accepts only an empty slice.
func (m *Model) SetParams(p []float64) {
	if len(p) != 0 {
		panic(fmt.Sprintf("qg: Model.SetParams: %d parameters, the model has none", len(p)))
	}
}

// GridShape returns the grid, N columns by N rows: fourdvar builds covariances on the grid
// of a model that has one.
func (m *Model) GridShape() (nx, ny int) { return m.N, m.N }

// Grid returns the grid coordinates (x, y) in [0, 1) of state index k.
func (m *Model) Grid(k int) (x, y float64) {
	h := 1 / float64(m.N)
	return float64(k%m.N) * h, float64(k/m.N) * h
}

func (m *Model) check(op string, xs ...[]float64) {
	if m.N < 8 {
		panic(fmt.Sprintf("qg: Model.%s: N = %d (call Validate on user input)", op, m.N))
	}
	for _, x := range xs {
		if len(x) != m.N*m.N {
			panic(fmt.Sprintf("qg: Model.%s: vector of length %d for a %dx%d grid", op, len(x), m.N, m.N))
		}
	}
}

// prepare builds the inversion and the scratch for the current N and F.
func (m *Model) prepare() {
	key := [4]float64{float64(m.N), m.F, m.Forcing, float64(m.K)}
	if m.inv != nil && key == m.key {
		return
	}
	n := m.N
	m.key = key
	m.inv = Helmholtz(n, m.F)
	m.curl = make([]float64, n*n)
	for j := range n {
		s := m.Forcing * math.Sin(2*math.Pi*float64(m.K*j)/float64(n))
		for i := range n {
			m.curl[j*n+i] = s
		}
	}
	buf := make([]float64, 15*n*n)
	next := func() []float64 { v := buf[: n*n : n*n]; buf = buf[n*n:]; return v }
	w := &m.w
	for _, p := range []*[]float64{&w.x2, &w.x3, &w.x4, &w.k1, &w.k2, &w.k3, &w.k4, &w.zeta, &w.q, &w.t1, &w.t2, &w.t3, &w.t4, &w.a} {
		*p = next()
	}
}

// Helmholtz returns the inverse of the discrete Helmholtz operator Δ_h − F on the periodic
// n×n grid of spacing 1/n, ψ = (Δ_h − F)⁻¹ q: the PV inversion. Its symbol is
// 1/(λ(kx, ky) − F) with λ = −4n²(sin²(πkx/n) + sin²(πky/n)) the five-point Laplacian's; for
// F = 0 the mean mode, which Δ_h annihilates, is set to zero.
func Helmholtz(n int, f float64) *adjoint.Spectral {
	h2inv := float64(n * n)
	return adjoint.NewSpectral(n, n, func(kx, ky int) float64 {
		sx, sy := math.Sin(math.Pi*float64(kx)/float64(n)), math.Sin(math.Pi*float64(ky)/float64(n))
		d := -4*h2inv*(sx*sx+sy*sy) - f
		if d == 0 {
			return 0
		}
		return 1 / d
	})
}

// vorticity sets w.zeta = Δ_h x and w.q = ζ − F x, the relative and potential vorticity
// of the streamfunction x.
func (m *Model) vorticity(x []float64) {
	w := &m.w
	laplacian(w.zeta, x, m.N, float64(m.N*m.N))
	for i, z := range w.zeta {
		w.q[i] = z - m.F*x[i]
	}
}

// tendency sets k = dψ/dt at ψ = x, leaving ζ and q of x in w.zeta and w.q.
func (m *Model) tendency(k, x []float64) {
	n, w := m.N, &m.w
	h2inv := float64(n * n)
	m.vorticity(x)
	arakawa(w.t1, x, w.q, n, h2inv/12)
	laplacian(w.t2, w.zeta, n, h2inv)
	laplacian(w.t3, w.t2, n, h2inv)
	ddx(w.t4, x, n, float64(n)/2)
	for i := range k {
		k[i] = -m.R*w.t1[i] - m.Beta*w.t4[i] - m.Bottom*w.zeta[i] - m.Hyper*w.t3[i] + m.curl[i]
	}
	m.inv.Apply(k, k)
}

// tendencyTangent sets dk = g'(x) dx, computing ζ and q of x first.
func (m *Model) tendencyTangent(dk, x, dx []float64) {
	n, w := m.N, &m.w
	h2inv := float64(n * n)
	m.vorticity(x)
	// δζ in t2, δq in t3, J(δψ, q) + J(ψ, δq) in t1 and t4.
	laplacian(w.t2, dx, n, h2inv)
	for i, z := range w.t2 {
		w.t3[i] = z - m.F*dx[i]
	}
	arakawa(w.t1, dx, w.q, n, h2inv/12)
	arakawa(w.t4, x, w.t3, n, h2inv/12)
	for i := range dk {
		dk[i] = -m.R * (w.t1[i] + w.t4[i])
	}
	// Dissipation of δζ and the β term.
	laplacian(w.t3, w.t2, n, h2inv)
	laplacian(w.t1, w.t3, n, h2inv)
	ddx(w.t4, dx, n, float64(n)/2)
	for i := range dk {
		dk[i] += -m.Beta*w.t4[i] - m.Bottom*w.t2[i] - m.Hyper*w.t1[i]
	}
	m.inv.Apply(dk, dk)
}

// tendencyAdjoint accumulates ax += g'(x)ᵀ ak; ak is overwritten.
//
// With f̄ = S ak (S = (Δ_h − F)⁻¹ symmetric) and w = −R f̄, the transposes of the parts of
// the tangent are: J(δψ, q) → J(q, w), J(ψ, δq) → δq̄ = J(w, ψ), −β δ_x → β δ_x (δ_x is
// antisymmetric), Δ_h → Δ_h, and δq = δζ − F δψ, δζ = Δ_h δψ.
func (m *Model) tendencyAdjoint(ax, x, ak []float64) {
	n, w := m.N, &m.w
	h2inv := float64(n * n)
	m.vorticity(x)
	fbar := ak
	m.inv.Apply(fbar, ak)
	wv := w.t1
	for i, v := range fbar {
		wv[i] = -m.R * v
	}
	arakawa(w.t2, w.q, wv, n, h2inv/12) // ψ̄ from J(δψ, q)
	arakawa(w.t3, wv, x, n, h2inv/12)   // q̄
	ddx(w.t4, fbar, n, float64(n)/2)
	for i := range ax {
		ax[i] += w.t2[i] + m.Beta*w.t4[i] - m.F*w.t3[i]
	}
	// ζ̄ = q̄ − r_b f̄ − r_h Δ²f̄, then ψ̄ += Δ_h ζ̄.
	laplacian(w.t2, fbar, n, h2inv)
	laplacian(w.t4, w.t2, n, h2inv)
	for i := range w.t3 {
		w.t3[i] += -m.Bottom*fbar[i] - m.Hyper*w.t4[i]
	}
	laplacian(w.t2, w.t3, n, h2inv)
	for i, v := range w.t2 {
		ax[i] += v
	}
}

// stages sets the RK4 stage states x2, x3, x4 and the tendencies k1..k3 from x, and k4
// when last is set: the tangent and adjoint steps need the stage states only, and skip the
// fourth tendency, a quarter of a step.
func (m *Model) stages(x []float64, last bool) {
	w := &m.w
	h := m.Dt / 2
	m.tendency(w.k1, x)
	for i := range x {
		w.x2[i] = x[i] + h*w.k1[i]
	}
	m.tendency(w.k2, w.x2)
	for i := range x {
		w.x3[i] = x[i] + h*w.k2[i]
	}
	m.tendency(w.k3, w.x3)
	for i := range x {
		w.x4[i] = x[i] + m.Dt*w.k3[i]
	}
	if last {
		m.tendency(w.k4, w.x4)
	}
}

// Step sets dst = M(x), one RK4 step. dst and x must not overlap.
func (m *Model) Step(dst, x []float64) {
	m.check("Step", dst, x)
	m.prepare()
	m.stages(x, true)
	w := &m.w
	dt6 := m.Dt / 6
	for i := range x {
		dst[i] = x[i] + dt6*(((w.k1[i]+2*w.k2[i])+2*w.k3[i])+w.k4[i])
	}
}

// StepTangent sets dy = M'(x) dx; dp must be nil or empty (the model has no parameters).
// dy must not overlap the other arguments.
func (m *Model) StepTangent(dy, x, dx, dp []float64) {
	m.check("StepTangent", dy, x, dx)
	checkNoParams("StepTangent", dp)
	m.prepare()
	w := &m.w
	h := m.Dt / 2
	// Stage states first (the tendencies' buffers are then reused for their tangents).
	m.stages(x, false)
	d1, d2, d3, d4 := w.k1, w.k2, w.k3, w.k4
	m.tendencyTangent(d1, x, dx)
	for i := range dy {
		dy[i] = dx[i] + h*d1[i]
	}
	m.tendencyTangent(d2, w.x2, dy)
	for i := range dy {
		dy[i] = dx[i] + h*d2[i]
	}
	m.tendencyTangent(d3, w.x3, dy)
	for i := range dy {
		dy[i] = dx[i] + m.Dt*d3[i]
	}
	m.tendencyTangent(d4, w.x4, dy)
	dt6 := m.Dt / 6
	for i := range dy {
		dy[i] = dx[i] + dt6*(((d1[i]+2*d2[i])+2*d3[i])+d4[i])
	}
}

// StepAdjoint accumulates ax += M'(x)ᵀ ay; ap must be nil or empty. ax must not overlap
// the other arguments.
func (m *Model) StepAdjoint(ax, ap, x, ay []float64) {
	m.check("StepAdjoint", ax, x, ay)
	checkNoParams("StepAdjoint", ap)
	m.prepare()
	m.stages(x, false)
	m.stepAdjoint(ax, x, m.w.x2, m.w.x3, m.w.x4, ay)
}

// TapeLen returns 3·Dim: StepTape saves the three RK4 stage states x2, x3, x4.
func (m *Model) TapeLen() int { return 3 * m.Dim() }

// StepTape sets dst = M(x) exactly as Step does and saves the stage states in tape, of
// length TapeLen, so that StepAdjointTape needs no forward recomputation.
func (m *Model) StepTape(dst, tape, x []float64) {
	m.Step(dst, x)
	n := m.Dim()
	if len(tape) != 3*n {
		panic(fmt.Sprintf("qg: Model.StepTape: tape of length %d, want %d", len(tape), 3*n))
	}
	copy(tape[:n], m.w.x2)
	copy(tape[n:2*n], m.w.x3)
	copy(tape[2*n:], m.w.x4)
}

// StepAdjointTape accumulates exactly what StepAdjoint does, bit for bit, reading the stage
// states from the tape StepTape saved at x.
func (m *Model) StepAdjointTape(ax, ap, x, tape, ay []float64) {
	m.check("StepAdjointTape", ax, x, ay)
	checkNoParams("StepAdjointTape", ap)
	n := m.Dim()
	if len(tape) != 3*n {
		panic(fmt.Sprintf("qg: Model.StepAdjointTape: tape of length %d, want %d", len(tape), 3*n))
	}
	m.prepare()
	m.stepAdjoint(ax, x, tape[:n], tape[n:2*n], tape[2*n:], ay)
}

// stepAdjoint accumulates ax += M'(x)ᵀ ay given the stage states x2, x3, x4 of the step.
func (m *Model) stepAdjoint(ax, x, x2, x3, x4, ay []float64) {
	w := &m.w
	h, dt6 := m.Dt/2, m.Dt/6
	// k̄4 = dt/6 ȳ, k̄3 = k̄2 = dt/3 ȳ, k̄1 = dt/6 ȳ; a stage i's x̄_i feeds x̄ and k̄_{i−1}.
	acc := w.a
	copy(acc, ay)
	kb := w.k4
	for i, v := range ay {
		kb[i] = dt6 * v
	}
	xb := w.k1 // x̄4, then x̄3, x̄2: stage adjoints, accumulated from zero
	clear(xb)
	m.tendencyAdjoint(xb, x4, kb)
	kb = w.k3
	for i, v := range ay {
		kb[i] = 2*dt6*v + m.Dt*xb[i]
		acc[i] += xb[i]
	}
	clear(xb)
	m.tendencyAdjoint(xb, x3, kb)
	kb = w.k2
	for i, v := range ay {
		kb[i] = 2*dt6*v + h*xb[i]
		acc[i] += xb[i]
	}
	clear(xb)
	m.tendencyAdjoint(xb, x2, kb)
	kb = w.k4
	for i, v := range ay {
		kb[i] = dt6*v + h*xb[i]
		acc[i] += xb[i]
	}
	m.tendencyAdjoint(acc, x, kb)
	for i, v := range acc {
		ax[i] += v
	}
}

func checkNoParams(op string, p []float64) {
	if len(p) != 0 {
		panic(fmt.Sprintf("qg: Model.%s: %d parameters, the model has none", op, len(p)))
	}
}

package lorenz

import (
	"fmt"

	"github.com/adjunto/adjunto/adjoint"
)

// Defaults of NewL96.
const (
	DefaultL96N       = 40
	DefaultL96Forcing = 8.0
	DefaultL96Dt      = 0.05
)

// L96 is the Lorenz-96 model on a circle of N ≥ 4 variables,
//
//	dx_i/dt = (x_{i+1} − x_{i−2}) x_{i−1} − x_i + F,   indices mod N,
//
// integrated with a fixed step, with the forcing F as its one parameter. Its Step,
// StepTangent and StepAdjoint are fused: hand-written kernels that make one pass over the
// state per Runge–Kutta stage and allocate nothing once the scratch buffers exist.
//
// Fields are used as they are: the zero value has N = 0 and Dt = 0 and is not a valid model.
// NewL96 sets the defaults. An L96 owns scratch buffers and is not safe for concurrent use.
type L96 struct {
	// N is the number of variables, at least 4.
	N int
	// F is the forcing; chaotic for F = 8 (NewL96's default) and N = 40.
	F float64
	// Dt is the time step, positive and finite; NewL96 sets 0.05 (6 hours of "weather").
	Dt float64
	// Integrator is the time scheme; the zero value is RK4.
	Integrator Integrator

	work integrator
}

var (
	_ Model                = (*L96)(nil)
	_ Composable           = (*L96)(nil)
	_ adjoint.TapedStepper = (*L96)(nil)
)

// NewL96 returns a Lorenz-96 model with n variables, F = 8, Dt = 0.05 and RK4. It returns an
// error wrapping ErrInvalid when n < 4.
func NewL96(n int) (*L96, error) {
	m := &L96{N: n, F: DefaultL96Forcing, Dt: DefaultL96Dt}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// Validate returns an error wrapping ErrInvalid that names the first invalid field.
func (m *L96) Validate() error {
	if m.N < 4 {
		return fmt.Errorf("%w: N = %d: Lorenz-96 needs at least 4 variables", ErrInvalid, m.N)
	}
	return checkCommon(m.Dt, m.Integrator, []float64{m.F}, []string{"F"})
}

// Dim returns N.
func (m *L96) Dim() int { return m.N }

// NumParams returns 1: the forcing F.
func (m *L96) NumParams() int { return 1 }

// Params returns []float64{F}.
func (m *L96) Params() []float64 { return []float64{m.F} }

// SetParams sets F = p[0]. It panics if len(p) != 1.
func (m *L96) SetParams(p []float64) {
	if len(p) != 1 {
		panic(fmt.Sprintf("lorenz: L96.SetParams: %d parameters, want 1", len(p)))
	}
	m.F = p[0]
}

func (m *L96) paramsInto(dst []float64) { dst[0] = m.F }

func (m *L96) check(op string, xs ...[]float64) {
	if m.N < 4 {
		panic(fmt.Sprintf("lorenz: L96.%s: N = %d < 4 (call Validate on user input)", op, m.N))
	}
	for _, x := range xs {
		if x != nil && len(x) != m.N {
			panic(fmt.Sprintf("lorenz: L96.%s: vector of length %d for N = %d", op, len(x), m.N))
		}
	}
}

// Step sets dst = M(x), one step of the integrator. dst and x must not overlap.
func (m *L96) Step(dst, x []float64) {
	m.check("Step", dst, x)
	m.work.step(m, m.Integrator, m.Dt, dst, x)
}

// StepTangent sets dy = M'(x) dx + M_F(x) dp, with dp of length 1 or nil for zero. dy must
// not overlap the other arguments.
func (m *L96) StepTangent(dy, x, dx, dp []float64) {
	m.check("StepTangent", dy, x, dx)
	checkParams("L96.StepTangent", dp, 1)
	m.work.stepTangent(m, m.Integrator, m.Dt, dy, x, dx, dp)
}

// StepAdjoint accumulates ax += M'(x)ᵀ ay and, when ap is not nil, ap += M_F(x)ᵀ ay. ax must
// not overlap the other arguments.
func (m *L96) StepAdjoint(ax, ap, x, ay []float64) {
	m.check("StepAdjoint", ax, x, ay)
	checkParams("L96.StepAdjoint", ap, 1)
	m.work.stepAdjoint(m, m.Integrator, m.Dt, ax, ap, x, ay)
}

func checkParams(op string, p []float64, n int) {
	if p != nil && len(p) != n {
		panic(fmt.Sprintf("lorenz: %s: %d parameters, want %d", op, len(p), n))
	}
}

func checkTape(op string, tape []float64, n int) {
	if len(tape) != n {
		panic(fmt.Sprintf("lorenz: %s: tape of length %d, want %d", op, len(tape), n))
	}
}

// TapeLen returns the length of the tape StepTape saves: the three RK4 stage states (3·Dim),
// or 0 for Euler, whose adjoint recomputes nothing.
func (m *L96) TapeLen() int { return tapeLen(m.Integrator, m.Dim()) }

// StepTape sets dst = M(x) exactly as Step does and saves the RK4 stage states in tape, of
// length TapeLen, for StepAdjointTape.
func (m *L96) StepTape(dst, tape, x []float64) {
	m.check("StepTape", dst, x)
	checkTape("L96.StepTape", tape, m.TapeLen())
	m.work.stepTape(m, m.Integrator, m.Dt, dst, tape, x)
}

// StepAdjointTape accumulates exactly what StepAdjoint does, bit for bit, reading the stage
// states from the tape StepTape saved at x instead of recomputing them.
func (m *L96) StepAdjointTape(ax, ap, x, tape, ay []float64) {
	m.check("StepAdjointTape", ax, x, ay)
	checkParams("L96.StepAdjointTape", ap, m.NumParams())
	checkTape("L96.StepAdjointTape", tape, m.TapeLen())
	m.work.stepAdjointTape(m, m.Integrator, m.Dt, ax, ap, x, tape, ay)
}

// eval sets k_i = (x_{i+1} − x_{i−2}) x_{i−1} − x_i + F and next = base + h·k. The interior
// indices 2..N−2 need no wrap-around and run as one loop over shifted views of x, resliced
// to one length so that the compiler drops the bounds checks.
//
// The product is converted to float64 explicitly so that no compiler fuses it with the
// subtraction (the Go spec permits fused multiply-add otherwise): the composed step rounds
// after every primitive, and fused and composed must agree bit for bit.
func (m *L96) eval(k, next, x, base []float64, h float64) {
	n, F := len(x), m.F
	L := n - 3
	// x_{i−2}, x_{i−1}, x_i ride in registers from one i to the next: one load per row.
	xp := x[3:n]
	xp = xp[:L]
	a, b, c := x[0], x[1], x[2]
	switch {
	case next == nil:
		kk := k[2 : 2+L]
		kk = kk[:len(xp)]
		for j, d := range xp {
			kk[j] = float64((d-a)*b) - c + F
			a, b, c = b, c, d
		}
	case k == nil:
		nn, bb := next[2:2+L], base[2:2+L]
		nn, bb = nn[:len(xp)], bb[:len(xp)]
		for j, d := range xp {
			nn[j] = bb[j] + float64(h*(float64((d-a)*b)-c+F))
			a, b, c = b, c, d
		}
	default:
		kk, nn, bb := k[2:2+L], next[2:2+L], base[2:2+L]
		kk, nn, bb = kk[:len(xp)], nn[:len(xp)], bb[:len(xp)]
		for j, d := range xp {
			v := float64((d-a)*b) - c + F
			kk[j] = v
			nn[j] = bb[j] + float64(h*v)
			a, b, c = b, c, d
		}
	}
	for _, w := range wrap(n) {
		i, ip, im1, im2 := w[0], w[1], w[2], w[3]
		v := float64((x[ip]-x[im2])*x[im1]) - x[i] + F
		if k != nil {
			k[i] = v
		}
		if next != nil {
			next[i] = base[i] + float64(h*v)
		}
	}
}

// wrap lists the indices i, i+1, i−1, i−2 (mod n) of the three rows of the tendency that wrap
// around the circle: 0, 1 and n−1.
func wrap(n int) [3][4]int {
	return [3][4]int{{0, 1, n - 1, n - 2}, {1, 2, 0, n - 1}, {n - 1, 0, n - 2, n - 3}}
}

// last sets y = x + dt6·(((k1 + 2 k2) + 2 k3) + k4) with k4 = f(x4) computed in the same
// pass, the operations of the composed step in its order.
func (m *L96) last(y, x4, x, k1, k2, k3 []float64, dt6 float64) {
	n, F := len(x), m.F
	L := n - 3
	xp := x4[3:n]
	xp = xp[:L]
	yy, x0, p, q, r := y[2:2+L], x[2:2+L], k1[2:2+L], k2[2:2+L], k3[2:2+L]
	yy, x0, p, q, r = yy[:len(xp)], x0[:len(xp)], p[:len(xp)], q[:len(xp)], r[:len(xp)]
	a, b, c := x4[0], x4[1], x4[2]
	for j, d := range xp {
		k4 := float64((d-a)*b) - c + F
		yy[j] = x0[j] + float64(dt6*(p[j]+2*q[j]+2*r[j]+k4))
		a, b, c = b, c, d
	}
	for _, w := range wrap(n) {
		i, ip, im1, im2 := w[0], w[1], w[2], w[3]
		k4 := float64((x4[ip]-x4[im2])*x4[im1]) - x4[i] + F
		y[i] = x[i] + float64(dt6*(k1[i]+2*k2[i]+2*k3[i]+k4))
	}
}

// tangent: δk_i = (δx_{i+1} − δx_{i−2}) x_{i−1} + (x_{i+1} − x_{i−2}) δx_{i−1} − δx_i + δF.
func (m *L96) tangent(k, next, dk, dnext, x, base, dx, dbase, dp []float64, h float64) {
	if k != nil {
		m.eval(k, next, x, base, h)
	}
	n := len(x)
	dF := 0.0
	if dp != nil {
		dF = dp[0]
	}
	dk, dx = dk[:n], dx[:n]
	for i := range dk {
		ip, im1, im2 := i+1, i-1, i-2
		if i < 2 || i == n-1 {
			ip, im1, im2 = (i+1)%n, (i+n-1)%n, (i+n-2)%n
		}
		dk[i] = (dx[ip]-dx[im2])*x[im1] + (x[ip]-x[im2])*dx[im1] - dx[i] + dF
	}
	if dnext != nil {
		dnext, dbase = dnext[:n], dbase[:n]
		for i, v := range dk {
			dnext[i] = dbase[i] + h*v
		}
	}
}

// adjoint gathers w_j = s·(f_x(x)ᵀ g)_j, the transpose of the tangent read by column:
//
//	w_j = s·(g_{j−1} x_{j−2} − g_{j+2} x_{j+1} + g_{j+1} (x_{j+2} − x_{j−1}) − g_j),
//
// so that every w_j is written once and no scatter is needed; and F̃ += s·Σ_i g_i.
func (m *L96) adjoint(ax, gnext, ap, x, g, ay []float64, s, c, h, e float64) {
	n := len(x)
	// Boundary columns 0, 1, n−2, n−1 wrap around the circle; they are gathered before the
	// interior loop writes ax and gnext, which never alias g or x.
	bj := [4][5]int{
		{0, n - 1, n - 2, 1, 2},
		{1, 0, n - 1, 2, 3},
		{n - 2, n - 3, n - 4, n - 1, 0},
		{n - 1, n - 2, n - 3, 0, 1},
	}
	var wb [4]float64
	for b, col := range bj {
		j, jm1, jm2, jp1, jp2 := col[0], col[1], col[2], col[3], col[4]
		wb[b] = s * (g[jm1]*x[jm2] - g[jp2]*x[jp1] + g[jp1]*(x[jp2]-x[jm1]) - g[j])
	}
	// Interior columns 2..n−3. w_j needs g at j−1 … j+2 and x at j−2 … j+2; all but g_{j+2}
	// and x_{j+2} ride in registers from the previous column, so each column loads two
	// values instead of eight.
	if L := n - 4; L > 0 {
		axi, gp2, xp2 := ax[2:2+L], g[4:4+L], x[4:4+L]
		gp2, xp2 = gp2[:len(axi)], xp2[:len(axi)]
		ga, gb, gc := g[1], g[2], g[3]
		xa, xb, xc, xd := x[0], x[1], x[2], x[3]
		switch {
		case gnext == nil && e == 0:
			for j := range axi {
				gd, xe := gp2[j], xp2[j]
				axi[j] += s * (ga*xa - gd*xd + gc*(xe-xb) - gb)
				ga, gb, gc = gb, gc, gd
				xa, xb, xc, xd = xb, xc, xd, xe
			}
		case gnext == nil:
			ayi := ay[2 : 2+L]
			ayi = ayi[:len(axi)]
			for j := range axi {
				gd, xe := gp2[j], xp2[j]
				axi[j] += s*(ga*xa-gd*xd+gc*(xe-xb)-gb) + e*ayi[j]
				ga, gb, gc = gb, gc, gd
				xa, xb, xc, xd = xb, xc, xd, xe
			}
		default:
			gn, ayi := gnext[2:2+L], ay[2:2+L]
			gn, ayi = gn[:len(axi)], ayi[:len(axi)]
			for j := range axi {
				gd, xe := gp2[j], xp2[j]
				w := s * (ga*xa - gd*xd + gc*(xe-xb) - gb)
				axi[j] += w + e*ayi[j]
				gn[j] = c*ayi[j] + h*w
				ga, gb, gc = gb, gc, gd
				xa, xb, xc, xd = xb, xc, xd, xe
			}
		}
	}
	for b, col := range bj {
		j := col[0]
		ax[j] += wb[b] + e*ay[j]
		if gnext != nil {
			gnext[j] = c*ay[j] + h*wb[b]
		}
	}
	if ap != nil {
		ap[0] += s * sum4(g)
	}
}

// sum4 returns Σ v with four independent partial sums: one running sum would chain every
// addition on the previous one's latency, four cycles an element.
func sum4(v []float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(v); i += 4 {
		w := v[i : i+4 : i+4]
		s0 += w[0]
		s1 += w[1]
		s2 += w[2]
		s3 += w[3]
	}
	for ; i < len(v); i++ {
		s0 += v[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// StepOn records one step of the integrator on the tape of x, composed from the engine's
// primitives (Shift for the circle, the 1×1 forcing p broadcast in Add): the composed
// model, whose TL and AD the engine derives. x is 1×N and p is 1×1; either may be a
// variable or a constant of the tape. It returns M(x; p).
func (m *L96) StepOn(x, p *adjoint.Value) *adjoint.Value {
	m.check("StepOn")
	if x.Len() != m.N || p.Len() != 1 {
		panic(fmt.Sprintf("lorenz: L96.StepOn: state %dx%d and parameters %dx%d for N = %d",
			x.Rows(), x.Cols(), p.Rows(), p.Cols(), m.N))
	}
	return m.Integrator.StepOn(func(x *adjoint.Value) *adjoint.Value { return L96TendencyOn(x, p) }, m.Dt, x)
}

// L96TendencyOn records the Lorenz-96 tendency
//
//	f_i(x) = (x_{i+1} − x_{i−2}) x_{i−1} − x_i + F,   indices mod N,
//
// of every row of x (B×N: B states of N variables) on the tape of x, from the engine's
// primitives (Shift along each row for the circle, the forcing F, 1×1, broadcast in Add), and
// returns it, B×N. It is the one composed Lorenz-96 tendency: L96.StepOn integrates it, and
// the surrogate package's hybrid physics is it with a wrong F. F may be a variable, so the
// engine derives ∂f/∂F too.
func L96TendencyOn(x, F *adjoint.Value) *adjoint.Value {
	adv := adjoint.Mul(adjoint.Sub(adjoint.Shift(x, 1), adjoint.Shift(x, -2)), adjoint.Shift(x, -1))
	return adjoint.Add(adjoint.Sub(adv, x), F)
}

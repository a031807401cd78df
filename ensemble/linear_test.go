package ensemble

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/models/lorenz"
	"github.com/adjunto/adjunto/optimize"
)

// linearModel is x_{k+1} = M x_k, a rotation slightly amplified: the linear-Gaussian case in
// which the Kalman filter is exact.
type linearModel struct{ m *mat.Dense }

func newLinearModel(n int) *linearModel {
	m := mat.NewDense(n, n, nil)
	for i := range n {
		m.Set(i, i, 0.9)
		m.Set(i, (i+1)%n, 0.3)
		m.Set(i, (i+n-1)%n, -0.15)
	}
	return &linearModel{m: m}
}

func (l *linearModel) Dim() int { r, _ := l.m.Dims(); return r }
func (l *linearModel) Step(dst, x []float64) {
	mat.NewVecDense(len(dst), dst).MulVec(l.m, mat.NewVecDense(len(x), x))
}
func (l *linearModel) StepTangent(dy, _, dx, _ []float64) { l.Step(dy, dx) }
func (l *linearModel) StepAdjoint(ax, _, _, ay []float64) {
	var t mat.VecDense
	t.MulVec(l.m.T(), mat.NewVecDense(len(ay), ay))
	for i := range ax {
		ax[i] += t.AtVec(i)
	}
}
func (l *linearModel) NumParams() int      { return 0 }
func (l *linearModel) Params() []float64   { return nil }
func (l *linearModel) SetParams([]float64) {}

// TestETKFCycledIsKalmanFilter: on a linear model without model error, an ETKF whose
// ensemble spans the state space carries the Kalman filter's mean and covariance exactly,
// analysis after analysis (the forecast of a sample covariance is M P Mᵀ exactly); the
// tolerance is round-off over 10 cycles.
func TestETKFCycledIsKalmanFilter(t *testing.T) {
	const n, members, steps, sigma = 5, 9, 2, 0.5
	lm := newLinearModel(n)
	p := NewPropagator(func() Model { return lm }, 1)
	e, b, h := linearCase(11, members, n, []int{0, 1, 3}, sigma)
	xf := make([]float64, n)
	Mean(xf, e)
	pf := sampleCov(e)
	rng := rand.New(rand.NewPCG(5, 5))
	var f ETKF
	for c := range 10 {
		for j := range b.Y {
			b.Y[j] = 1 + rng.NormFloat64()
		}
		xa, pa := kalman(xf, pf, h, b.Y, sigma)
		f.Analyse(e, []fourdvar.Batch{b})
		got := make([]float64, n)
		Mean(got, e)
		gc := sampleCov(e)
		for i := range n {
			if math.Abs(got[i]-xa[i]) > 1e-10 {
				t.Fatalf("cycle %d: mean[%d] = %.15g, Kalman %.15g", c, i, got[i], xa[i])
			}
			for j := range n {
				if math.Abs(gc.At(i, j)-pa.At(i, j)) > 1e-10 {
					t.Fatalf("cycle %d: covariance (%d,%d) = %.15g, Kalman %.15g", c, i, j, gc.At(i, j), pa.At(i, j))
				}
			}
		}
		// The Kalman forecast: x_f = Mˢ x_a, P_f = Mˢ P_a Mˢᵀ.
		var ms mat.Dense
		ms.CloneFrom(lm.m)
		for range steps - 1 {
			ms.Mul(&ms, lm.m)
		}
		mat.NewVecDense(n, xf).MulVec(&ms, mat.NewVecDense(n, xa))
		var tmp, pfd mat.Dense
		tmp.Mul(&ms, pa)
		pfd.Mul(&tmp, ms.T())
		for i := range n {
			for j := i; j < n; j++ {
				pf.SetSym(i, j, 0.5*(pfd.At(i, j)+pfd.At(j, i)))
			}
		}
		p.Forecast(e, steps)
	}
}

// TestEnKFLargeEnsembleIsKalman: the stochastic EnKF's analysis covariance tends to the
// Kalman one as N grows; with N = 20 000 members the sampling error of a covariance entry
// of order 1 is about √(2/N) ≈ 0.01, so 0.05 is a 5σ bound.
func TestEnKFLargeEnsembleIsKalman(t *testing.T) {
	const n, members, sigma = 4, 20000, 0.8
	e, b, h := linearCase(13, members, n, []int{0, 2, 3}, sigma)
	xb := make([]float64, n)
	Mean(xb, e)
	_, pa := kalman(xb, sampleCov(e), h, b.Y, sigma)
	(&EnKF{Rand: rand.New(rand.NewPCG(1, 2))}).Analyse(e, []fourdvar.Batch{b})
	gc := sampleCov(e)
	for i := range n {
		for j := range n {
			if d := math.Abs(gc.At(i, j) - pa.At(i, j)); d > 0.05 {
				t.Errorf("covariance (%d,%d) = %.4f, Kalman %.4f", i, j, gc.At(i, j), pa.At(i, j))
			}
		}
	}
}

// TestIEnKSLinearIs4DVarAndKalman: on a linear model with linear H the iEnKS cost is
// quadratic, so Gauss–Newton converges in one step (the second only confirms it), and the
// analysis at the window's start is the strong-constraint 4DVar analysis with B the
// ensemble covariance (a full-rank ensemble, N > n), minimised here by adjunto's 4DVar with
// its exact adjoint; the analysis at the window's end is the Kalman filter's. The 4DVar
// tolerance is its gradient stopping test; the Kalman one is round-off.
func TestIEnKSLinearIs4DVarAndKalman(t *testing.T) {
	const n, members, sigma = 5, 8, 0.6
	lm := newLinearModel(n)
	p := NewPropagator(func() Model { return lm }, 2)
	e, b0, h := linearCase(17, members, n, []int{0, 2, 4}, sigma)
	obs := batchesAt(b0, rand.New(rand.NewPCG(9, 9)), 1, 3, 4)
	const steps = 4
	sm := &IEnKS{Lag: 1, MaxIter: 5, Tol: 1e-20}
	wa := sm.Analyse(p, e, steps, obs, 1)
	if wa.Stats.GradNormFinal > 1e-9*wa.Stats.GradNormInitial {
		t.Errorf("second Gauss-Newton iteration: ‖∇J‖ = %g (first %g), want ≈ 0: one step solves a quadratic",
			wa.Stats.GradNormFinal, wa.Stats.GradNormInitial)
	}
	xb := make([]float64, n)
	Mean(xb, e)
	pb := sampleCov(e)
	bcov, err := fourdvar.NewDense(pb, 1)
	if err != nil {
		t.Fatal(err)
	}
	w := &fourdvar.Window{Model: lm, Steps: steps, Xb: xb, B: bcov, Obs: obs}
	asm := fourdvar.Assimilator{Minimizer: fourdvar.Minimizer{Method: &optimize.LBFGS{}, GradReduction: 1e-12, MaxIterations: 500}}
	ana, err := asm.Analyse(w)
	if ana == nil {
		t.Fatal(err)
	}
	start := make([]float64, n)
	Mean(start, wa.Start)
	for i := range n {
		if d := math.Abs(start[i] - ana.Trajectory[0][i]); d > 1e-7 {
			t.Errorf("analysis at the start [%d] = %.10g, 4DVar %.10g", i, start[i], ana.Trajectory[0][i])
		}
	}
	// The Kalman filter through the window: forecast, analyse at each observation time.
	x := append([]float64(nil), xb...)
	pk := mat.NewSymDense(n, nil)
	pk.CopySym(pb)
	k := 0
	for _, b := range obs {
		for ; k < b.Step; k++ {
			x, pk = forecastKF(lm, x, pk)
		}
		x, pk = kalman(x, pk, h, b.Y, sigma)
	}
	end := make([]float64, n)
	Mean(end, wa.End)
	gc := sampleCov(wa.End)
	for i := range n {
		if math.Abs(end[i]-x[i]) > 1e-9 {
			t.Errorf("analysis at the end [%d] = %.12g, Kalman %.12g", i, end[i], x[i])
		}
		for j := range n {
			if math.Abs(gc.At(i, j)-pk.At(i, j)) > 1e-9 {
				t.Errorf("covariance at the end (%d,%d) = %.12g, Kalman %.12g", i, j, gc.At(i, j), pk.At(i, j))
			}
		}
	}
}

func forecastKF(lm *linearModel, x []float64, p *mat.SymDense) ([]float64, *mat.SymDense) {
	n := len(x)
	xn := make([]float64, n)
	lm.Step(xn, x)
	var t, pm mat.Dense
	t.Mul(lm.m, p)
	pm.Mul(&t, lm.m.T())
	pn := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			pn.SetSym(i, j, 0.5*(pm.At(i, j)+pm.At(j, i)))
		}
	}
	return xn, pn
}

// TestGaspariCohn checks the taper's closed-form values (1 at 0, 5/24 at the half-width c,
// 0 from 2c on) and its continuity at c and 2c.
func TestGaspariCohn(t *testing.T) {
	const c = 3.0
	for _, tc := range []struct{ d, want float64 }{
		{0, 1}, {c, 5.0 / 24}, {2 * c, 0}, {3 * c, 0}, {-c, 5.0 / 24},
	} {
		if got := GaspariCohn(tc.d, c); math.Abs(got-tc.want) > 1e-14 {
			t.Errorf("GaspariCohn(%g, %g) = %.16g, want %.16g", tc.d, c, got, tc.want)
		}
	}
	for _, d := range []float64{c, 2 * c} {
		lo, hi := GaspariCohn(d-1e-9, c), GaspariCohn(d+1e-9, c)
		if math.Abs(lo-hi) > 1e-8 {
			t.Errorf("discontinuous at %g: %g, %g", d, lo, hi)
		}
	}
}

// TestBitIdenticalAcrossWorkers: an ensemble twin gives the same bits whatever the number
// of goroutines propagating the members and whatever GOMAXPROCS.
func TestBitIdenticalAcrossWorkers(t *testing.T) {
	run := func(workers, procs int, method string) []fourdvar.Cycle {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		m, _ := lorenz.NewL96(40)
		tw := &Twin{Base: &fourdvar.Twin{Model: m, Seed: 3}, Workers: workers, Members: 12, ObsTimes: 30,
			NewModel: func() Model { mm, _ := lorenz.NewL96(40); return mm }}
		switch method {
		case "enkf":
			tw.Filter = &EnKF{Inflation: 1.05}
		case "ienks":
			tw.Smoother = &IEnKS{Lag: 3, Inflation: 1.02}
		case "ienks-qs-rotate":
			tw.Smoother = &IEnKS{Lag: 4, Inflation: 1.02, MDA: true, QuasiStatic: true, QuasiStaticGrowth: 2, Rotate: true}
			tw.Balance = true
		case "letkf": // local analyses shared among goroutines too
			tw.Filter = &LETKF{Radius: 6, Inflation: 1.02, Workers: workers}
		case "eda": // perturbed-observation 4DVars, one goroutine per block of members
			tw.ObsTimes = 8
			tw.Hybrid = &Hybrid{BetaS: 0.5, BetaE: 0.87, Radius: 10, EDA: true, Inflation: 1.02}
		}
		res, err := tw.Run()
		if err != nil {
			t.Fatal(err)
		}
		return res.Cycles
	}
	for _, method := range []string{"enkf", "letkf", "ienks", "ienks-qs-rotate", "eda"} {
		ref := run(1, 1, method)
		for _, c := range []struct{ workers, procs int }{{3, 1}, {0, 4}, {7, 2}} {
			got := run(c.workers, c.procs, method)
			for i := range ref {
				if got[i].RMSEAnalysis != ref[i].RMSEAnalysis || got[i].RMSEBackground != ref[i].RMSEBackground {
					t.Fatalf("%s, %d workers, GOMAXPROCS %d: analysis %d RMSE %v, %v; with 1 worker %v, %v", method,
						c.workers, c.procs, i, got[i].RMSEAnalysis, got[i].RMSEBackground, ref[i].RMSEAnalysis, ref[i].RMSEBackground)
				}
			}
		}
	}
}

// TestDistances checks the ring and the periodic grid against hand-computed distances.
func TestDistances(t *testing.T) {
	ring := RingDistance(10)
	grid := GridDistance(4, 3) // 4 columns, 3 rows
	for _, tc := range []struct {
		name string
		got  float64
		want float64
	}{
		{"ring 0-3", ring(0, 3), 3},
		{"ring 1-9 (round the end)", ring(1, 9), 2},
		{"ring 4-4", ring(4, 4), 0},
		{"grid (0,0)-(1,1)", grid(0, 5), math.Sqrt2},
		{"grid (0,0)-(3,0) round", grid(0, 3), 1},
		{"grid (0,0)-(0,2) round", grid(0, 8), 1},
		{"grid (1,0)-(3,1)", grid(1, 7), math.Sqrt(5)},
	} {
		if math.Abs(tc.got-tc.want) > 1e-15 {
			t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

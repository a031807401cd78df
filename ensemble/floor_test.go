package ensemble

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/internal/limits"
	"github.com/adjunto/adjunto/models/lorenz"
)

// linearFloorTwin is a twin of the linear model with the variables obs observed every oe
// steps: no spin-up (the model grows), a truth start of its own.
func linearFloorTwin(n, oe int, obs []int, sigma, modelError float64) *Twin {
	lm := newLinearModel(n)
	base := &fourdvar.Twin{Model: lm, ObsEvery: oe, ObsSigma: sigma, ModelError: modelError, SpinUp: -1,
		X0: make([]float64, n), Seed: 4}
	for i := range base.X0 {
		base.X0[i] = 1 + 0.1*float64(i)
	}
	h := fourdvar.Subset(n, obs)
	base.Observe = func(int) *fourdvar.Operator { return h }
	return &Twin{Base: base, ObsTimes: 30, BurnIn: 5}
}

// TestFloorLinearIsKalman: on a linear model the floor's P^a is the Kalman filter's
// analysis covariance (forecast M P Mᵀ + σ_m² I per step, analysis with the observed
// subset), at every observation time, to round-off (1e-10 on entries of order 1 over 30
// times), whatever the prior and the model error; and Floor's Spread is √(tr P^a/n) of it.
func TestFloorLinearIsKalman(t *testing.T) {
	const n = 5
	for _, tc := range []struct {
		name       string
		oe         int
		obs        []int
		modelError float64
		spread     float64
		first      fourdvar.Covariance
	}{
		{"full, every step", 1, []int{0, 1, 2, 3, 4}, 0, 1, nil},
		{"partial, every 2 steps", 2, []int{0, 2, 3}, 0, 0.5, nil},
		{"partial, model error, correlated prior", 3, []int{1, 4}, 0.1, 2, fourdvar.Diagonal{Sigma: []float64{1, 0.5, 2, 1, 0.3}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const sigma = 0.7
			tw := linearFloorTwin(n, tc.oe, tc.obs, sigma, tc.modelError)
			tw.Spread, tw.Base.FirstBackground = tc.spread, tc.first
			lm := tw.Base.Model.(*linearModel)
			truth, obsAt, err := tw.Base.TruthRun((tw.ObsTimes - 1) * tc.oe)
			if err != nil {
				t.Fatal(err)
			}
			p0, _, err := tw.floorPrior(tc.spread)
			if err != nil {
				t.Fatal(err)
			}
			h := mat.NewDense(len(tc.obs), n, nil)
			for k, j := range tc.obs {
				h.Set(k, j, 1)
			}
			pk := mat.NewSymDense(n, nil)
			pk.CopySym(p0)
			x := make([]float64, n)
			var kf []*mat.SymDense
			err = floorRecursion(lm, truth, obsAt, tc.oe, tw.ObsTimes, tc.modelError, p0, func(k int, pa *mat.SymDense) error {
				if k > 0 {
					for range tc.oe {
						_, pk = forecastKF(lm, x, pk)
						for i := range n {
							pk.SetSym(i, i, pk.At(i, i)+tc.modelError*tc.modelError)
						}
					}
				}
				_, pk = kalman(x, pk, h, obsAt[k*tc.oe].Y, sigma)
				kf = append(kf, pk)
				for i := range n {
					for j := range n {
						if d := math.Abs(pa.At(i, j) - pk.At(i, j)); d > 1e-10 {
							t.Fatalf("time %d: P^a(%d,%d) = %.15g, Kalman %.15g", k, i, j, pa.At(i, j), pk.At(i, j))
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			fl, err := tw.Floor()
			if err != nil {
				t.Fatal(err)
			}
			for k, ft := range fl.Times {
				want := math.Sqrt(mat.Trace(kf[k]) / n)
				if math.Abs(ft.Spread-want) > 1e-12 || ft.Step != k*tc.oe || ft.Scored != (k >= tw.BurnIn) {
					t.Errorf("time %d: %+v, want step %d, spread %.15g", k, ft, k*tc.oe, want)
				}
			}
		})
	}
}

// TestFloorLinearETKF: on a linear model an ETKF whose ensemble spans the state carries the
// Kalman covariance of its own first ensemble's sample covariance, which differs from the
// floor's prior P_0 by sampling error (of order √(2/N) ≈ 0.1 with N = 200); the filter
// forgets its prior, so after 10 observation times its spread is the floor's to 1e-3.
func TestFloorLinearETKF(t *testing.T) {
	const n, members = 5, 200
	tw := linearFloorTwin(n, 2, []int{0, 2, 3}, 0.7, 0)
	tw.Members, tw.Filter = members, &ETKF{}
	fl, err := tw.Floor()
	if err != nil {
		t.Fatal(err)
	}
	truth, obsAt, err := tw.Base.TruthRun((tw.ObsTimes - 1) * 2)
	if err != nil {
		t.Fatal(err)
	}
	p := NewPropagator(func() Model { return tw.Base.Model }, 1)
	e := tw.firstEnsemble(p, truth[0], members, 1)
	var first float64
	for k, ft := range fl.Times {
		if k > 0 {
			p.Forecast(e, 2)
		}
		tw.Filter.Analyse(e, []fourdvar.Batch{obsAt[ft.Step]})
		d := math.Abs(Spread(e) - ft.Spread)
		if k == 0 {
			first = d
		}
		if k >= 10 && d > 1e-3 {
			t.Errorf("time %d: ETKF spread %.6f, floor %.6f", k, Spread(e), ft.Spread)
		}
	}
	if !(first > 1e-3) {
		t.Errorf("first analysis: ETKF spread within %g of the floor: the test cannot see the prior being forgotten", first)
	}
}

// TestFloorSakov2008 reproduces the floor on the sakov2008 setup, seed 1, over its 1000
// observation times (980 scored): 0.1488 for E[RMSE] and 0.1546 for √(tr P/n) as the
// integrator's independent program found, whose E[RMSE] is a Monte Carlo estimate with 400
// draws per time, standard error 7e-5 (√((0.1546² − 0.1487²)/(400·980))), and whose figures
// are rounded to 5e-5: so 3 standard errors plus the rounding, 2.5e-4, for E[RMSE], and the
// rounding and round-off, 6e-5, for the trace. Observing every other variable raises the
// floor; the same twin gives the same bits twice.
func TestFloorSakov2008(t *testing.T) {
	tw := presetTwin(t, "sakov2008", 1000, 1, false)
	fl, err := tw.Floor()
	if err != nil {
		t.Fatal(err)
	}
	if fl.Scored != 980 || math.Abs(fl.ExpectedRMSE-0.1488) > 2.5e-4 || math.Abs(fl.Spread-0.1546) > 6e-5 {
		t.Errorf("sakov2008 seed 1: %d times, E[RMSE] %.5f, √(tr P/n) %.5f; want 980, 0.1488, 0.1546", fl.Scored, fl.ExpectedRMSE, fl.Spread)
	}
	if !(fl.ExpectedRMSE < fl.Spread) {
		t.Errorf("E[RMSE] %v ≥ √(tr P/n) %v: Jensen's inequality says otherwise", fl.ExpectedRMSE, fl.Spread)
	}
	again, err := tw.Floor()
	if err != nil {
		t.Fatal(err)
	}
	for k := range fl.Times {
		if again.Times[k] != fl.Times[k] {
			t.Fatalf("time %d: %+v, then %+v", k, fl.Times[k], again.Times[k])
		}
	}
	half := presetTwin(t, "sakov2008", 300, 1, false)
	h := fourdvar.EveryKth(40, 2, 0)
	half.Base.Observe = func(int) *fourdvar.Operator { return h }
	hf, err := half.Floor()
	if err != nil {
		t.Fatal(err)
	}
	// With half the variables observed the error variance of the unobserved ones stays near
	// that of a forecast: roughly twice the full network's floor.
	if !(hf.ExpectedRMSE > 1.5*fl.ExpectedRMSE) {
		t.Errorf("every other variable observed: floor %.4f, all observed %.4f: want a floor well above", hf.ExpectedRMSE, fl.ExpectedRMSE)
	}
}

// TestFloorSmootherScoring: with an iEnKS of shift S the floor averages the times the twin
// scores, every S-th after the burn-in (in analyses).
func TestFloorSmootherScoring(t *testing.T) {
	tw := presetTwin(t, "sakov2008", 40, 2, false)
	tw.BurnIn = 3
	tw.Smoother.Lag, tw.Smoother.Shift = 4, 4
	fl, err := tw.Floor()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, k := range []int{12, 16, 20, 24, 28, 32, 36} {
		sum += fl.Times[k].ExpectedRMSE
	}
	if fl.Scored != 7 || math.Abs(fl.ExpectedRMSE-sum/7) > 1e-15 {
		t.Errorf("scored %d times, mean %v; want 7, %v", fl.Scored, fl.ExpectedRMSE, sum/7)
	}
}

// nanTangent is a model whose tangent-linear step is not finite.
type nanTangent struct{ *linearModel }

func (m nanTangent) StepTangent(dy, _, dx, _ []float64) {
	for i := range dy {
		dy[i] = math.NaN()
	}
}

// TestFloorErrors: a state too large for a dense covariance, a covariance that becomes
// non-finite and a setting out of its domain are errors that say so.
func TestFloorErrors(t *testing.T) {
	big, _ := lorenz.NewL96(MaxFloorDim + 1)
	nan := linearFloorTwin(4, 1, []int{0}, 1, 0)
	nan.Base.Model = nanTangent{nan.Base.Model.(*linearModel)}
	burn := linearFloorTwin(4, 1, []int{0}, 1, 0)
	burn.BurnIn = 30
	for _, tc := range []struct {
		name string
		tw   *Twin
		want error
	}{
		{"n > MaxFloorDim", &Twin{Base: &fourdvar.Twin{Model: big}, ObsTimes: 10}, limits.ErrTooLarge},
		{"non-finite tangent", nan, ErrDiverged},
		{"burn-in ≥ times", burn, fourdvar.ErrInput},
	} {
		if _, err := tc.tw.Floor(); !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want one wrapping %v", tc.name, err, tc.want)
		}
	}
}

// TestExpectedRMSE checks the quadrature of E√(Σλ_i z_i²/n) against closed forms (equal
// eigenvalues: √(2λ/n) Γ((n+1)/2)/Γ(n/2); zero: 0), to 1e-11 relative (the quadrature's
// measured error is 1e-15 at n = 40, 1e-13 at n = 400), and against a seeded Monte Carlo estimate for
// eigenvalues spread over six decades, within 4 standard errors.
func TestExpectedRMSE(t *testing.T) {
	lg := func(x float64) float64 { v, _ := math.Lgamma(x); return v }
	for _, n := range []int{1, 2, 3, 40, 400, 1000} {
		lambda := make([]float64, n)
		for i := range lambda {
			lambda[i] = 0.3
		}
		want := math.Sqrt(2*0.3/float64(n)) * math.Exp(lg(float64(n+1)/2)-lg(float64(n)/2))
		if got := expectedRMSE(lambda); math.Abs(got/want-1) > 1e-11 {
			t.Errorf("n = %d equal eigenvalues: %.16g, want %.16g", n, got, want)
		}
	}
	if got := expectedRMSE(make([]float64, 5)); got != 0 {
		t.Errorf("zero covariance: %v", got)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	lambda := make([]float64, 40)
	for i := range lambda {
		lambda[i] = math.Pow(10, -6*rng.Float64())
	}
	const draws = 100000
	var s, s2 float64
	for range draws {
		var q float64
		for _, l := range lambda {
			z := rng.NormFloat64()
			q += l * z * z
		}
		r := math.Sqrt(q / 40)
		s, s2 = s+r, s2+r*r
	}
	mean := s / draws
	se := math.Sqrt((s2/draws - mean*mean) / draws)
	if got := expectedRMSE(lambda); math.Abs(got-mean) > 4*se {
		t.Errorf("spread eigenvalues: %.6f, Monte Carlo %.6f ± %.6f", got, mean, se)
	}
}

package ensemble

import (
	"math"
	"testing"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/optimize"
)

// TestHybridPureEnsembleIsETKF: on a linear model, En-4DVar with B the raw ensemble
// covariance of a full-rank ensemble (β_s = 0, β_e = 1, no localisation) over one
// observation interval minimises the same quadratic as the ETKF, whose mean is the Kalman
// analysis of that covariance propagated by the model, and recentres the same ensemble on
// it: the two twins give the same analyses up to the minimiser's gradient test (10⁻¹²).
func TestHybridPureEnsembleIsETKF(t *testing.T) {
	const n, members = 5, 9
	lm := newLinearModel(n)
	newModel := func() Model { return lm }
	base := func() *fourdvar.Twin {
		return &fourdvar.Twin{Model: lm, ObsEvery: 2, ObsSigma: 0.5, Seed: 4, SpinUp: -1}
	}
	etkf := &Twin{Base: base(), NewModel: newModel, Workers: 1, Members: members, ObsTimes: 15, Filter: &ETKF{}}
	hyb := &Twin{Base: base(), NewModel: newModel, Workers: 1, Members: members, ObsTimes: 15,
		Hybrid: &Hybrid{BetaE: 1, Minimizer: fourdvar.Minimizer{Method: &optimize.LBFGS{}, GradReduction: 1e-12, MaxIterations: 500}}}
	re, err := etkf.Run()
	if err != nil {
		t.Fatal(err)
	}
	rh, err := hyb.Run()
	if err != nil {
		t.Fatal(err)
	}
	for i := range re.Cycles {
		a, b := re.Cycles[i].RMSEAnalysis, rh.Cycles[i].RMSEAnalysis
		if !(a > 0) || math.IsInf(a, 0) {
			t.Fatalf("analysis %d: ETKF RMSE %v, want finite and positive", i, a)
		}
		if math.Abs(a-b) > 1e-7*(1+a) {
			t.Errorf("analysis %d: ETKF RMSE %.10g, pure-ensemble En-4DVar %.10g", i, a, b)
		}
	}
}

// TestEDALinearIsEnKF: on a linear model an ensemble of perturbed-observation 4DVars with B
// the raw ensemble covariance (full rank) updates each member exactly as the stochastic EnKF
// does with the same perturbations, and the control 4DVar is the Kalman mean, which is the
// EnKF's (its perturbations are centred): the twins agree up to the minimiser's gradient test.
func TestEDALinearIsEnKF(t *testing.T) {
	const n, members = 5, 9
	lm := newLinearModel(n)
	newModel := func() Model { return lm }
	base := func() *fourdvar.Twin {
		return &fourdvar.Twin{Model: lm, ObsEvery: 2, ObsSigma: 0.5, Seed: 4, SpinUp: -1}
	}
	mz := fourdvar.Minimizer{Method: &optimize.LBFGS{}, GradReduction: 1e-12, MaxIterations: 500}
	enkf := &Twin{Base: base(), NewModel: newModel, Workers: 1, Members: members, ObsTimes: 15, Filter: &EnKF{}}
	eda := &Twin{Base: base(), NewModel: newModel, Workers: 1, Members: members, ObsTimes: 15,
		Hybrid: &Hybrid{BetaE: 1, EDA: true, Minimizer: mz}}
	re, err := enkf.Run()
	if err != nil {
		t.Fatal(err)
	}
	rh, err := eda.Run()
	if err != nil {
		t.Fatal(err)
	}
	for i := range re.Cycles {
		a, b := re.Cycles[i].RMSEAnalysis, rh.Cycles[i].RMSEAnalysis
		if !(a > 0) || math.IsInf(a, 0) {
			t.Fatalf("analysis %d: EnKF RMSE %v, want finite and positive", i, a)
		}
		if math.Abs(a-b) > 1e-7*(1+a) {
			t.Errorf("analysis %d: EnKF RMSE %.10g, EDA %.10g", i, a, b)
		}
	}
}

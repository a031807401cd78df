package ensemble

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/internal/limits"
)

// MaxFloorDim is the largest state Twin.Floor accepts: it carries a dense n×n covariance
// through every model step (2n tangent-linear steps each) and decomposes it at every
// observation time (O(n³)); at n = 1000 (Lorenz-96, observed every step) that is 0.6 s per
// observation time on a Zen 5 core, ten minutes for a 1000-time run.
const MaxFloorDim = 1000

// Floor is the Cramér–Rao floor of a twin experiment: at each observation time, what the
// bound P^a_k on the error covariance of any estimate of the truth unbiased given the truth,
// from the observations so far and the prior of the first ensemble (the package
// documentation gives the recursion and its limits), means for the twin's score.
type Floor struct {
	// Times holds the floor at each observation time, in order.
	Times []FloorTime
	// ExpectedRMSE and Spread are the means of Times' values over the times the twin
	// scores, as fourdvar.Summarise averages the analyses' RMSEs: ExpectedRMSE is the
	// floor to compare with the twin's mean analysis RMSE.
	ExpectedRMSE float64
	Spread       float64
	// Scored is the number of times averaged.
	Scored int
	// Prior says what P_0, the covariance of the prior at the first observation time, is.
	Prior string
}

// FloorTime is the Cramér–Rao floor at one observation time.
type FloorTime struct {
	Step int // step of the truth run
	// ExpectedRMSE is E[√(eᵀe/n)] for e ~ N(0, P^a): the expected RMSE of an estimate
	// whose error covariance is P^a, from P^a's eigenvalues (expectedRMSE: exact to
	// round-off).
	ExpectedRMSE float64
	// Spread is √(tr P^a / n), the root of the mean error variance (≥ ExpectedRMSE, by
	// Jensen's inequality).
	Spread float64
	// Scored reports whether the twin scores an analysis here (after its burn-in).
	Scored bool
}

// Floor returns the Cramér–Rao floor of the twin on its own truth and observations (those
// of Base.TruthRun that Run uses): P^a_k, the inverse Fisher information about the truth
// at each observation time, carried by the Kalman filter's covariance recursion with the
// tangent-linear model and observation operators evaluated along the truth (see the
// package documentation), from the prior the first ensemble is drawn from: Spread² I, or
// Spread² times Base.FirstBackground's covariance; with ColdStart, the model's
// climatological covariance (half fourdvar.ColdStart's, which is that of the difference of
// two climatological states). A model error in the truth run (Base.ModelError = σ_m) adds
// σ_m² I to each step's covariance. The averages are over the analyses Run scores: every
// observation time, every Shift-th for the smoother, after the burn-in.
//
// The twin is validated as Run validates it, except that it needs no method. Floor
// returns an error wrapping limits.ErrTooLarge for a state of more than MaxFloorDim
// variables, and one wrapping ErrDiverged if the covariance becomes non-finite.
func (t *Twin) Floor() (*Floor, error) {
	v := *t
	if v.Filter == nil && v.Smoother == nil && v.Hybrid == nil {
		v.Filter = &ETKF{} // the floor does not depend on the method; Validate wants one
	}
	if err := v.Validate(); err != nil {
		return nil, err
	}
	m := t.Base.Model
	if n := m.Dim(); n > MaxFloorDim {
		return nil, fmt.Errorf("ensemble: the Cramér–Rao floor of a state of %d variables is %w: it carries a dense %d×%d "+
			"covariance through every model step and decomposes it at every observation time; it is computed for at most %d variables",
			n, limits.ErrTooLarge, n, n, MaxFloorDim)
	}
	_, obsTimes, spread := t.defaults()
	oe := max(t.Base.ObsEvery, 1)
	truth, obsAt, err := t.Base.TruthRun((obsTimes - 1) * oe)
	if err != nil {
		return nil, err
	}
	p0, prior, err := t.floorPrior(spread)
	if err != nil {
		return nil, err
	}
	fl := &Floor{Prior: prior, Times: make([]FloorTime, obsTimes)}
	shift := 1
	if t.Smoother != nil {
		_, shift, _, _ = t.Smoother.defaults()
	}
	var fp floorPoint
	err = floorRecursion(m, truth, obsAt, oe, obsTimes, t.Base.ModelError, p0, func(k int, pa *mat.SymDense) error {
		expected, spread, ok := fp.at(pa)
		if !ok {
			return fmt.Errorf("ensemble: Cramér–Rao floor: the eigendecomposition of P^a at step %d failed", k*oe)
		}
		ft := &fl.Times[k]
		ft.Step = k * oe
		ft.ExpectedRMSE, ft.Spread = expected, spread
		// Run scores analysis c at observation time c·shift, c ≥ BurnIn (cycles).
		ft.Scored = k%shift == 0 && k/shift >= t.BurnIn
		if ft.Scored {
			fl.ExpectedRMSE += ft.ExpectedRMSE
			fl.Spread += ft.Spread
			fl.Scored++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	fl.ExpectedRMSE /= float64(fl.Scored)
	fl.Spread /= float64(fl.Scored)
	return fl, nil
}

// floorPrior returns P_0, the covariance the first ensemble is drawn from, and its
// description.
func (t *Twin) floorPrior(spread float64) (*mat.SymDense, string, error) {
	m := t.Base.Model
	n := m.Dim()
	var c fourdvar.Covariance
	scale, prior := spread*spread, fmt.Sprintf("spread² I, spread %g (warm start)", spread)
	switch {
	case t.ColdStart:
		cold, err := fourdvar.ColdStart(m)
		if err != nil {
			return nil, "", fmt.Errorf("ensemble: Cramér–Rao floor: the climatological covariance: %w", err)
		}
		c, scale, prior = cold, 0.5, "the climatological covariance (cold start)"
	case t.Base.FirstBackground != nil:
		c, prior = t.Base.FirstBackground, fmt.Sprintf("spread² C, spread %g, C the first background's covariance (warm start)", spread)
	}
	p0 := mat.NewSymDense(n, nil)
	if c == nil {
		for i := range n {
			p0.SetSym(i, i, scale)
		}
		return p0, prior, nil
	}
	// C = S S with S = C^{1/2} symmetric: its columns are S e_j.
	s := mat.NewDense(n, n, nil)
	e := make([]float64, n)
	for j := range n {
		e[j] = 1
		c.SqrtMul(s.RawRowView(j), e) // row j of S = column j, S being symmetric
		e[j] = 0
	}
	p0.SymOuterK(scale, s)
	return p0, prior, nil
}

// floorRecursion runs the covariance recursion of the floor along the truth over obsTimes
// observation times oe steps apart, from the prior p0 at step 0, and calls analysed with
// each observation time's index and P^a (read-only, valid during the call); an error from
// it stops the recursion.
//
// Between observation times P ← M P Mᵀ (+ σ_m² I) with M the tangent-linear step at the
// truth, formed without M as M (M P)ᵀ, P being symmetric: each product applies the
// tangent-linear model to the rows of a matrix. At an observation time with operator H
// (its tangent at the truth), G = P Hᵀ, S = H G + R and P ← P − G S⁻¹ Gᵀ; P is
// symmetrised after each update so that round-off does not accumulate asymmetry.
func floorRecursion(m Model, truth [][]float64, obsAt map[int]fourdvar.Batch, oe, obsTimes int, modelError float64,
	p0 *mat.SymDense, analysed func(k int, pa *mat.SymDense) error) error {
	n := m.Dim()
	p := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			p.Set(i, j, p0.At(i, j))
		}
	}
	w := mat.NewDense(n, n, nil)
	pa := mat.NewSymDense(n, nil)
	q := modelError * modelError
	for k := range obsTimes {
		tc := k * oe
		if k > 0 {
			for step := tc - oe; step < tc; step++ {
				x := truth[step]
				tangent := func(dy, dx []float64) { m.StepTangent(dy, x, dx, nil) }
				applyRows(w, p, tangent) // w = P Mᵀ
				transposeInPlace(w)      // w = M P
				applyRows(p, w, tangent) // p = M P Mᵀ
				for i := range n {
					p.Set(i, i, p.At(i, i)+q)
				}
				symmetrise(p)
			}
		}
		if err := finiteCov(p, tc, "forecast"); err != nil {
			return err
		}
		if b, ok := obsAt[tc]; ok {
			if err := floorAnalysis(p, b, truth[tc]); err != nil {
				return fmt.Errorf("ensemble: Cramér–Rao floor at step %d: %w", tc, err)
			}
			if err := finiteCov(p, tc, "analysis"); err != nil {
				return err
			}
		}
		for i := range n {
			for j := i; j < n; j++ {
				pa.SetSym(i, j, p.At(i, j))
			}
		}
		if err := analysed(k, pa); err != nil {
			return err
		}
	}
	return nil
}

// floorPoint turns one time's P^a into its floor, reusing its workspace from call to call.
type floorPoint struct {
	es     mat.EigenSym
	lambda []float64
}

// at returns the expected RMSE and √(tr P^a / n) of an error of covariance pa; false if its
// eigendecomposition fails.
func (f *floorPoint) at(pa *mat.SymDense) (expected, spread float64, ok bool) {
	if !f.es.Factorize(pa, false) {
		return 0, 0, false
	}
	f.lambda = f.es.Values(f.lambda)
	var tr float64
	for i, l := range f.lambda {
		f.lambda[i] = max(l, 0) // round-off can make the smallest slightly negative
		tr += f.lambda[i]
	}
	return expectedRMSE(f.lambda), math.Sqrt(tr / float64(len(f.lambda))), true
}

// floorAnalysis replaces p by the Kalman analysis covariance of the batch b, its operator
// linearised at the truth x.
func floorAnalysis(p *mat.Dense, b fourdvar.Batch, x []float64) error {
	n, _ := p.Dims()
	mo := b.H.Out()
	tangent := func(dy, dx []float64) { b.H.Tangent(dy, x, dx) }
	g := mat.NewDense(n, mo, nil)
	applyRows(g, p, tangent) // G = P Hᵀ
	var gt mat.Dense
	gt.CloneFrom(g.T()) // H P
	s := mat.NewDense(mo, mo, nil)
	applyRows(s, &gt, tangent) // H P Hᵀ
	ss := mat.NewSymDense(mo, nil)
	for i := range mo {
		for j := i; j < mo; j++ {
			ss.SetSym(i, j, 0.5*(s.At(i, j)+s.At(j, i)))
		}
		ss.SetSym(i, i, ss.At(i, i)+b.Sigma[i]*b.Sigma[i])
	}
	var chol mat.Cholesky
	if !chol.Factorize(ss) {
		return errors.New("H P Hᵀ + R is not positive definite")
	}
	var sg mat.Dense
	if err := chol.SolveTo(&sg, &gt); err != nil { // S⁻¹ H P
		return err
	}
	var gsg mat.Dense
	gsg.Mul(g, &sg)
	p.Sub(p, &gsg)
	symmetrise(p)
	return nil
}

// applyRows sets row i of dst to f applied to row i of src: dst = src Fᵀ for a linear f
// with matrix F.
func applyRows(dst, src *mat.Dense, f func(dy, dx []float64)) {
	r, _ := src.Dims()
	for i := range r {
		f(dst.RawRowView(i), src.RawRowView(i))
	}
}

func transposeInPlace(a *mat.Dense) {
	n, _ := a.Dims()
	for i := range n {
		for j := range i {
			x, y := a.At(i, j), a.At(j, i)
			a.Set(i, j, y)
			a.Set(j, i, x)
		}
	}
}

func symmetrise(a *mat.Dense) {
	n, _ := a.Dims()
	for i := range n {
		for j := range i {
			v := 0.5 * (a.At(i, j) + a.At(j, i))
			a.Set(i, j, v)
			a.Set(j, i, v)
		}
	}
}

func finiteCov(p *mat.Dense, step int, where string) error {
	if finite(p.RawMatrix().Data) {
		return nil
	}
	return fmt.Errorf("ensemble: Cramér–Rao floor: %w: the covariance is not finite after the %s at step %d "+
		"(the tangent-linear model along the truth blew up)", ErrDiverged, where, step)
}

// expectedRMSE returns E[√(Σ λ_i z_i² / n)] for independent standard normal z_i, n =
// len(lambda), λ_i ≥ 0: the expected RMSE of an error with covariance eigenvalues λ. With
// Q = Σ λ_i z_i²/n, √q = (1/(2√π)) ∫₀^∞ (1 − e^{−tq}) t^{−3/2} dt and E e^{−tQ} =
// Π_i (1 + 2tλ_i/n)^{−1/2}, so
//
//	E√Q = (1/(2√π)) ∫₀^∞ (1 − Π_i (1 + 2tλ_i/n)^{−1/2}) t^{−3/2} dt,
//
// which after t = e^s/μ (μ = Σλ_i/n) is a smooth integrand decaying like e^{−|s|/2} at both
// ends, analytic in the strip |Im s| < π: the trapezoidal rule converges geometrically, its
// error falling like e^{−2π²/h} with the step h (Trefethen and Weideman, 2014), and with
// h = 1/4 and the range cut at |s| = 80 (tails of about e^{−40} of the result) it is exact to
// round-off: 10⁻¹⁵ relative for n = 40, 10⁻¹³ for n = 400 against the closed form for equal
// eigenvalues (a test checks it). 1 − Π(1+a_i)^{−1/2} is computed as d/(√(1+d)(1+√(1+d)))
// with d = Π(1+a_i) − 1 accumulated as d ← d + a + d·a, all terms positive, so that nothing
// cancels for small t.
func expectedRMSE(lambda []float64) float64 {
	n := float64(len(lambda))
	var mu float64
	for _, l := range lambda {
		mu += l
	}
	mu /= n
	if !(mu > 0) {
		return 0
	}
	const h, points = 0.25, 320 // s = i·h, |i| ≤ points: |s| ≤ 80
	var sum float64
	for i := -points; i <= points; i++ {
		t := math.Exp(float64(i)*h) / mu
		var d float64
		for _, l := range lambda {
			a := 2 * t * l / n
			d += a + d*a
		}
		var g float64  // 1 − E e^{−tQ}
		if d > 1e300 { // Π(1+a_i)^{−1/2} < 10⁻¹⁵⁰
			g = 1
		} else {
			r := math.Sqrt(1 + d)
			g = d / (r * (1 + r))
		}
		// ∫ g(t) t^{−3/2} dt with dt = t ds.
		sum += g / math.Sqrt(t)
	}
	return h * sum / (2 * math.Sqrt(math.Pi))
}

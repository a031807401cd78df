package ensemble

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/optimize"
)

// Hybrid is hybrid ensemble-variational 4DVar (En-4DVar): strong-constraint 4DVar with the
// exact adjoint of the model over a window of Lag observation intervals ending at the newest
// observation time, whose background error covariance at the window's start blends a static
// B with the ensemble's,
//
//	B = β_s² B_static + β_e² (C ∘ P_e),
//
// C the Gaspari–Cohn correlation on the ring (Schur product: localisation) and P_e the
// covariance of the ensemble at the window's start (Hamill and Snyder, 2000; Lorenc, 2003;
// Buehner, 2005). The ensemble is cycled by Filter and recentred on each 4DVar analysis, so
// that its spread follows the flow while the variational analysis sets its mean. Each
// observation is assimilated once (in the first window that contains it); the background is
// the previous analysis trajectory one observation interval on. With EDA the ensemble is
// instead an ensemble of perturbed-observation 4DVars (Isaksen et al., 2010).
type Hybrid struct {
	// Static is B_static; nil means the identity.
	Static fourdvar.Covariance
	// BetaS and BetaE are β_s and β_e; both zero means β_s = 0, β_e = 1 (pure ensemble B).
	BetaS, BetaE float64
	// Radius is the Gaspari–Cohn half-width of the localisation of P_e in grid points; zero
	// means none (the raw ensemble covariance, rank N−1 at most).
	Radius float64
	// Distance is the distance in grid points between state variables; nil means the ring
	// (see LETKF.Distance).
	Distance func(i, j int) float64
	// Lag is the window in observation intervals; zero means 1.
	Lag int
	// Filter cycles the ensemble between analyses; nil means an ETKF. Ignored with EDA.
	Filter Filter
	// EDA cycles the ensemble by an ensemble of data assimilations instead: each member is
	// the 4DVar analysis, with the same B, of its own background and of observations
	// perturbed by draws of R (centred over the members, as the EnKF's), so that on a linear
	// model it is the stochastic EnKF; the members are not recentred. Rand draws the
	// perturbations; nil means a stream of the twin's seed.
	EDA  bool
	Rand *rand.Rand
	// Inflation multiplies the anomalies of the EDA members (their analyses and their next
	// backgrounds); zero means 1. The filter has its own.
	Inflation float64
	// Minimizer minimises each 4DVar cost (the zero value is L-BFGS to a gradient
	// reduction of 1e-6).
	Minimizer fourdvar.Minimizer

	static *mat.SymDense
}

// Covariance returns the hybrid B for the ensemble e (members as rows): the matrix above as
// a fourdvar covariance (its symmetric square root by eigendecomposition).
func (h *Hybrid) Covariance(e *mat.Dense) (fourdvar.Covariance, error) {
	r, n := e.Dims()
	bs, be := h.BetaS, h.BetaE
	if bs == 0 && be == 0 {
		be = 1
	}
	if h.static == nil || h.static.SymmetricDim() != n {
		h.static = denseCov(h.Static, n)
	}
	mean := make([]float64, n)
	var a mat.Dense
	Anomalies(&a, mean, e)
	pe := mat.NewSymDense(n, nil)
	pe.SymOuterK(1/float64(r-1), a.T())
	dist := h.Distance
	if dist == nil {
		dist = RingDistance(n)
	}
	b := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			loc := 1.0
			if h.Radius > 0 {
				loc = GaspariCohn(dist(i, j), h.Radius)
			}
			b.SetSym(i, j, bs*bs*h.static.At(i, j)+be*be*loc*pe.At(i, j))
		}
	}
	if !finite(b.RawSymmetric().Data) {
		return nil, fmt.Errorf("%w: the ensemble's covariance is not finite (its members blew up)", ErrDiverged)
	}
	// A Gaspari–Cohn taper of arc distances on a ring (or any grid) is not always positive
	// definite, so the Schur product can have slightly negative eigenvalues: drop them, the
	// nearest positive semi-definite matrix in the Frobenius norm.
	var es mat.EigenSym
	if !es.Factorize(b, true) {
		return nil, fmt.Errorf("%w: eigendecomposition of the %d×%d hybrid B failed", fourdvar.ErrInput, n, n)
	}
	vals := es.Values(nil)
	var v mat.Dense
	es.VectorsTo(&v)
	for k, l := range vals {
		l = max(l, 0)
		for i := range n {
			v.Set(i, k, v.At(i, k)*math.Sqrt(l))
		}
	}
	b.SymOuterK(1, &v)
	c, err := fourdvar.NewDense(b, 1)
	if err != nil {
		// b is finite and positive semi-definite by construction: NewDense fails only
		// when it is zero or overflows.
		return nil, fmt.Errorf("%w: the hybrid B is zero or overflows (ensemble spread %.3g)", ErrDiverged, Spread(e))
	}
	return c, nil
}

// denseCov returns c as a matrix, C = S S from its square root S (the identity for nil).
func denseCov(c fourdvar.Covariance, n int) *mat.SymDense {
	out := mat.NewSymDense(n, nil)
	if c == nil {
		for i := range n {
			out.SetSym(i, i, 1)
		}
		return out
	}
	if c.Dim() != n {
		panic(fmt.Sprintf("ensemble: Hybrid: static covariance of size %d for state size %d", c.Dim(), n))
	}
	ej := make([]float64, n)
	s := make([]float64, n)
	col := make([]float64, n)
	for j := range n {
		clear(ej)
		ej[j] = 1
		c.SqrtMul(s, ej)
		c.SqrtMul(col, s)
		for i := 0; i <= j; i++ {
			out.SetSym(i, j, col[i])
		}
	}
	return out
}

// runHybrid cycles En-4DVar: at observation time k the window is [max(0, k−L), k], its
// background the previous analysis trajectory at the window's start and its B from the
// ensemble kept at that time; the ensemble is forecast to k, analysed by the filter and
// recentred on the 4DVar analysis at k, which is scored.
func (t *Twin) runHybrid(p *Propagator, e *mat.Dense, obsAt map[int]fourdvar.Batch, obsTimes, oe int,
	finish func(*fourdvar.Cycle, []float64, []float64, []float64, int, int, time.Time) error) error {
	h := t.Hybrid
	lag := max(h.Lag, 1)
	filter := h.Filter
	if filter == nil {
		filter = &ETKF{}
	}
	n := p.Dim()
	// hist[k mod (lag+1)] is the analysis ensemble at observation time k, kept until a
	// window starts there; xb is the next window's background.
	hist := make([]*mat.Dense, lag+1)
	hist[0] = mat.DenseCopyOf(e)
	xb := make([]float64, n)
	Mean(xb, e)
	an := make([]float64, n)
	work := make([]float64, 2*n)
	members, _ := e.Dims()
	var mxb *mat.Dense // EDA: each member's background at the window's start, as rows
	rng := h.Rand
	if h.EDA {
		mxb = mat.DenseCopyOf(e)
		if rng == nil {
			rng = rand.New(rand.NewPCG(t.Base.Seed, streamFilter))
		}
	}
	for k := range obsTimes {
		began := time.Now()
		j := max(0, k-lag)
		steps := (k - j) * oe
		bcov, err := h.Covariance(hist[j%(lag+1)])
		if err != nil {
			return fmt.Errorf("analysis %d: hybrid B: %w", k, err)
		}
		w := &fourdvar.Window{Model: p.Model(), Steps: steps, Xb: xb, B: bcov}
		if b, ok := obsAt[k*oe]; ok {
			b.Step = steps
			w.Obs = []fourdvar.Batch{b}
		}
		ana, aerr := h.analyse(w)
		if aerr != nil && !errors.Is(aerr, optimize.ErrLineSearch) {
			return fmt.Errorf("analysis %d (step %d): %w", k, k*oe, aerr)
		}
		bg := make([]float64, n)
		fourdvar.Forecast(p.Model(), bg, xb, steps, work)
		copy(an, ana.Trajectory[steps])
		next := max(0, k+1-lag)
		if h.EDA {
			// Each member: its own 4DVar with perturbed observations.
			var eps *mat.Dense
			if len(w.Obs) > 0 {
				eps = perturbations(rng, members, w.Obs[0].Len())
			}
			if err := h.edaAnalyse(p, w, eps, mxb, e, (next-j)*oe); err != nil {
				return fmt.Errorf("analysis %d (step %d), %w", k, k*oe, err)
			}
			Inflate(e, factorOr1(h.Inflation))
			Inflate(mxb, factorOr1(h.Inflation))
		} else {
			// The ensemble: forecast, filter, recentre on the variational analysis.
			if k > 0 {
				p.Forecast(e, oe)
			}
			if b, ok := obsAt[k*oe]; ok {
				filter.Analyse(e, []fourdvar.Batch{b})
			}
			recentre(e, an)
		}
		hist[k%(lag+1)] = mat.DenseCopyOf(e)
		// The next background: this analysis trajectory at the next window's start.
		copy(xb, ana.Trajectory[(next-j)*oe])
		cyc := fourdvar.Cycle{Cycle: k, Step: k * oe, NumObs: w.NumObs(), Stats: ana.Stats}
		if aerr != nil {
			cyc.Error = aerr.Error()
		}
		if err := finish(&cyc, bg, an, ana.Trajectory[0], j*oe, oe, began); err != nil {
			return err
		}
	}
	return nil
}

// edaAnalyse replaces each row of e by the 4DVar analysis at the end of window w of the
// background in the same row of mxb and of w's observations perturbed by σ times the row of
// eps (nil: no observations), and the row of mxb by that analysis at step keep. The members
// run in parallel, one model of p and one copy of the observation operators per goroutine;
// each member's analysis is the same sequence of operations whatever the number of
// goroutines, so the result is bit-identical for any GOMAXPROCS.
func (h *Hybrid) edaAnalyse(p *Propagator, w *fourdvar.Window, eps, mxb, e *mat.Dense, keep int) error {
	members, _ := e.Dims()
	workers := min(len(p.models), members)
	errs := make([]error, members)
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() {
			mw := *w
			mw.Model = p.models[k]
			var obs fourdvar.Batch
			if len(w.Obs) > 0 {
				obs = w.Obs[0]
				if k > 0 { // the first goroutine's operators are the originals
					obs.H = obs.H.Clone()
				}
				obs.Y = append([]float64(nil), obs.Y...)
				mw.Obs = []fourdvar.Batch{obs}
			}
			for i := k * members / workers; i < (k+1)*members/workers; i++ {
				mw.Xb = mxb.RawRowView(i)
				if eps != nil {
					for jj, y := range w.Obs[0].Y {
						obs.Y[jj] = y + obs.Sigma[jj]*eps.At(i, jj)
					}
				}
				ma, err := h.analyse(&mw)
				if err != nil && !errors.Is(err, optimize.ErrLineSearch) {
					errs[i] = fmt.Errorf("EDA member %d: %w", i, err)
					return
				}
				copy(e.RawRowView(i), ma.Trajectory[mw.Steps])
				copy(mxb.RawRowView(i), ma.Trajectory[keep])
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// analyse minimises the window's 4DVar cost; a line-search failure comes with a usable
// analysis.
func (h *Hybrid) analyse(w *fourdvar.Window) (*fourdvar.Analysis, error) {
	asm := fourdvar.Assimilator{Minimizer: h.Minimizer}
	ana, err := asm.Analyse(w)
	if ana == nil && err == nil {
		err = errors.New("no analysis")
	}
	return ana, err
}

// recentre moves the ensemble e so that its mean is x.
func recentre(e *mat.Dense, x []float64) {
	r, n := e.Dims()
	mean := make([]float64, n)
	Mean(mean, e)
	for i := range r {
		row := e.RawRowView(i)
		for j := range row {
			row[j] += x[j] - mean[j]
		}
	}
}

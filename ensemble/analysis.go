package ensemble

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/adjunto/adjunto/fourdvar"
)

// Filter is an ensemble analysis at one observation time: it replaces the forecast
// ensemble e (members as rows) by the analysis ensemble given the batches, all of the same
// time.
type Filter interface {
	Analyse(e *mat.Dense, obs []fourdvar.Batch)
}

// Compile-time checks that the analyses are filters.
var (
	_ Filter = (*EnKF)(nil)
	_ Filter = (*ETKF)(nil)
	_ Filter = (*LETKF)(nil)
)

// obsSpace holds the ensemble in observation space, normalised by the observation errors:
// S[i][j] = (H(x_i) − ȳ)_j / σ_j and d_j = (y − ȳ)_j / σ_j, so that R becomes the identity.
// Observations of several times stack up (add once per batch) for the iEnKS.
type obsSpace struct {
	rows  [][]float64 // S, one row per member
	d     []float64   // normalised innovation of the mean
	sigma []float64   // the (possibly inflated) σ of each observation
	batch []int       // index into ops of each observation's batch
	index []int       // its row within its batch
	ops   []*fourdvar.Operator
	hx    []float64 // scratch, members × batch size
}

func (o *obsSpace) reset(members int) {
	if len(o.rows) != members {
		o.rows = make([][]float64, members)
	}
	for i := range o.rows {
		o.rows[i] = o.rows[i][:0]
	}
	o.d, o.sigma, o.batch, o.index, o.ops = o.d[:0], o.sigma[:0], o.batch[:0], o.index[:0], o.ops[:0]
}

// add appends the observations of b of the ensemble e, with error variances multiplied by
// varFactor (1 for single data assimilation).
func (o *obsSpace) add(e *mat.Dense, b fourdvar.Batch, varFactor float64) {
	r, _ := e.Dims()
	m := b.Len()
	if cap(o.hx) < r*m {
		o.hx = make([]float64, r*m)
	}
	hx := o.hx[:r*m]
	ybar := make([]float64, m)
	for i := range r {
		row := hx[i*m : (i+1)*m]
		b.H.Apply(row, e.RawRowView(i))
		for j, v := range row {
			ybar[j] += v
		}
	}
	for j := range ybar {
		ybar[j] /= float64(r)
	}
	sd := math.Sqrt(varFactor)
	for j := range m {
		s := b.Sigma[j] * sd
		o.sigma = append(o.sigma, s)
		o.d = append(o.d, (b.Y[j]-ybar[j])/s)
		o.batch = append(o.batch, len(o.ops))
		o.index = append(o.index, j)
	}
	o.ops = append(o.ops, b.H)
	for i := range r {
		for j, v := range hx[i*m : (i+1)*m] {
			o.rows[i] = append(o.rows[i], (v-ybar[j])/o.sigma[len(o.sigma)-m+j])
		}
	}
}

// matrix returns S as an N×M matrix (nil when there are no observations).
func (o *obsSpace) matrix() *mat.Dense {
	m := len(o.d)
	if m == 0 {
		return nil
	}
	s := mat.NewDense(len(o.rows), m, nil)
	for i, row := range o.rows {
		copy(s.RawRowView(i), row)
	}
	return s
}

// transform holds the eigendecomposition G = S Sᵀ = V diag(λ) Vᵀ of the ensemble-space
// Hessian's data part, from which every ETKF/iEnKS quantity is a spectral function
// V diag(f(λ + ζ)) Vᵀ.
type transform struct {
	g    *mat.SymDense
	eig  mat.EigenSym
	vals []float64
	vecs mat.Dense
	tmp  []float64
}

// factor decomposes S Sᵀ for S (N×M); a nil S (no observations) gives G = 0. It reports
// false when the decomposition fails, which on a positive semi-definite matrix means
// values too large to square: forecasts that blew up.
func (t *transform) factor(s *mat.Dense, members int) bool {
	if t.g == nil || t.g.SymmetricDim() != members {
		t.g = mat.NewSymDense(members, nil)
		t.tmp = make([]float64, members)
	}
	if s == nil {
		t.g.Zero()
	} else {
		t.g.SymOuterK(1, s)
	}
	if !finite(t.g.RawSymmetric().Data) || !t.eig.Factorize(t.g, true) {
		return false
	}
	t.vals = t.eig.Values(t.vals)
	for i, v := range t.vals {
		t.vals[i] = max(v, 0) // round-off below zero on a positive semi-definite matrix
	}
	t.eig.VectorsTo(&t.vecs)
	return true
}

// apply sets dst = V diag((λ + ζ)^p) Vᵀ v.
func (t *transform) apply(dst, v []float64, zeta, p float64) {
	n := len(t.vals)
	for k := range n {
		var s float64
		for i := range n {
			s += t.vecs.At(i, k) * v[i]
		}
		t.tmp[k] = s * math.Pow(t.vals[k]+zeta, p)
	}
	for i := range n {
		var s float64
		for k := range n {
			s += t.vecs.At(i, k) * t.tmp[k]
		}
		dst[i] = s
	}
}

// matrix sets dst = c · V diag((λ + ζ)^p) Vᵀ (N×N, symmetric).
func (t *transform) matrix(dst *mat.Dense, zeta, p, c float64) {
	n := len(t.vals)
	var vs mat.Dense
	vs.CloneFrom(&t.vecs)
	for k := range n {
		f := c * math.Pow(t.vals[k]+zeta, p)
		for i := range n {
			vs.Set(i, k, vs.At(i, k)*f)
		}
	}
	dst.Mul(&vs, t.vecs.T())
}

// recompose sets e = 1 x̄ᵀ + (1 wᵀ + T) A: the ensemble of the weights w and the transform
// T (N×N) applied to the anomalies A (N×n) about x̄.
func recompose(e *mat.Dense, mean, w []float64, t, a *mat.Dense) {
	var wt mat.Dense
	wt.CloneFrom(t)
	r, _ := wt.Dims()
	for i := range r {
		row := wt.RawRowView(i)
		for j := range row {
			row[j] += w[j]
		}
	}
	e.Mul(&wt, a)
	for i := range r {
		row := e.RawRowView(i)
		for j := range row {
			row[j] += mean[j]
		}
	}
}

// ETKF is the ensemble transform Kalman filter with the symmetric square root (Bishop et
// al., 2001; Hunt et al., 2007): a deterministic analysis in the ensemble subspace that keeps
// the mean of the analysis ensemble equal to the Kalman analysis of the ensemble's mean and
// covariance.
type ETKF struct {
	// Inflation multiplies the analysis anomalies; zero means 1 (none).
	Inflation float64

	t transform
}

// Analyse implements Filter.
func (f *ETKF) Analyse(e *mat.Dense, obs []fourdvar.Batch) {
	r, c := e.Dims()
	var o obsSpace
	if !o.observe(e, obs) {
		return
	}
	mean := make([]float64, c)
	var a mat.Dense
	Anomalies(&a, mean, e)
	n1 := float64(r - 1)
	s := o.matrix()
	if !f.t.factor(s, r) {
		fillNaN(e)
		return
	}
	grad := make([]float64, r)
	if s != nil {
		mat.NewVecDense(r, grad).MulVec(s, mat.NewVecDense(len(o.d), o.d))
	}
	w := make([]float64, r)
	f.t.apply(w, grad, n1, -1)
	t := mat.NewDense(r, r, nil)
	f.t.matrix(t, n1, -0.5, math.Sqrt(n1))
	recompose(e, mean, w, t, &a)
	Inflate(e, factorOr1(f.Inflation))
}

// observe sets o to the ensemble e seen through the batches obs, each with weight 1. It
// reports false when e or what it sees is not finite, as when the forecasts blew up, and
// then fills e with NaN: an analysis that a Twin reports as a divergence at that time,
// rather than a failed decomposition of non-finite numbers.
func (o *obsSpace) observe(e *mat.Dense, obs []fourdvar.Batch) bool {
	r, _ := e.Dims()
	o.reset(r)
	for _, b := range obs {
		o.add(e, b, 1)
	}
	if finite(e.RawMatrix().Data) && finite(o.d) && finite(o.rows...) {
		return true
	}
	fillNaN(e)
	return false
}

// fillNaN sets every element of e to NaN.
func fillNaN(e *mat.Dense) {
	nan := math.NaN()
	e.Apply(func(int, int, float64) float64 { return nan }, e)
}

func factorOr1(f float64) float64 {
	if f == 0 {
		return 1
	}
	return f
}

// EnKF is the stochastic ensemble Kalman filter (Evensen, 1994; Burgers et al., 1998;
// Evensen, 2003): every member is updated by the Kalman gain of the ensemble covariance
// towards its own perturbed observations y + ε_i, ε_i ~ N(0, R), so that the analysis
// ensemble has the Kalman analysis covariance in expectation. The perturbations are
// centred (their ensemble mean is removed) and rescaled by √(N/(N−1)), so that the
// analysis mean is the Kalman analysis of the ensemble mean.
type EnKF struct {
	// Inflation multiplies the analysis anomalies; zero means 1 (none).
	Inflation float64
	// Rand draws the observation perturbations; it must be set.
	Rand *rand.Rand
}

// Analyse implements Filter.
func (f *EnKF) Analyse(e *mat.Dense, obs []fourdvar.Batch) {
	if f.Rand == nil {
		panic("ensemble: EnKF.Analyse: nil Rand")
	}
	r, c := e.Dims()
	var o obsSpace
	if !o.observe(e, obs) {
		return
	}
	s := o.matrix()
	if s == nil {
		Inflate(e, factorOr1(f.Inflation))
		return
	}
	m := len(o.d)
	n1 := float64(r - 1)
	// C = SᵀS/(N−1) + I, the innovation covariance in normalised units.
	cm := mat.NewSymDense(m, nil)
	cm.SymOuterK(1/n1, s.T())
	for j := range m {
		cm.SetSym(j, j, cm.At(j, j)+1)
	}
	var chol mat.Cholesky
	if !finite(cm.RawSymmetric().Data) || !chol.Factorize(cm) {
		fillNaN(e) // C is positive definite unless SᵀS overflowed
		return
	}
	// D: the perturbed innovations of each member, d − S_i + ε_i.
	eps := perturbations(f.Rand, r, m)
	d := mat.NewDense(r, m, nil)
	for i := range r {
		for j := range m {
			d.Set(i, j, o.d[j]-s.At(i, j)+eps.At(i, j))
		}
	}
	// E_a = E + D C⁻¹ (Sᵀ A) / (N−1), multiplied in the order that keeps every product
	// small (N×M times M×n) whatever N.
	var z mat.Dense
	if err := chol.SolveTo(&z, d.T()); err != nil {
		panic(fmt.Sprintf("ensemble: EnKF: solve: %v", err))
	}
	mean := make([]float64, c)
	var a mat.Dense
	Anomalies(&a, mean, e)
	var sa mat.Dense
	sa.Mul(s.T(), &a)
	sa.Scale(1/n1, &sa)
	var inc mat.Dense
	inc.Mul(z.T(), &sa)
	e.Add(e, &inc)
	Inflate(e, factorOr1(f.Inflation))
}

// perturbations returns members×m standard normal draws, row by row, centred over the
// members and rescaled by √(N/(N−1)) so that their sample variance stays unbiased.
func perturbations(rng *rand.Rand, members, m int) *mat.Dense {
	eps := mat.NewDense(members, m, nil)
	for i := range members {
		for j := range m {
			eps.Set(i, j, rng.NormFloat64())
		}
	}
	mean := make([]float64, m)
	Anomalies(eps, mean, eps)
	eps.Scale(math.Sqrt(float64(members)/float64(members-1)), eps)
	return eps
}

// GaspariCohn returns the compactly supported fifth-order piecewise rational correlation of
// Gaspari and Cohn (1999, eq. 4.10) at distance dist for half-width c: 1 at 0, about 0.2 at c
// and 0 from 2c on. c ≤ 0 gives 1 at distance 0 and 0 elsewhere.
func GaspariCohn(dist, c float64) float64 {
	if c <= 0 {
		if dist == 0 {
			return 1
		}
		return 0
	}
	r := math.Abs(dist) / c
	switch {
	case r <= 1:
		return (((-0.25*r+0.5)*r+0.625)*r-5.0/3)*r*r + 1
	case r < 2:
		return ((((r/12-0.5)*r+0.625)*r+5.0/3)*r-5)*r + 4 - 2/(3*r)
	}
	return 0
}

// LETKF is the local ensemble transform Kalman filter (Hunt et al., 2007) on a grid (by
// default the ring of Lorenz-96; see Distance): each state variable is analysed by its own ETKF with the
// observations within 2·Radius grid points, whose inverse error variances are tapered by
// GaspariCohn (R-localisation). An observation's location is the state variable it
// depends on most (found once per operator from its tangent at a state of ones), so any
// pointwise H works.
type LETKF struct {
	// Radius is the Gaspari–Cohn half-width c in grid points; observations 2c away or more
	// do not act. It must be positive.
	Radius float64
	// Inflation multiplies the analysis anomalies; zero means 1 (none).
	Inflation float64
	// Distance is the distance in grid points between state variables i and j; nil means
	// the ring of the state's length (Lorenz-96). GridDistance gives a periodic 2-D grid.
	// The local analyses call it from several goroutines at once.
	Distance func(i, j int) float64
	// Workers is the number of goroutines the local analyses are shared among; zero means
	// GOMAXPROCS. The result does not depend on it.
	Workers int

	ts   []*transform // one workspace per goroutine
	locs map[*fourdvar.Operator][]int
}

// RingDistance returns the distance between the points i and j of a ring of n points.
func RingDistance(n int) func(i, j int) float64 {
	return func(i, j int) float64 {
		d := math.Abs(float64(i - j))
		return math.Min(d, float64(n)-d)
	}
}

// GridDistance returns the Euclidean distance between the points i and j of a doubly
// periodic nx×ny grid stored row by row (point i at column i mod nx, row i / nx), each
// direction measured the short way round.
func GridDistance(nx, ny int) func(i, j int) float64 {
	ring := func(a, b, n int) float64 {
		d := math.Abs(float64(a - b))
		return math.Min(d, float64(n)-d)
	}
	return func(i, j int) float64 {
		dx, dy := ring(i%nx, j%nx, nx), ring(i/nx, j/nx, ny)
		return math.Hypot(dx, dy)
	}
}

// Analyse implements Filter.
func (f *LETKF) Analyse(e *mat.Dense, obs []fourdvar.Batch) {
	if !(f.Radius > 0) {
		panic(fmt.Sprintf("ensemble: LETKF.Analyse: radius %v, want > 0", f.Radius))
	}
	_, n := e.Dims()
	var o obsSpace
	if !o.observe(e, obs) {
		return
	}
	loc := make([]int, len(o.d))
	for j := range loc {
		loc[j] = f.location(o.ops[o.batch[j]], n)[o.index[j]]
	}
	mean := make([]float64, n)
	var a mat.Dense
	Anomalies(&a, mean, e)
	dist := f.Distance
	if dist == nil {
		dist = RingDistance(n)
	}
	workers := f.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	for len(f.ts) < workers {
		f.ts = append(f.ts, &transform{})
	}
	// The local analyses are independent: blocks of grid points run in parallel, each
	// point the same sequence of operations whatever the blocks, so the bits do not
	// depend on Workers or GOMAXPROCS.
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() {
			f.local(e, &a, mean, &o, loc, dist, f.ts[k], k*n/workers, (k+1)*n/workers)
		})
	}
	wg.Wait()
	Inflate(e, factorOr1(f.Inflation))
}

// local writes columns lo … hi−1 of the analysis ensemble e: for each grid point g, the ETKF
// of the observations near g, tapered, applied to the anomalies a (mean: the forecast
// mean). tr is the goroutine's own workspace.
func (f *LETKF) local(e, a *mat.Dense, mean []float64, o *obsSpace, loc []int, dist func(i, j int) float64,
	tr *transform, lo, hi int) {
	r, _ := e.Dims()
	n1 := float64(r - 1)
	t := mat.NewDense(r, r, nil)
	w := make([]float64, r)
	grad := make([]float64, r)
	col := make([]float64, r)
	var ls, ld, rho []float64
	var idx []int
	for g := lo; g < hi; g++ {
		// The local observations, tapered.
		ls, ld, rho, idx = ls[:0], ld[:0], rho[:0], idx[:0]
		for j, l := range loc {
			if p := GaspariCohn(dist(g, l), f.Radius); p > 0 {
				idx = append(idx, j)
				rho = append(rho, math.Sqrt(p))
			}
		}
		ml := len(idx)
		var s *mat.Dense
		if ml > 0 {
			ls = append(ls, make([]float64, r*ml)...)
			for i := range r {
				for q, j := range idx {
					ls[i*ml+q] = o.rows[i][j] * rho[q]
				}
			}
			for q, j := range idx {
				ld = append(ld, o.d[j]*rho[q])
			}
			s = mat.NewDense(r, ml, ls)
			mat.NewVecDense(r, grad).MulVec(s, mat.NewVecDense(ml, ld))
		} else {
			clear(grad)
		}
		if !tr.factor(s, r) {
			for i := range r {
				e.Set(i, g, math.NaN())
			}
			continue
		}
		tr.apply(w, grad, n1, -1)
		tr.matrix(t, n1, -0.5, math.Sqrt(n1))
		// Column g of the analysis: x̄_g + (1 wᵀ + T) A_{:,g}.
		for i := range r {
			col[i] = a.At(i, g)
		}
		for i := range r {
			v := mean[g]
			trow := t.RawRowView(i)
			for k := range r {
				v += (trow[k] + w[k]) * col[k]
			}
			e.Set(i, g, v)
		}
	}
}

// location returns, for each observation of h, the state variable it depends on most.
func (f *LETKF) location(h *fourdvar.Operator, n int) []int {
	if l, ok := f.locs[h]; ok {
		return l
	}
	if f.locs == nil {
		f.locs = map[*fourdvar.Operator][]int{}
	}
	x := make([]float64, n)
	for i := range x {
		x[i] = 1
	}
	dx := make([]float64, n)
	dy := make([]float64, h.Out())
	best := make([]float64, h.Out())
	l := make([]int, h.Out())
	for i := range n {
		clear(dx)
		dx[i] = 1
		h.Tangent(dy, x, dx)
		for j, v := range dy {
			if math.Abs(v) > best[j] {
				best[j], l[j] = math.Abs(v), i
			}
		}
	}
	f.locs[h] = l
	return l
}

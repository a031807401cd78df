package ensemble

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/optimize"
)

// IEnKS is the iterative ensemble Kalman smoother of Bocquet and Sakov (2013, 2014) in its
// transform variant (Sakov et al., 2012): over a window of Lag observation intervals, the
// analysis at the window's start is x̄₀ + A₀ᵀw, w minimising
//
//	J(w) = ζ/2 ‖w‖² + ½ Σ_k ‖y_k − H_k(M_{0→k}(x̄₀ + A₀ᵀw))‖²_{R_k⁻¹}
//
// by Gauss–Newton in the ensemble subspace, the sensitivities of the observations to w
// being taken from the ensemble itself (no tangent-linear or adjoint model), and the window
// moves on by Shift observation intervals per cycle. ζ is N−1, or with FiniteSize the
// finite-size (EnKF-N) value that a hyperprior on the ensemble's covariance gives at the
// current w, an adaptive inflation (Bocquet, 2011; Bocquet and Sakov, 2012; Bocquet et al.,
// 2015).
type IEnKS struct {
	// Lag is L, the window's length in observation intervals; zero means 1.
	Lag int
	// Shift is S, the observation intervals between analyses, 1 ≤ S ≤ L; zero means 1.
	Shift int
	// MDA assimilates every observation in each of the L/S windows that contain it, its error
	// variance multiplied by L/S (multiple data assimilation, Bocquet and Sakov, 2014); the
	// default is single data assimilation, each observation in the first window that
	// contains it.
	MDA bool
	// Inflation multiplies the anomalies of each analysis; zero means 1 (none).
	Inflation float64
	// FiniteSize selects the EnKF-N prior term ζ(w) (with the mode correction of Bocquet et
	// al., 2015) instead of ζ = N−1.
	FiniteSize bool
	// Boost is the xN of DAPPER's finite-size prior, which multiplies ε_N and c_L: values
	// above 1 trust the ensemble more, as for nearly linear, deterministic systems. Zero
	// means 1.
	Boost float64
	// MaxIter bounds the Gauss–Newton iterations per window; zero means 10.
	MaxIter int
	// Tol stops the iterations once the step has ‖Δw‖² < Tol·N; zero means 1e-4.
	Tol float64
	// Bundle, when positive, is the ε of the bundle variant: the iterates are propagated as
	// x̄₀ + A₀ᵀ(w + ε e_i), a tight ensemble whose finite differences are the tangent-linear
	// sensitivities at the iterate, rather than the transform variant's full-size analysis
	// ensemble, whose sensitivities are secants over the ensemble's spread. Zero means the
	// transform variant.
	Bundle float64
	// QuasiStatic minimises J(w) over growing windows (Pires et al., 1996): first with the
	// observations of the window's first observation time only, then adding one observation
	// time at a time, each minimisation starting from the previous one's w and taking up to
	// MaxIter iterations. Over long windows, where J(w) has several minima, this follows
	// the one connected to the background, as Bocquet and Sakov (2014, sect. 4) do for
	// long MDA windows. It does nothing with a single observation time (single DA, shift 1).
	QuasiStatic bool
	// QuasiStaticGrowth, above 1, lets each quasi-static stage take ⌈g·ℓ⌉ observation times
	// where the previous one took ℓ (so about log_g L stages rather than L); zero or 1 means
	// one observation time more per stage.
	QuasiStaticGrowth float64
	// Rotate left-multiplies each analysis transform by a random mean-preserving orthogonal
	// matrix drawn from Rand (see rotation): the analysis mean and covariance are
	// unchanged, the members mixed.
	Rotate bool
	// Rand draws the rotations; it must be set with Rotate (Twin seeds it from its Seed).
	Rand *rand.Rand

	t  transform
	ro rotation
	o  obsSpace
}

// WindowAnalysis is the outcome of one iEnKS window.
type WindowAnalysis struct {
	Start      *mat.Dense     // the analysis ensemble at the window's start (the smoother)
	Keep       *mat.Dense     // the analysis ensemble at the step asked to keep (the next window's start)
	End        *mat.Dense     // the analysis ensemble at the window's end (the filter)
	Background []float64      // the mean of the forecast ensemble at the window's end
	Stats      fourdvar.Stats // cost J(w), its gradient, the Gauss–Newton iterations
}

func (s *IEnKS) defaults() (lag, shift, maxIter int, tol float64) {
	lag, shift, maxIter, tol = s.Lag, s.Shift, s.MaxIter, s.Tol
	if lag == 0 {
		lag = 1
	}
	if shift == 0 {
		shift = 1
	}
	if maxIter == 0 {
		maxIter = 10
	}
	if tol == 0 {
		tol = 1e-4
	}
	return
}

// Analyse analyses one window of steps model steps that starts with the ensemble e (members
// as rows): obs are its observations, at steps 0 … steps from its start and in increasing
// order of step, with the errors to assimilate them with. The forecasts use p. keep (0 ≤ keep
// ≤ steps) is the step whose analysis ensemble is returned as Keep. e is not modified.
func (s *IEnKS) Analyse(p *Propagator, e *mat.Dense, steps int, obs []fourdvar.Batch, keep int) *WindowAnalysis {
	_, _, maxIter, tol := s.defaults()
	r, n := e.Dims()
	if keep < 0 || keep > steps {
		panic(fmt.Sprintf("ensemble: IEnKS.Analyse: keep step %d outside the window [0, %d]", keep, steps))
	}
	for i, b := range obs {
		if b.Step < 0 || b.Step > steps || (i > 0 && b.Step < obs[i-1].Step) {
			panic(fmt.Sprintf("ensemble: IEnKS.Analyse: batch %d at step %d: want steps in [0, %d], increasing", i, b.Step, steps))
		}
	}
	n1 := float64(r - 1)
	mean := make([]float64, n)
	var a0 mat.Dense
	Anomalies(&a0, mean, e)
	w := make([]float64, r)
	dw := make([]float64, r)
	grad := make([]float64, r)
	t := identity(r)
	tinv := identity(r)
	if s.Bundle > 0 {
		t.Scale(s.Bundle, t)
		tinv.Scale(1/s.Bundle, tinv)
	}
	ew := mat.NewDense(r, n, nil)
	res := &WindowAnalysis{Background: make([]float64, n)}
	st := &res.Stats
	st.Status = optimize.IterationLimit.String()
	var y0 mat.Dense
	lastZeta := n1
	// stages are the numbers of batches of the successive minimisations: all of them, or
	// with QuasiStatic one observation time more (or QuasiStaticGrowth times as many) each.
	stages := []int{len(obs)}
	if s.QuasiStatic {
		var ends []int // the number of batches up to each observation time
		for i := range obs {
			if i == len(obs)-1 || obs[i+1].Step != obs[i].Step {
				ends = append(ends, i+1)
			}
		}
		stages = stages[:0]
		g := max(s.QuasiStaticGrowth, 1)
		for c := 1; ; c = max(c+1, int(math.Ceil(g*float64(c)))) {
			if c >= len(ends) {
				stages = append(stages, len(obs))
				break
			}
			stages = append(stages, ends[c-1])
		}
		if len(stages) > 1 {
			ew.CloneFrom(e)
			p.Forecast(ew, steps)
			Mean(res.Background, ew)
		}
	}
	first := true
minimise:
	for _, nb := range stages {
		st.Status = optimize.IterationLimit.String()
		for range maxIter {
			// The ensemble of the current iterate, forecast through the window.
			recompose(ew, mean, w, t, &a0)
			s.o.reset(r)
			k := 0
			for _, b := range obs[:nb] {
				p.Forecast(ew, b.Step-k)
				k = b.Step
				s.o.add(ew, b, 1)
			}
			st.Evaluations++
			if first && len(stages) == 1 {
				p.Forecast(ew, steps-k)
				Mean(res.Background, ew)
			}
			sm := s.o.matrix()
			if sm == nil {
				st.Status = optimize.GradientConverged.String()
				break
			}
			if !finite(s.o.d) || !finite(s.o.rows...) {
				// The window's forecasts blew up: a NaN analysis, which the twin reports
				// as a divergence, rather than a failed eigendecomposition.
				for i := range w {
					w[i] = math.NaN()
				}
				st.Status = optimize.Failure.String()
				break minimise
			}
			// Undo the transform of the anomalies: the sensitivities to w.
			if _, c := y0.Dims(); c != len(s.o.d) {
				y0.Reset() // a quasi-static stage with more observations
			}
			y0.Mul(tinv, sm)
			if !s.t.factor(&y0, r) {
				for i := range w {
					w[i] = math.NaN() // values too large to square: as above
				}
				st.Status = optimize.Failure.String()
				break minimise
			}
			zeta := n1
			if s.FiniteSize {
				zeta = s.zetaN(w)
			}
			mat.NewVecDense(r, grad).MulVec(&y0, mat.NewVecDense(len(s.o.d), s.o.d))
			var jo float64
			for _, v := range s.o.d {
				jo += v * v
			}
			for i := range grad {
				grad[i] -= zeta * w[i]
			}
			cost := 0.5*jo + 0.5*zeta*dot(w, w)
			if first {
				st.CostInitial, st.GradNormInitial = cost, math.Sqrt(dot(grad, grad))
				first = false
			}
			st.CostFinal, st.GradNormFinal = cost, math.Sqrt(dot(grad, grad))
			st.History = append(st.History, cost)
			st.Iterations++
			s.t.apply(dw, grad, zeta, -1)
			if s.Bundle == 0 {
				s.t.matrix(t, zeta, -0.5, math.Sqrt(n1))
				s.t.matrix(tinv, zeta, 0.5, 1/math.Sqrt(n1))
			} else {
				lastZeta = zeta
			}
			for i := range w {
				w[i] += dw[i]
			}
			if dot(dw, dw) < tol*float64(r) {
				st.Status = optimize.GradientConverged.String()
				break
			}
		}
	}
	if s.Bundle > 0 {
		// The analysis transform from the Hessian at the last iterate.
		s.t.matrix(t, lastZeta, -0.5, math.Sqrt(n1))
	}
	// The analysis ensemble, inflated, and its forecast through the window.
	if f := factorOr1(s.Inflation); f != 1 {
		t.Scale(f, t)
	}
	if s.Rotate {
		if s.Rand == nil {
			panic("ensemble: IEnKS.Analyse: Rotate with a nil Rand")
		}
		var u, ut mat.Dense
		s.ro.draw(&u, r, s.Rand)
		ut.Mul(&u, t)
		t.CloneFrom(&ut)
	}
	res.Start = mat.NewDense(r, n, nil)
	recompose(res.Start, mean, w, t, &a0)
	ew.CloneFrom(res.Start)
	p.Forecast(ew, keep)
	res.Keep = mat.DenseCopyOf(ew)
	p.Forecast(ew, steps-keep)
	res.End = ew
	return res
}

// zetaN returns the EnKF-N prior weight ζ(w) = (N−1) c_L / (ε_N + ‖w‖²) of the finite-size
// iEnKS, with ε_N = 1 + 1/N and c_L = N/(N−1) corrected towards the mode of the posterior
// as in Bocquet et al. (2015, eq. 36), both multiplied by Boost, as DAPPER does; it uses the
// spectrum of the current decomposition.
func (s *IEnKS) zetaN(w []float64) float64 {
	nn := float64(len(w))
	n1 := nn - 1
	eN := (nn + 1) / nn
	cL := nn / n1
	priorMode := eN / cL
	var ikh float64
	for _, l := range s.t.vals {
		ikh += 1 / (l + n1)
	}
	ikh *= n1 / nn
	mc := math.Sqrt(math.Pow(priorMode, ikh))
	eN /= mc
	cL *= mc
	if s.Boost > 0 {
		eN *= s.Boost
		cL *= s.Boost
	}
	return n1 * cL / (eN + dot(w, w))
}

func identity(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := range n {
		m.Set(i, i, 1)
	}
	return m
}

// finite reports whether every value of every slice is neither NaN nor infinite.
func finite(vs ...[]float64) bool {
	for _, v := range vs {
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return false
			}
		}
	}
	return true
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

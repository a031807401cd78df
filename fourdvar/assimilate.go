package fourdvar

import (
	"errors"
	"fmt"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/optimize"
)

// Assimilator computes the analysis of one window with a chosen variant. The zero value is
// strong-constraint 4DVar minimised by L-BFGS.
type Assimilator struct {
	Variant      Variant     // zero means Strong4DVar; ThreeDVar needs a window of 0 steps
	Minimizer    Minimizer   // for every variant but Incremental4DVar
	Incremental  Incremental // for Incremental4DVar
	Q            Covariance  // model-error covariance for Weak4DVar; nil means 0.1² I
	StateControl bool        // minimise over x_0 rather than v (see Strong)
	// Checkpoint is the checkpointing policy of the adjoint sweeps (see Strong.Checkpoint);
	// nil means adjoint.StoreAll.
	Checkpoint adjoint.Policy
}

// Analysis is the outcome of one analysis.
type Analysis struct {
	Stats
	// Trajectory holds the analysed states x_0 … x_K of the window (with the model errors
	// for weak-constraint 4DVar).
	Trajectory [][]float64
	// Params holds the analysed model parameters when the window estimates them.
	Params []float64
}

// Analyse minimises the window's cost and returns the analysis. A line-search failure is
// returned together with a usable analysis (the best point found; Stats.Status says
// LineSearchFailure); a divergence is returned with the statistics and no trajectory.
// Params4DVar needs w.Pb and w.BP; the other variants need w.Pb nil. A window that
// Window.Validate refuses (user data of the wrong shape, or too large) returns its error and
// no analysis.
func (a *Assimilator) Analyse(w *Window) (*Analysis, error) {
	if err := w.Validate(); err != nil {
		return nil, err
	}
	variant := a.Variant
	if variant == "" {
		variant = Strong4DVar
	}
	switch {
	case variant == ThreeDVar && w.Steps != 0:
		return nil, fmt.Errorf("%w: 3DVar analyses one time: window of %d steps", ErrInput, w.Steps)
	case variant == Params4DVar && w.Pb == nil:
		return nil, fmt.Errorf("%w: variant params needs the parameters' background", ErrInput)
	case variant != Params4DVar && w.Pb != nil:
		return nil, fmt.Errorf("%w: variant %s does not estimate parameters", ErrInput, variant)
	case variant == Weak4DVar && NeedsHessVec(a.Minimizer.Method):
		return nil, fmt.Errorf("%w: method %T needs Hessian-vector products, which the weak-constraint cost does not provide (Strong's are Gauss-Newton products)", ErrInput, a.Minimizer.Method)
	}
	var (
		z   []float64
		err error
		an  = &Analysis{}
	)
	switch variant {
	case Weak4DVar:
		q := a.Q
		if q == nil {
			q = ScaledIdentity{N: w.Model.Dim(), Sigma: 0.1}
		}
		c := NewWeak(w, q)
		c.StateControl = a.StateControl
		c.Checkpoint = a.Checkpoint
		z, an.Stats, err = a.Minimizer.Minimize(c)
		if err == nil || errors.Is(err, optimize.ErrLineSearch) {
			c.Func(z)
			an.Trajectory = copyTraj(c.Trajectory())
		}
	default:
		c := NewStrong(w)
		c.StateControl = a.StateControl
		c.Checkpoint = a.Checkpoint
		if variant == Incremental4DVar {
			z, an.Stats, err = a.Incremental.Minimize(c)
		} else {
			z, an.Stats, err = a.Minimizer.Minimize(c)
		}
		if err == nil || errors.Is(err, optimize.ErrLineSearch) {
			c.Func(z)
			an.Trajectory = copyTraj(c.Trajectory())
			if w.Pb != nil {
				an.Params = make([]float64, len(w.Pb))
				c.Params(an.Params, z)
			}
		}
	}
	return an, err
}

func copyTraj(t [][]float64) [][]float64 {
	out := make([][]float64, len(t))
	for k, x := range t {
		out[k] = append([]float64(nil), x...)
	}
	return out
}

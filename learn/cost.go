package learn

import (
	"errors"
	"fmt"
	"math"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/optimize"
)

// Stack returns the model that steps b independent states of m, stacked one after the
// other in a vector of length b·m.Dim(), with m's parameters shared by all: the layout Cost
// integrates its windows in. A model that steps a batch natively (a surrogate.Model with
// Batch set) needs no Stack. The result steps the states one by one through m and owns no
// scratch beyond m's; like m it is not safe for concurrent use.
func Stack(m adjoint.Model, b int) adjoint.Model {
	if b < 1 {
		panic(fmt.Sprintf("learn: Stack: %d states", b))
	}
	if b == 1 {
		return m
	}
	return &stack{Model: m, b: b, n: m.Dim()}
}

type stack struct {
	adjoint.Model
	b, n int
}

func (s *stack) Dim() int { return s.b * s.n }

func (s *stack) Step(dst, x []float64) {
	for i := range s.b {
		s.Model.Step(dst[i*s.n:(i+1)*s.n], x[i*s.n:(i+1)*s.n])
	}
}

func (s *stack) StepTangent(dy, x, dx, dp []float64) {
	for i := range s.b {
		s.Model.StepTangent(dy[i*s.n:(i+1)*s.n], x[i*s.n:(i+1)*s.n], dx[i*s.n:(i+1)*s.n], dp)
	}
}

func (s *stack) StepAdjoint(ax, ap, x, ay []float64) {
	for i := range s.b {
		s.Model.StepAdjoint(ax[i*s.n:(i+1)*s.n], ap, x[i*s.n:(i+1)*s.n], ay[i*s.n:(i+1)*s.n])
	}
}

// Cost is the 4DVar cost of learning a model's parameters θ (physical parameters, or the
// weights of a network that is the model) together with the initial states x_0^w of W
// consecutive windows of K steps each, from the observations of one long run:
//
//	J(u, x_0^1 … x_0^W) = ½‖u‖² + ½ Σ_w Σ_k (y_k^w − x_k^w)ᵀ R⁻¹ (y_k^w − x_k^w)
//	                      + ½ Σ_{w<W} ‖x_0^{w+1} − x_K^w‖² / σ_q²,
//	x_k^w = M_θ(x_{k−1}^w),   θ = θ_b + σ_θ ⊙ u.
//
// Window w starts at model step w·K of the observations and assimilates the observation
// times in [w·K, (w+1)·K), the last window also the one at its end. The last term, present
// when Link is positive, is the weak-constraint link between windows: each window's end must
// meet the next one's start up to a model error of standard deviation σ_q (Bocquet et al.,
// 2020), so that the windows make one long trajectory instead of W separate ones. Only the
// observed variables enter J_o (H selects them), each with R = σ_o².
//
// θ and the states are controls of the same cost, and one forward integration of all the
// windows, stacked in one state vector, with one adjoint integration back gives the gradient
// with respect to all of them: ∂J/∂u = u + σ_θ ⊙ Σ_k M_θᵀ λ_k, ∂J/∂x_0^w = λ_0^w + link terms.
//
// The control vector z is (u, x_0^1, …, x_0^W). A Cost is not safe for concurrent use.
type Cost struct {
	// Model steps all W windows at once: its dimension is W·N (see Stack). Its parameters are
	// θ; Cost sets them at each evaluation.
	Model adjoint.Model
	// Obs are the observations; N = Obs.N variables per state.
	Obs *Observations
	// Steps is K, the model steps per window.
	Steps int
	// Windows is W.
	Windows int
	// Link is σ_q, the standard deviation of the model error allowed where one window meets
	// the next; zero means the windows are independent.
	Link float64
	// Prior is θ_b, the prior (first guess) of the parameters, and PriorSigma σ_θ its error
	// standard deviation, one per parameter or one for all: the control is u = (θ − θ_b)/σ_θ.
	Prior      []float64
	PriorSigma []float64
	// Freeze holds the parameters or the states at their values in z: the gradient's part
	// for them is zero, so a minimiser leaves them where they are (assimilation with a
	// model held fixed, or weights fitted to states held fixed, as a Stage may ask).
	Freeze Part

	loop   adjoint.Loop
	theta  []float64
	gtheta []float64
	x0     []float64
	end    []float64 // x_K of every window, kept by the cost terms for the link
	err    error     // of the last FuncGrad: where the integration blew up
}

// Fit minimises c with L-BFGS from the parameters theta and the windows' initial states x0
// (nil means c.FirstGuess) and returns the result; c.Params and States read its point, and
// the model is left with its parameters. Trial points at which the model blows up are steps
// too long (see Cost.FuncGrad). A model that blows up from the start, or a non-finite
// gradient, stops the run with an error wrapping ErrDiverged that says where; the result,
// when there is one, holds the best point reached before it.
func Fit(c *Cost, theta, x0 []float64, s *optimize.Settings) (*optimize.Result, error) {
	if x0 == nil {
		x0 = make([]float64, c.Model.Dim())
		c.FirstGuess(x0)
	}
	z := make([]float64, c.Len())
	c.Control(z, theta, x0)
	if c.FuncGrad(make([]float64, len(z)), z); c.err != nil {
		return nil, fmt.Errorf("%w: the model blows up from the starting point: %w", ErrDiverged, c.err)
	}
	res, err := optimize.Minimize(optimize.Problem{FuncGrad: c.FuncGrad, Func: c.Func}, z, s, &optimize.LBFGS{})
	if res == nil {
		return nil, err
	}
	// The model holds the parameters of the last trial point; leave it at the result's.
	c.Params(c.theta, res.X)
	c.Model.SetParams(c.theta)
	if res.J >= blowUp {
		return res, fmt.Errorf("%w: the minimiser ended where the model blows up", ErrDiverged)
	}
	var div *optimize.DivergenceError
	if errors.As(err, &div) {
		return res, fmt.Errorf("%w: %w", ErrDiverged, err)
	}
	return res, err
}

// States returns the windows' initial states that the control vector z stands for (a slice
// of z).
func (c *Cost) States(z []float64) []float64 { return z[len(c.Prior):] }

// Part names parts of the control vector.
type Part int

// The parts of the control vector, to combine with |.
const (
	Params Part = 1 << iota // the parameters θ (their control u)
	States                  // the windows' initial states
)

// Init checks the settings and sets the cost up. It returns an error wrapping ErrInput that
// names what does not fit: windows longer than the data, a model of the wrong dimension.
func (c *Cost) Init() error {
	if c.Obs == nil || c.Model == nil {
		return fmt.Errorf("%w: a cost needs a model and observations", ErrInput)
	}
	n, np := c.Obs.N, c.Model.NumParams()
	switch {
	case c.Steps < 1:
		return fmt.Errorf("%w: windows of %d steps", ErrInput, c.Steps)
	case c.Windows < 1:
		return fmt.Errorf("%w: %d windows", ErrInput, c.Windows)
	case c.Windows*c.Steps > c.Obs.Steps():
		return fmt.Errorf("%w: %d windows of %d steps need %d steps of data, the observations span %d",
			ErrInput, c.Windows, c.Steps, c.Windows*c.Steps, c.Obs.Steps())
	case c.Model.Dim() != c.Windows*n:
		return fmt.Errorf("%w: a model of dimension %d for %d windows of %d variables", ErrInput, c.Model.Dim(), c.Windows, n)
	case !(c.Link >= 0) || math.IsInf(c.Link, 0):
		return fmt.Errorf("%w: link σ_q = %v, want ≥ 0", ErrInput, c.Link)
	case len(c.Prior) != np:
		return fmt.Errorf("%w: a prior of %d parameters for a model of %d", ErrInput, len(c.Prior), np)
	case len(c.PriorSigma) != 1 && len(c.PriorSigma) != np:
		return fmt.Errorf("%w: %d prior standard deviations for %d parameters", ErrInput, len(c.PriorSigma), np)
	}
	for _, s := range c.PriorSigma {
		if !(s > 0) || math.IsInf(s, 0) {
			return fmt.Errorf("%w: prior σ_θ = %v, want > 0", ErrInput, s)
		}
	}
	for j, y := range c.Obs.Y {
		if len(y) != n {
			return fmt.Errorf("%w: observation time %d (step %d) has %d values for %d variables", ErrInput, j, j*c.Obs.Every, len(y), n)
		}
		for i, v := range y {
			if math.IsInf(v, 0) {
				return fmt.Errorf("%w: observation of variable %d at step %d is %v (NaN marks a missing one)", ErrInput, i, j*c.Obs.Every, v)
			}
		}
	}
	c.loop = adjoint.Loop{Model: c.Model, Tape: true}
	c.theta, c.gtheta = make([]float64, np), make([]float64, np)
	c.end = make([]float64, c.Model.Dim())
	return nil
}

// Len returns the length of the control vector, NumParams + W·N.
func (c *Cost) Len() int { return len(c.Prior) + c.Model.Dim() }

func (c *Cost) sigma(i int) float64 {
	if len(c.PriorSigma) == 1 {
		return c.PriorSigma[0]
	}
	return c.PriorSigma[i]
}

// Params writes into theta the parameters θ = θ_b + σ_θ ⊙ u that z stands for.
func (c *Cost) Params(theta, z []float64) {
	for i := range theta {
		theta[i] = c.Prior[i] + c.sigma(i)*z[i]
	}
}

// Control writes into z the control vector of the parameters theta and the windows' initial
// states x0 (W·N values).
func (c *Cost) Control(z, theta, x0 []float64) {
	for i := range theta {
		z[i] = (theta[i] - c.Prior[i]) / c.sigma(i)
	}
	copy(z[len(theta):], x0)
}

// Func returns J(z) from one forward integration, or blowUp when the model blows up.
func (c *Cost) Func(z []float64) float64 {
	c.set(z)
	jo, err := c.loop.Value(c.x0, c.Steps, (*terms)(c))
	if err != nil {
		return blowUp
	}
	return c.jb(z) + jo + c.link()
}

// FuncGrad returns J(z) and writes ∇J(z) into grad: one forward and one adjoint integration
// of all windows at once. Where the model blows up it returns the cost blowUp with a zero
// gradient, as Func does, and Err says where.
func (c *Cost) FuncGrad(grad, z []float64) float64 {
	c.set(z)
	np := len(c.theta)
	gx := grad[np:]
	gtheta := c.gtheta
	if c.Freeze&Params != 0 {
		gtheta = nil // skips the weights' adjoint, a third of a network's reverse sweep
		clear(c.gtheta)
	}
	jo, err := c.loop.Gradient(gx, gtheta, c.x0, c.Steps, (*terms)(c))
	c.err = err
	if err != nil {
		clear(grad)
		return blowUp
	}
	for i, g := range c.gtheta {
		grad[i] = z[i] + c.sigma(i)*g
	}
	n := c.Obs.N
	if c.Link > 0 {
		// ∂/∂x_0^{w+1} of ½‖x_0^{w+1} − x_K^w‖²/σ_q²; the x_K^w side came through the sweep.
		for i := n; i < len(gx); i++ {
			gx[i] += (c.x0[i] - c.end[i-n]) / (c.Link * c.Link)
		}
	}
	if c.Freeze&Params != 0 {
		clear(grad[:np])
	}
	if c.Freeze&States != 0 {
		clear(gx)
	}
	return c.jb(z) + jo + c.link()
}

func (c *Cost) set(z []float64) {
	np := len(c.theta)
	if len(z) != c.Len() {
		panic(fmt.Sprintf("learn: Cost: control of length %d, want %d", len(z), c.Len()))
	}
	c.Params(c.theta, z)
	c.Model.SetParams(c.theta)
	c.x0 = z[np:]
}

func (c *Cost) jb(z []float64) float64 {
	s := 0.0
	for _, u := range z[:len(c.theta)] {
		s += u * u
	}
	return s / 2
}

// link returns the link term from the window ends kept by the last integration.
func (c *Cost) link() float64 {
	if c.Link == 0 {
		return 0
	}
	n := c.Obs.N
	s := 0.0
	for i := n; i < len(c.x0); i++ {
		d := c.x0[i] - c.end[i-n]
		s += d * d
	}
	return s / (2 * c.Link * c.Link)
}

// terms is the Cost seen as the adjoint.LoopCost of its observation terms (and the window
// ends' side of the link).
type terms Cost

// obs returns the observation that window w assimilates at its step k, or nil.
func (c *terms) obs(w, k int) []float64 {
	if k == c.Steps && w != c.Windows-1 {
		return nil // the next window's step 0
	}
	return c.Obs.At(w*c.Steps + k)
}

func (c *terms) Value(k int, x []float64) float64 {
	n, r := c.Obs.N, 1/(c.Obs.Sigma*c.Obs.Sigma)
	s := 0.0
	for w := range c.Windows {
		y := c.obs(w, k)
		if y == nil {
			continue
		}
		xw := x[w*n : (w+1)*n]
		for i, v := range y {
			if !math.IsNaN(v) {
				d := xw[i] - v
				s += d * d
			}
		}
	}
	if k == c.Steps && c.Link > 0 {
		copy(c.end, x)
	}
	return s * r / 2
}

func (c *terms) AddGradient(dst []float64, k int, x []float64) {
	n, r := c.Obs.N, 1/(c.Obs.Sigma*c.Obs.Sigma)
	for w := range c.Windows {
		y := c.obs(w, k)
		if y == nil {
			continue
		}
		xw, gw := x[w*n:(w+1)*n], dst[w*n:(w+1)*n]
		for i, v := range y {
			if !math.IsNaN(v) {
				gw[i] += (xw[i] - v) * r
			}
		}
	}
	if k == c.Steps && c.Link > 0 {
		q := 1 / (c.Link * c.Link)
		for i := 0; i < len(x)-n; i++ {
			dst[i] += (x[i] - c.x0[i+n]) * q
		}
	}
}

// FirstGuess writes into x0 (W·N values) a first guess of the windows' initial states from
// the observations alone: each variable observed at a window's start takes its observed
// value; each other one the linear interpolation in time between its nearest observations
// before and after (the nearer one alone at the ends of the record); a variable never
// observed takes the mean of its nearest neighbours on the ring (i ± 1, i ± 2, …) so guessed,
// or the mean of all observations when there are none.
func (c *Cost) FirstGuess(x0 []float64) {
	n, o := c.Obs.N, c.Obs
	mean, cnt := 0.0, 0
	for _, y := range o.Y {
		for _, v := range y {
			if !math.IsNaN(v) {
				mean += v
				cnt++
			}
		}
	}
	if cnt > 0 {
		mean /= float64(cnt)
	}
	for w := range c.Windows {
		k := w * c.Steps
		j := k / o.Every // the observation time at or before k
		xw := x0[w*n : (w+1)*n]
		for i := range xw {
			xw[i] = math.NaN()
			before, after := -1, -1
			for b := j; b >= 0; b-- {
				if !math.IsNaN(o.Y[b][i]) {
					before = b
					break
				}
			}
			for a := j + 1; a < len(o.Y); a++ {
				if !math.IsNaN(o.Y[a][i]) {
					after = a
					break
				}
			}
			switch {
			case before == j && k%o.Every == 0:
				xw[i] = o.Y[j][i]
			case before >= 0 && after >= 0:
				t := (float64(k)/float64(o.Every) - float64(before)) / float64(after-before)
				xw[i] = (1-t)*o.Y[before][i] + t*o.Y[after][i]
			case before >= 0:
				xw[i] = o.Y[before][i]
			case after >= 0:
				xw[i] = o.Y[after][i]
			}
		}
		guess := append([]float64(nil), xw...)
		for i := range xw {
			if !math.IsNaN(xw[i]) {
				continue
			}
			xw[i] = mean
			for d := 1; d <= n/2; d++ {
				s, m := 0.0, 0
				for _, v := range []float64{guess[(i+d)%n], guess[(i-d+n)%n]} {
					if !math.IsNaN(v) {
						s += v
						m++
					}
				}
				if m > 0 {
					xw[i] = s / float64(m)
					break
				}
			}
		}
	}
}

// blowUp is the cost reported for a point at which the model blows up. A line search's trial
// point of a nonlinear model can blow up where the start did not: the cost is then finite,
// so that the search takes it as a step too long and backtracks, and far above any cost that
// observations give, so that it is never accepted. Fit checks that the start does not blow
// up, and that the result did not either.
const blowUp = 1e30

// Err returns the error of the last FuncGrad: where the integration blew up, or nil.
func (c *Cost) Err() error { return c.err }

package lorenz

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/adjunto/adjunto/adjoint"
)

// Sentinel errors. Validation errors wrap ErrInvalid and name the offending field; a
// trajectory that blows up returns a *BlowUpError, which matches ErrNonFinite.
var (
	// ErrInvalid is wrapped by every error that reports an invalid model setting.
	ErrInvalid = errors.New("lorenz: invalid model")

	// ErrNonFinite is matched by a *BlowUpError: the state became NaN or ±Inf.
	ErrNonFinite = errors.New("lorenz: state became non-finite")
)

// BlowUpError reports the first step of a trajectory at which the state became non-finite,
// typically forward Euler with too large a time step.
type BlowUpError struct {
	// Step is the number of the first non-finite state x_Step (x_0 is the initial state).
	Step int
	// Index is the first non-finite component of that state.
	Index int
	// Value is that component: NaN, +Inf or −Inf.
	Value float64
}

// Error names the step and the component that became non-finite.
func (e *BlowUpError) Error() string {
	return fmt.Sprintf("lorenz: state became non-finite at step %d (x%d = %v)", e.Step, e.Index, e.Value)
}

// Is makes errors.Is(err, ErrNonFinite) hold for a *BlowUpError.
func (e *BlowUpError) Is(target error) bool { return target == ErrNonFinite }

// Integrator is a fixed-step time-integration scheme. The zero value is RK4, the reference
// scheme.
type Integrator int

const (
	// RK4 is the classical fourth-order Runge–Kutta scheme
	//	x_{k+1} = x_k + dt/6 (k1 + 2 k2 + 2 k3 + k4),
	//	k1 = f(x_k), k2 = f(x_k + dt/2 k1), k3 = f(x_k + dt/2 k2), k4 = f(x_k + dt k3).
	RK4 Integrator = iota
	// Euler is the first-order forward Euler scheme x_{k+1} = x_k + dt f(x_k).
	Euler
)

// String returns "rk4" or "euler".
func (s Integrator) String() string {
	switch s {
	case RK4:
		return "rk4"
	case Euler:
		return "euler"
	}
	return fmt.Sprintf("Integrator(%d)", int(s))
}

// ParseIntegrator returns the integrator named s ("rk4" or "euler", any case).
func ParseIntegrator(s string) (Integrator, error) {
	switch strings.ToLower(s) {
	case "rk4":
		return RK4, nil
	case "euler":
		return Euler, nil
	}
	return 0, fmt.Errorf("%w: unknown integrator %q (want rk4 or euler)", ErrInvalid, s)
}

// Model is the model contract of the engine, adjoint.Model: one step x_{k+1} = M(x_k; p) of a
// time integrator with its TL and AD steps with respect to the state and the parameters.
// *L63, *L96 and *Composed implement it; package fourdvar assimilates into it.
type Model = adjoint.Model

// Integrate advances x in place by steps steps of m. It returns a *BlowUpError naming the
// first step whose state is non-finite, with x left holding that state, and an error
// wrapping ErrInvalid for steps < 0.
func Integrate(m Model, x []float64, steps int) error {
	if steps < 0 {
		return fmt.Errorf("%w: %d steps (must be ≥ 0)", ErrInvalid, steps)
	}
	checkLen("Integrate", m, x)
	if err := checkFinite(x, 0); err != nil {
		return err
	}
	cur, next := x, make([]float64, len(x))
	for k := 1; k <= steps; k++ {
		m.Step(next, cur)
		cur, next = next, cur
		if err := checkFinite(cur, k); err != nil {
			copy(x, cur) // no-op when cur is x
			return err
		}
	}
	copy(x, cur)
	return nil
}

// Trajectory returns the states x_0, x_1, ..., x_steps of m from x0 (which is copied), as
// rows backed by one allocation. When the state becomes non-finite it returns the rows
// computed so far, up to and including the first non-finite one, with a *BlowUpError.
func Trajectory(m Model, x0 []float64, steps int) ([][]float64, error) {
	if steps < 0 {
		return nil, fmt.Errorf("%w: %d steps (must be ≥ 0)", ErrInvalid, steps)
	}
	checkLen("Trajectory", m, x0)
	n := len(x0)
	flat := make([]float64, (steps+1)*n)
	rows := make([][]float64, steps+1)
	for k := range rows {
		rows[k] = flat[k*n : (k+1)*n : (k+1)*n]
	}
	copy(rows[0], x0)
	if err := checkFinite(rows[0], 0); err != nil {
		return rows[:1], err
	}
	for k := 1; k <= steps; k++ {
		m.Step(rows[k], rows[k-1])
		if err := checkFinite(rows[k], k); err != nil {
			return rows[:k+1], err
		}
	}
	return rows, nil
}

func checkLen(op string, m Model, x []float64) {
	if len(x) != m.Dim() {
		panic(fmt.Sprintf("lorenz: %s: state of length %d for a model of dimension %d", op, len(x), m.Dim()))
	}
}

// checkFinite returns a *BlowUpError for the first non-finite component of x, the state at
// step k.
func checkFinite(x []float64, k int) error {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &BlowUpError{Step: k, Index: i, Value: v}
		}
	}
	return nil
}

// validStep reports whether dt is a usable time step.
func validStep(dt float64) bool { return dt > 0 && !math.IsInf(dt, 0) }

func checkCommon(dt float64, s Integrator, params []float64, names []string) error {
	if !validStep(dt) {
		return fmt.Errorf("%w: Dt = %v: the time step must be positive and finite", ErrInvalid, dt)
	}
	if s != RK4 && s != Euler {
		return fmt.Errorf("%w: Integrator = %d: not RK4 or Euler", ErrInvalid, int(s))
	}
	for i, p := range params {
		if math.IsNaN(p) || math.IsInf(p, 0) {
			return fmt.Errorf("%w: %s = %v: must be finite", ErrInvalid, names[i], p)
		}
	}
	return nil
}

package lorenz_test

import (
	"fmt"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/models/lorenz"
)

// The reference run of Lorenz-63: 1000 RK4 steps of 0.01 from (1, 1, 1).
func ExampleIntegrate() {
	m := lorenz.NewL63()
	x := []float64{1, 1, 1}
	if err := lorenz.Integrate(m, x, 1000); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.10f %.10f %.10f\n", x[0], x[1], x[2])
	// Output:
	// -4.9028194837 -3.7434076753 24.6918859880
}

// The gradient of a misfit of the final Lorenz-96 state with respect to x_0 and F, through
// the engine's time-loop driver with binomial checkpointing (5 stored states for 200 steps).
func ExampleL96_gradient() {
	m, _ := lorenz.NewL96(40)
	x0 := make([]float64, 40)
	for i := range x0 {
		x0[i] = 8
	}
	x0[19] = 8.01
	loop := &adjoint.Loop{Model: m, Policy: adjoint.Revolve{Snapshots: 5}}
	gx, gF := make([]float64, 40), make([]float64, 1)
	J, err := loop.Gradient(gx, gF, x0, 200, finalHalfSquare{200})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("J = %.6g, dJ/dF = %.6g, %d forward steps for 200, %d states stored\n",
		J, gF[0], loop.Stats.Forward, loop.Stats.Snapshots)
	// Output:
	// J = 344.462, dJ/dF = -2.85331e+08, 791 forward steps for 200, 5 states stored
}

// finalHalfSquare is J = ½‖x_K‖².
type finalHalfSquare struct{ K int }

func (c finalHalfSquare) Value(k int, x []float64) float64 {
	if k != c.K {
		return 0
	}
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return s / 2
}

func (c finalHalfSquare) AddGradient(dst []float64, k int, x []float64) {
	if k == c.K {
		for i, v := range x {
			dst[i] += v
		}
	}
}

// One RK4 step of dx/dt = −x recorded on a tape, the step every tape-recorded model shares,
// and its derivative by a reverse sweep: both are the degree-4 Taylor polynomial of e^{−h},
// 1 − h + h²/2 − h³/6 + h⁴/24, at h = 0.1.
func ExampleIntegrator_StepOn() {
	tp := adjoint.NewTape()
	x := tp.Vector([]float64{1})
	y := lorenz.RK4.StepOn(adjoint.Neg, 0.1, x)
	tp.VJP(y, []float64{1})
	fmt.Printf("M(1) = %.10f, dM/dx = %.10f\n", y.Data[0], x.Adj[0])
	// Output:
	// M(1) = 0.9048375000, dM/dx = 0.9048375000
}

// The Lorenz-96 tendency of two states at once, one a row, with F = 8: at rest (x = F) it is
// zero; the second state's x_0 raised by 1 changes f_0 by −1, f_1 by x_2 − x_{−1} = 0, f_2 by
// −x_1 = −8 and f_{N−1} by x_{N−2} = 8.
func ExampleL96TendencyOn() {
	const n = 5
	x := make([]float64, 2*n)
	for i := range x {
		x[i] = 8
	}
	x[n] = 9
	tp := adjoint.NewTape()
	f := lorenz.L96TendencyOn(tp.Constant(x, 2, n), tp.Scalar(8))
	fmt.Println(f.Data[:n])
	fmt.Println(f.Data[n:])
	// Output:
	// [0 0 0 0 0]
	// [-1 0 -8 0 8]
}

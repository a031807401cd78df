package optimize_test

import (
	"encoding/json"
	"fmt"
	"log"

	gopt "gonum.org/v1/gonum/optimize"

	"github.com/adjunto/adjunto/optimize"
)

// The Rosenbrock function J = (1-x₀)² + 100(x₁-x₀²)² and its gradient, as an
// adjoint run would return them.
func rosenbrock(grad, x []float64) float64 {
	a, b := 1-x[0], x[1]-x[0]*x[0]
	grad[0] = -2*a - 400*x[0]*b
	grad[1] = 200 * b
	return a*a + 100*b*b
}

func ExampleMinimize() {
	p := optimize.Problem{FuncGrad: rosenbrock}
	res, err := optimize.Minimize(p, []float64{-1.2, 1}, nil, &optimize.LBFGS{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("x = (%.6f, %.6f), status %v\n", res.X[0], res.X[1], res.Status)
	fmt.Printf("%d iterations, %d forward+adjoint runs\n", res.Iterations, res.Evaluations)
	// Output:
	// x = (1.000000, 1.000000), status GradientConverged
	// 35 iterations, 46 forward+adjoint runs
}

func ExampleNewStepper() {
	// A mini-batch loop builds its method from a name and calls Step with
	// each batch's gradient; here a single "batch", the whole function.
	s, err := optimize.NewStepper("adam", 0.01)
	if err != nil {
		log.Fatal(err)
	}
	x := []float64{-1.2, 1}
	grad := make([]float64, 2)
	for range 10000 {
		rosenbrock(grad, x)
		optimize.ClipNorm(grad, 100)
		if err := s.Step(x, grad); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("x = (%.4f, %.4f)\n", x[0], x[1])

	_, err = optimize.NewStepper("adamm", 0.01)
	fmt.Println(err != nil)
	// Output:
	// x = (1.0000, 1.0000)
	// true
}

func ExampleLinearCG() {
	// Solve [[4,1],[1,3]] x = [1,2] given only the product v ↦ Av.
	a := func(dst, v []float64) {
		dst[0] = 4*v[0] + v[1]
		dst[1] = v[0] + 3*v[1]
	}
	x := make([]float64, 2)
	res, err := optimize.LinearCG(x, a, []float64{1, 2}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("x = (%.6f, %.6f) in %d iterations\n", x[0], x[1], res.Iterations)
	fmt.Printf("eigenvalues ≈ %.6f, %.6f\n", res.EigMin, res.EigMax)
	// Output:
	// x = (0.090909, 0.636364) in 2 iterations
	// eigenvalues ≈ 2.381966, 4.618034
}

func ExampleGonum() {
	// Any gonum method plugs in; Nelder-Mead needs no gradient, so with
	// Problem.Func set no adjoint run is made.
	p := optimize.Problem{
		FuncGrad: rosenbrock,
		Func:     func(x []float64) float64 { return rosenbrock(make([]float64, 2), x) },
	}
	res, err := optimize.Minimize(p, []float64{-1.2, 1}, nil, optimize.Gonum{Method: &gopt.NelderMead{}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("x = (%.4f, %.4f), status %v, %d adjoint runs\n", res.X[0], res.X[1], res.Status, res.Gradients)
	// Output:
	// x = (1.0000, 1.0000), status FunctionConverged, 0 adjoint runs
}

// A plateau rule saved after three epochs, as JSON, and restored into a fresh
// rule with the same settings lowers the rate at the epoch the uninterrupted
// rule would: its bad-epoch count survives the interruption.
func ExampleReduceOnPlateau_SetState() {
	losses := []float64{1.0, 0.8, 0.8, 0.8, 0.8}
	p := &optimize.ReduceOnPlateau{Initial: 0.1, Factor: 0.5, Patience: 2}
	for _, l := range losses[:3] {
		p.Observe(l)
	}
	saved, err := json.Marshal(p.State())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("saved: %s\n", saved)

	var st optimize.PlateauState
	if err := json.Unmarshal(saved, &st); err != nil {
		log.Fatal(err)
	}
	q := &optimize.ReduceOnPlateau{Initial: 0.1, Factor: 0.5, Patience: 2}
	if err := q.SetState(st); err != nil {
		log.Fatal(err)
	}
	for i, l := range losses[3:] {
		fmt.Printf("epoch %d: loss %v, next rate %v\n", 4+i, l, q.Observe(l))
	}
	// Output:
	// saved: {"rate":0.1,"best":0.8,"bad_epochs":1,"cooldown":0}
	// epoch 4: loss 0.8, next rate 0.1
	// epoch 5: loss 0.8, next rate 0.05
}

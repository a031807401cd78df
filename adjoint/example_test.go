package adjoint_test

import (
	"fmt"

	"github.com/adjunto/adjunto/adjoint"
)

// The course's worked example: x1 = α x0², J = 1/2 (x1 − y1)². By hand, the adjoint of x1 is
// x̃_1 = x1 − y1, and the adjoint model gives x̃_0 = 2α x0 x̃_1 and α̃ = x0² x̃_1; the
// tangent-linear model gives δJ = x̃_1 (2α x0 δx0 + x0² δα).
func Example_course() {
	const x0v, alphav, y1 = 1.5, 0.8, 1.0

	t := adjoint.NewTape()
	x0 := t.Vector([]float64{x0v})
	alpha := t.Vector([]float64{alphav})
	x1 := adjoint.Mul(alpha, adjoint.Square(x0))
	J := adjoint.Scale(0.5, adjoint.Square(adjoint.Sub(x1, t.Scalar(y1))))

	t.Gradient(J)
	x1adj := x1.Data[0] - y1
	fmt.Printf("x1 = %.4f, J = %.4f, x̃1 = %.4f\n", x1.Data[0], J.Scalar(), x1.Adj[0])
	fmt.Printf("adjoint:  x̃0 = %.4f, α̃ = %.4f\n", x0.Adj[0], alpha.Adj[0])
	fmt.Printf("by hand:  x̃0 = %.4f, α̃ = %.4f\n", 2*alphav*x0v*x1adj, x0v*x0v*x1adj)

	// Tangent-linear: perturb x0 by 1 and α by 0.
	t.JVP([]*adjoint.Value{x0, alpha}, [][]float64{{1}, {0}})
	fmt.Printf("tangent:  δJ = %.4f (by hand %.4f)\n", J.Tan[0], x1adj*2*alphav*x0v)
	// Output:
	// x1 = 1.8000, J = 0.3200, x̃1 = 0.8000
	// adjoint:  x̃0 = 1.9200, α̃ = 1.8000
	// by hand:  x̃0 = 1.9200, α̃ = 1.8000
	// tangent:  δJ = 1.9200 (by hand 1.9200)
}

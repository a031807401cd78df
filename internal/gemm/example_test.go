package gemm_test

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/adjunto/adjunto/internal/gemm"
)

// Installed behind blas64, the kernel serves gonum's mat as well: here C = X·Wᵀ, a layer's
// forward product, with X 2×3 and W 2×3.
func ExampleImplementation() {
	blas64.Use(gemm.Implementation{})
	x := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	w := mat.NewDense(2, 3, []float64{1, 0, -1, 0.5, 0.5, 0.5})
	var c mat.Dense
	c.Mul(x, w.T())
	fmt.Println(mat.Formatted(&c))

	// Or called directly, with BLAS's alpha and beta: C = 2·X·Wᵀ + C.
	gemm.Implementation{}.Dgemm(blas.NoTrans, blas.Trans, 2, 2, 3, 2, x.RawMatrix().Data, 3, w.RawMatrix().Data, 3, 1, c.RawMatrix().Data, 2)
	fmt.Println(mat.Formatted(&c))
	// Output:
	// ⎡ -2    3⎤
	// ⎣ -2  7.5⎦
	// ⎡  -6     9⎤
	// ⎣  -6  22.5⎦
}

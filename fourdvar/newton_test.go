package fourdvar_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/models/lorenz"
	"github.com/adjunto/adjunto/optimize"
)

// TestStrongHessVec checks that HessVec is GaussNewtonVec about its own point: at the last
// evaluation it reuses the linearisation, elsewhere it relinearises first, and either way
// it gives what a fresh cost linearised there gives, to the last bit.
func TestStrongHessVec(t *testing.T) {
	w := benchWindow(t, 8, fourdvar.NewGaussianCircle(40, 0.3, 1))
	rng := rand.New(rand.NewPCG(7, 8))
	z, y, u := make([]float64, 40), make([]float64, 40), make([]float64, 40)
	for i := range z {
		z[i], y[i], u[i] = rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
	}
	want := func(at []float64) []float64 {
		c := fourdvar.NewStrong(w)
		c.Linearize(at)
		dst := make([]float64, 40)
		c.GaussNewtonVec(dst, u, make([]float64, c.NumObs()))
		return dst
	}
	c := fourdvar.NewStrong(w)
	got := make([]float64, 40)
	grad := make([]float64, 40)
	c.FuncGrad(grad, y) // linearised about y, then asked about z
	for _, at := range [][]float64{z, z, y} {
		c.HessVec(got, at, u)
		w := want(at)
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(w[i]) {
				t.Fatalf("HessVec component %d: %v, GaussNewtonVec about the same point %v", i, got[i], w[i])
			}
		}
	}
}

// TestTwinNewton runs the default twin (Lorenz-96, N=40, 8-step windows, every variable
// observed every step, σ_o = 1, Gaussian B with σ_b = 0.3, L = 1) with Newton's method,
// which minimises with Gauss-Newton Hessians: every analysis must converge to the gradient
// tolerance in a handful of iterations, and the analyses must match L-BFGS's to the
// tolerance of the minimisation (both stop at ‖∇J‖ ≤ 10⁻⁶ ‖∇J_b‖).
func TestTwinNewton(t *testing.T) {
	cycles := 30
	if testing.Short() {
		cycles = 8
	}
	run := func(m optimize.Method) *fourdvar.Result {
		l96, err := lorenz.NewL96(40)
		if err != nil {
			t.Fatal(err)
		}
		tw := &fourdvar.Twin{Model: l96, B: fourdvar.NewGaussianCircle(40, 0.3, 1), Cycles: cycles, Seed: 1,
			Minimizer: fourdvar.Minimizer{Method: m}}
		res, err := tw.Run()
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	newton, lbfgs := run(&optimize.Newton{}), run(nil)
	for i, c := range newton.Cycles {
		if c.Status != optimize.GradientConverged.String() || c.Iterations > 12 {
			t.Errorf("cycle %d: %s after %d Newton iterations", i, c.Status, c.Iterations)
		}
		// The analyses agree to the size of the step that the gradient tolerance leaves:
		// ‖δz‖ ≲ ‖∇J‖/λ_min ≤ 10⁻⁶·‖∇J_b‖ with λ_min ≥ 1 in the control variable.
		if d := math.Abs(c.RMSEAnalysis - lbfgs.Cycles[i].RMSEAnalysis); d > 1e-4 {
			t.Errorf("cycle %d: RMSE %v with Newton, %v with L-BFGS", i, c.RMSEAnalysis, lbfgs.Cycles[i].RMSEAnalysis)
		}
	}
}

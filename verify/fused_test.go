package verify_test

import (
	"math"
	"testing"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/models/lorenz"
	"github.com/adjunto/adjunto/verify"
)

// cube is a test-only fused primitive y = x³ elementwise with hand-written rules, and switches
// that plant a sign error in its tangent or its adjoint rule.
type cube struct{ badTangent, badAdjoint bool }

func (cube) Name() string { return "Cube" }

func (cube) Forward(out *adjoint.Value, in []*adjoint.Value) {
	for i, v := range in[0].Data {
		out.Data[i] = v * v * v
	}
}

func (p cube) Tangent(out *adjoint.Value, in []*adjoint.Value) {
	sign := 1.0
	if p.badTangent {
		sign = -1
	}
	for i, v := range in[0].Data {
		out.Tan[i] = sign * 3 * v * v * in[0].Tan[i]
	}
}

func (p cube) Adjoint(out *adjoint.Value, in []*adjoint.Value) {
	sign := 1.0
	if p.badAdjoint {
		sign = -1
	}
	for i, v := range in[0].Data {
		in[0].Adj[i] += sign * 3 * v * v * out.Adj[i]
	}
}

func cubeProgram(p cube) func(t *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
	return func(t *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
		x := xs[0]
		return t.Apply(p, x.Rows(), x.Cols(), x)
	}
}

var cubePoint = []verify.Input{{Data: []float64{0.7, -1.3, 2.1, -0.4, 1.1, 0.9}, Rows: 2, Cols: 3}}

// TestWrongAdjointFails is the proof that the checks can fail. A sign error in the adjoint
// rule of a fused primitive must fail every check that involves the adjoint (dot-product,
// gradient test, finite differences) while the Taylor test, which checks the tangent rule
// only, still passes; a sign error in the tangent rule must fail the dot-product and Taylor
// tests while the gradient checks pass; and a sign error in both rules, each the exact
// transpose of the other, passes the dot-product test and fails all the others, which is why
// the dot-product test alone is not enough.
func TestWrongAdjointFails(t *testing.T) {
	for _, tc := range []struct {
		name string
		prim cube
		pass map[verify.Check]bool
	}{
		{"correct", cube{}, map[verify.Check]bool{
			verify.CheckDotProduct: true, verify.CheckTaylor: true, verify.CheckGradient: true, verify.CheckFiniteDifference: true}},
		{"adjoint-sign-error", cube{badAdjoint: true}, map[verify.Check]bool{
			verify.CheckDotProduct: false, verify.CheckTaylor: true, verify.CheckGradient: false, verify.CheckFiniteDifference: false}},
		{"tangent-sign-error", cube{badTangent: true}, map[verify.Check]bool{
			verify.CheckDotProduct: false, verify.CheckTaylor: false, verify.CheckGradient: true, verify.CheckFiniteDifference: true}},
		{"both-sign-errors", cube{badTangent: true, badAdjoint: true}, map[verify.Check]bool{
			verify.CheckDotProduct: true, verify.CheckTaylor: false, verify.CheckGradient: false, verify.CheckFiniteDifference: false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := uint64(0); seed < 5; seed++ {
				reports := verify.Tape("Cube/"+tc.name, cubeProgram(tc.prim), cubePoint, verify.Settings{Seed: seed})
				if len(reports) != 4 {
					t.Fatalf("%d reports, want 4", len(reports))
				}
				for _, r := range reports {
					if r.Pass != tc.pass[r.Test] {
						t.Errorf("seed %d: %v, want pass=%t", seed, r, tc.pass[r.Test])
					}
					// A failure must be unmistakable, not a near miss: a sign error is O(1).
					if !r.Pass && !(r.Value > 0.1) {
						t.Errorf("seed %d: %v fails by too little for a sign error", seed, r)
					}
				}
			}
		})
	}
}

// l96 is a fused Lorenz-96 tendency dx_i/dt = (x_{i+1} − x_{i−2}) x_{i−1} − x_i + F with
// hand-written rules, the kind of primitive an operational adjoint model is made of; it takes
// the state and the forcing F (1×1) as inputs.
type l96 struct{}

func (l96) Name() string { return "L96Tendency" }

func (l96) Forward(out *adjoint.Value, in []*adjoint.Value) {
	x, f, n := in[0].Data, in[1].Data[0], len(in[0].Data)
	for i := range x {
		out.Data[i] = (x[(i+1)%n]-x[(i+n-2)%n])*x[(i+n-1)%n] - x[i] + f
	}
}

func (l96) Tangent(out *adjoint.Value, in []*adjoint.Value) {
	x, n := in[0].Data, len(in[0].Data)
	dx, df := in[0].Tan, 0.0
	if in[1].Tan != nil {
		df = in[1].Tan[0]
	}
	for i := range x {
		ip, im1, im2 := (i+1)%n, (i+n-1)%n, (i+n-2)%n
		d := df
		if dx != nil {
			d += (dx[ip]-dx[im2])*x[im1] + (x[ip]-x[im2])*dx[im1] - dx[i]
		}
		out.Tan[i] = d
	}
}

func (l96) Adjoint(out *adjoint.Value, in []*adjoint.Value) {
	x, n, ay := in[0].Data, len(in[0].Data), out.Adj
	if ax := in[0].Adj; ax != nil {
		for i, g := range ay {
			ip, im1, im2 := (i+1)%n, (i+n-1)%n, (i+n-2)%n
			ax[ip] += g * x[im1]
			ax[im2] -= g * x[im1]
			ax[im1] += g * (x[ip] - x[im2])
			ax[i] -= g
		}
	}
	if af := in[1].Adj; af != nil {
		for _, g := range ay {
			af[0] += g
		}
	}
}

// TestFusedPrimitive checks a correct user-defined primitive recorded with Tape.Apply, in a
// program with a built-in primitive after it, with all four checks, and cross-checks it with
// the composed version: values, tangents and adjoints must agree to round-off (1e-13
// relative, a few ulps per term of the tendency).
func TestFusedPrimitive(t *testing.T) {
	point := []verify.Input{
		{Data: []float64{1.2, -0.3, 2.5, 0.8, -1.7, 3.1, 0.4, -2.2}},
		{Data: []float64{8}, Rows: 1, Cols: 1},
	}
	fused := func(t *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
		return adjoint.Tanh(adjoint.Scale(0.1, t.Apply(l96{}, 1, xs[0].Len(), xs[0], xs[1])))
	}
	composed := func(_ *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
		return adjoint.Tanh(adjoint.Scale(0.1, lorenz.L96TendencyOn(xs[0], xs[1])))
	}
	for _, r := range verify.Tape("L96/fused", fused, point, verify.Settings{Seed: 3}) {
		if !r.Pass {
			t.Errorf("%v", r)
		}
	}
	// Forcing passive: the rules must cope with a nil tangent and adjoint on the constant.
	passive := func(t *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value {
		return t.Apply(l96{}, 1, xs[0].Len(), xs[0], t.Scalar(8))
	}
	for _, r := range verify.Tape("L96/fused-constant-F", passive, point[:1], verify.Settings{Seed: 4}) {
		if !r.Pass {
			t.Errorf("%v", r)
		}
	}

	ff, x := verify.NewTapeFunc(fused, point)
	fc, _ := verify.NewTapeFunc(composed, point)
	n, m := ff.N, ff.M
	yf, yc := make([]float64, m), make([]float64, m)
	ff.F(yf, x)
	fc.F(yc, x)
	assertClose(t, "values", yf, yc, 1e-13)

	dx := make([]float64, n)
	for i := range dx {
		dx[i] = math.Sin(float64(i) + 0.5)
	}
	ff.Tangent(yf, dx)
	fc.Tangent(yc, dx)
	assertClose(t, "tangents", yf, yc, 1e-13)

	ay := make([]float64, m)
	for i := range ay {
		ay[i] = math.Cos(float64(3*i) + 0.2)
	}
	af, ac := make([]float64, n), make([]float64, n)
	ff.Adjoint(af, ay)
	fc.Adjoint(ac, ay)
	assertClose(t, "adjoints", af, ac, 1e-13)
}

func assertClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol*max(1, math.Abs(want[i])) {
			t.Errorf("%s[%d]: fused %.17g, composed %.17g", what, i, got[i], want[i])
		}
	}
}

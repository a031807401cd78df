package verify_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/adjunto/adjunto/verify"
)

// A non-symmetric 3×2 matrix: L δx = A δx, Lᵀ ỹ = Aᵀ ỹ.
var matA = [3][2]float64{{1, 2}, {-3, 0.5}, {4, -1}}

func matTangent(dy, dx []float64) {
	for i := range 3 {
		dy[i] = matA[i][0]*dx[0] + matA[i][1]*dx[1]
	}
}

// matAdjointAcc accumulates, as adjoint rules do; DotProduct zeroes ax first.
func matAdjointAcc(ax, ay []float64) {
	for i := range 3 {
		ax[0] += matA[i][0] * ay[i]
		ax[1] += matA[i][1] * ay[i]
	}
}

// matAdjointWrong applies A's upper 2×2 block without transposing it and ignores a row: the
// classic index slip of a hand-written adjoint.
func matAdjointWrong(ax, ay []float64) {
	ax[0] = matA[0][0]*ay[0] + matA[0][1]*ay[1]
	ax[1] = matA[1][0]*ay[0] + matA[1][1]*ay[1]
}

func TestDotProduct(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 1))
	good := verify.DotProduct("A", 2, 3, matTangent, matAdjointAcc, rnd, 0)
	if !good.Pass || good.Value > 1e-15 || good.Tolerance != verify.DefaultDotProductTol || good.Test != verify.CheckDotProduct {
		t.Errorf("correct adjoint: %v", good)
	}
	bad := verify.DotProduct("A", 2, 3, matTangent, matAdjointWrong, rnd, 0)
	if bad.Pass || bad.Value < 0.01 {
		t.Errorf("wrong adjoint: %v", bad)
	}
	// A nil generator means a fixed seed: the same report twice.
	r1 := verify.DotProduct("A", 2, 3, matTangent, matAdjointWrong, nil, 1e-3)
	r2 := verify.DotProduct("A", 2, 3, matTangent, matAdjointWrong, nil, 1e-3)
	if r1.Value != r2.Value || r1.Tolerance != 1e-3 {
		t.Errorf("nil generator: %v then %v", r1, r2)
	}
	nan := verify.DotProduct("nan", 2, 3, matTangent, func(ax, _ []float64) { ax[0] = math.NaN() }, nil, 0)
	if nan.Pass || !math.IsNaN(nan.Value) {
		t.Errorf("NaN adjoint: %v", nan)
	}
}

// sinSum is M(x) = (sin x_0 · x_1, x_0² + x_1²) and its TL model.
func sinMap(y, x []float64) {
	y[0] = math.Sin(x[0]) * x[1]
	y[1] = x[0]*x[0] + x[1]*x[1]
}

func sinTangent(x []float64, sign float64) func(dy, dx []float64) {
	return func(dy, dx []float64) {
		dy[0] = sign * (math.Cos(x[0])*x[1]*dx[0] + math.Sin(x[0])*dx[1])
		dy[1] = 2*x[0]*dx[0] + 2*x[1]*dx[1]
	}
}

func TestTaylor(t *testing.T) {
	x, dx := []float64{0.4, 1.3}, []float64{0.6, -0.8}
	good := verify.Taylor("sin", 2, sinMap, sinTangent(x, 1), x, dx, 0)
	if !good.Pass || good.Test != verify.CheckTaylor {
		t.Errorf("correct TL: %v", good)
	}
	if len(good.Table) != 8 || good.Table[0].Alpha != 0.1 || good.Table[7].Alpha != 1e-8 {
		t.Fatalf("table %+v, want α = 1e-1 … 1e-8", good.Table)
	}
	// First-order convergence while truncation dominates: each decade of α divides the
	// residual by about 10 (between 5 and 20 allows for the curvature's own variation).
	for i := 1; i < 4; i++ {
		q := good.Table[i-1].Error / good.Table[i].Error
		if q < 5 || q > 20 {
			t.Errorf("residual ratio %g between α = %g and %g, want ≈ 10", q, good.Table[i-1].Alpha, good.Table[i].Alpha)
		}
	}
	best := math.Inf(1)
	for _, r := range good.Table {
		best = min(best, r.Error)
		if math.Abs(r.Ratio-1) > r.Error*(1+1e-12) {
			t.Errorf("α = %g: |ratio − 1| = %g exceeds the residual %g", r.Alpha, math.Abs(r.Ratio-1), r.Error)
		}
	}
	if good.Value != best {
		t.Errorf("value %g, want the best residual %g", good.Value, best)
	}
	// A sign error in one component preserves nothing the ratio of norms could see in the
	// other, but the residual sees it.
	bad := verify.Taylor("sin", 2, sinMap, sinTangent(x, -1), x, dx, 0)
	if bad.Pass || bad.Value < 0.1 {
		t.Errorf("wrong TL: %v", bad)
	}
	if x[0] != 0.4 || dx[0] != 0.6 {
		t.Error("Taylor modified its arguments")
	}
}

// TestTaylorSeesNormPreservingError guards the choice of the residual over the course's norm
// ratio as the Taylor test's value: a TL model with a global sign error has exactly the right
// norm, so its ratio r(α) tends to 1, yet it must fail.
func TestTaylorSeesNormPreservingError(t *testing.T) {
	f := func(y, x []float64) { y[0], y[1] = math.Exp(x[0]), x[0]*x[1] }
	x := []float64{0.3, -0.7}
	jvp := func(dy, dx []float64) {
		dy[0] = -math.Exp(x[0]) * dx[0]
		dy[1] = -(x[1]*dx[0] + x[0]*dx[1])
	}
	r := verify.Taylor("neg", 2, f, jvp, x, []float64{1, 0.5}, 0)
	if r.Pass {
		t.Errorf("%v passed", r)
	}
	if last := r.Table[len(r.Table)-1]; math.Abs(last.Ratio-1) > 1e-6 {
		t.Errorf("the norm ratio at α = 1e-8 is %g; this test assumes it is ≈ 1", last.Ratio)
	}
}

func rosenbrock(x []float64) float64 {
	return 100*math.Pow(x[1]-x[0]*x[0], 2) + math.Pow(1-x[0], 2)
}

func rosenbrockGrad(x []float64) []float64 {
	return []float64{-400*x[0]*(x[1]-x[0]*x[0]) - 2*(1-x[0]), 200 * (x[1] - x[0]*x[0])}
}

func TestGradientTestAndFiniteDifference(t *testing.T) {
	x, h := []float64{-1.2, 1}, []float64{0.3, 0.7}
	g := rosenbrockGrad(x)
	for _, tc := range []struct {
		name string
		grad []float64
		pass bool
	}{
		{"correct", g, true},
		{"sign", []float64{-g[0], -g[1]}, false},
		{"one-component", []float64{g[0], 0.9 * g[1]}, false},
		{"zero", []float64{0, 0}, false},
	} {
		gt := verify.GradientTest("rosenbrock/"+tc.name, rosenbrock, tc.grad, x, h, 0)
		fd := verify.FiniteDifference("rosenbrock/"+tc.name, rosenbrock, tc.grad, x, 0)
		if gt.Pass != tc.pass || fd.Pass != tc.pass {
			t.Errorf("%s: %v; %v; want pass=%t", tc.name, gt, fd, tc.pass)
		}
		if gt.Test != verify.CheckGradient || fd.Test != verify.CheckFiniteDifference || len(gt.Table) != 8 || fd.Table != nil {
			t.Errorf("%s: malformed reports %+v, %+v", tc.name, gt, fd)
		}
		if gt.Tolerance != verify.DefaultGradientTol || fd.Tolerance != verify.DefaultFiniteDifferenceTol {
			t.Errorf("%s: tolerances %g, %g are not the defaults", tc.name, gt.Tolerance, fd.Tolerance)
		}
	}
	// A sign error drives ρ to −1.
	sign := verify.GradientTest("sign", rosenbrock, []float64{-g[0], -g[1]}, x, h, 0)
	if last := sign.Table[7].Ratio; math.Abs(last+1) > 1e-6 {
		t.Errorf("sign error: ρ(1e-8) = %g, want −1", last)
	}
	// An explicit tolerance is used as given.
	if r := verify.FiniteDifference("loose", rosenbrock, []float64{g[0], 0.9 * g[1]}, x, 0.5); !r.Pass || r.Tolerance != 0.5 {
		t.Errorf("explicit tolerance: %v", r)
	}
}

// TestDegenerateZeroDerivative guards the 0/0 convention: a constant function with a zero
// gradient passes (no change predicted, none occurs), a claimed zero gradient of a function
// that changes fails, and a NaN never passes.
func TestDegenerateZeroDerivative(t *testing.T) {
	x, h := []float64{0.5, -0.5}, []float64{1, 1}
	constant := func([]float64) float64 { return 3 }
	for _, r := range []verify.Report{
		verify.GradientTest("const", constant, []float64{0, 0}, x, h, 0),
		verify.FiniteDifference("const", constant, []float64{0, 0}, x, 0),
	} {
		if !r.Pass || r.Value != 0 {
			t.Errorf("%v", r)
		}
	}
	linear := func(x []float64) float64 { return x[0] - 2*x[1] }
	if r := verify.GradientTest("linear", linear, []float64{0, 0}, x, h, 0); r.Pass || !math.IsInf(r.Value, 1) {
		t.Errorf("zero gradient of a changing function: %v", r)
	}
	if r := verify.GradientTest("const", constant, []float64{1, 0}, x, h, 0); r.Pass {
		t.Errorf("non-zero gradient of a constant: %v", r)
	}
	nan := func([]float64) float64 { return math.NaN() }
	for _, r := range []verify.Report{
		verify.GradientTest("nan", nan, []float64{1, 0}, x, h, 0),
		verify.FiniteDifference("nan", nan, []float64{1, 0}, x, 0),
		verify.Taylor("nan", 1, func(y, _ []float64) { y[0] = math.NaN() }, func(dy, dx []float64) { dy[0] = dx[0] }, x, h, 0),
	} {
		if r.Pass || !math.IsNaN(r.Value) {
			t.Errorf("NaN: %v", r)
		}
	}
}

// TestAllIsDeterministic checks the seeding rule: the same seed gives bit-identical reports,
// another seed other random vectors.
func TestAllIsDeterministic(t *testing.T) {
	fn := verify.Func{N: 2, M: 2, F: sinMap, Tangent: sinTangent([]float64{0.4, 1.3}, 1), Adjoint: func(ax, ay []float64) {
		x := []float64{0.4, 1.3}
		ax[0] = math.Cos(x[0])*x[1]*ay[0] + 2*x[0]*ay[1]
		ax[1] = math.Sin(x[0])*ay[0] + 2*x[1]*ay[1]
	}}
	x := []float64{0.4, 1.3}
	a := verify.All("sin", fn, x, verify.Settings{Seed: 7})
	b := verify.All("sin", fn, x, verify.Settings{Seed: 7})
	c := verify.All("sin", fn, x, verify.Settings{Seed: 8})
	if !reflect.DeepEqual(a, b) {
		t.Errorf("same seed, different reports:\n%v\n%v", a, b)
	}
	if reflect.DeepEqual(a, c) {
		t.Error("seeds 7 and 8 gave identical reports")
	}
	if !verify.AllPass(a) || len(verify.Failed(a)) != 0 {
		t.Errorf("correct map failed: %v", verify.Failed(a))
	}
	strict := verify.All("sin", fn, x, verify.Settings{Tolerances: verify.Tolerances{Taylor: 1e-300}})
	if f := verify.Failed(strict); len(f) != 1 || f[0].Test != verify.CheckTaylor || f[0].Tolerance != 1e-300 {
		t.Errorf("an impossible Taylor tolerance should fail exactly the Taylor test: %v", f)
	}
}

func TestWriteTable(t *testing.T) {
	reports := []verify.Report{
		{Name: "Add", Test: verify.CheckDotProduct, Value: 1e-17, Tolerance: 1e-12, Pass: true},
		{Name: "Concat/matrices", Test: verify.CheckFiniteDifference, Value: 0.5, Tolerance: 1e-7},
	}
	var buf bytes.Buffer
	if err := verify.WriteTable(&buf, reports); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want a header and 2 rows:\n%s", len(lines), buf.String())
	}
	// Aligned: every column starts at the same offset on every line.
	for _, col := range []string{"test", "value", "tolerance", "pass"} {
		off := strings.Index(lines[0], col)
		for _, l := range lines[1:] {
			if off <= 0 || off >= len(l) || l[off-1] != ' ' || l[off] == ' ' {
				t.Errorf("column %q at %d is not aligned in %q", col, off, l)
			}
		}
	}
	if !strings.HasSuffix(lines[1], "ok") || !strings.HasSuffix(lines[2], "FAIL") {
		t.Errorf("verdicts wrong:\n%s", buf.String())
	}
}

// TestJSONLines checks the machine-readable output: one object per report with the fields the
// issue names, non-finite values encoded rather than refused, and a lossless round trip.
func TestJSONLines(t *testing.T) {
	reports := []verify.Report{
		{Name: "Log", Test: verify.CheckDotProduct, Value: 2.5e-16, Tolerance: 1e-12, Pass: true},
		{Name: "bad", Test: verify.CheckTaylor, Value: math.NaN(), Tolerance: 1e-6,
			Table: []verify.Row{{Alpha: 0.1, Ratio: math.Inf(1), Error: math.Inf(1)}, {Alpha: 0.01, Ratio: 0.5, Error: 0.5}}},
	}
	var buf bytes.Buffer
	if err := verify.WriteJSON(&buf, reports); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), buf.String())
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"name", "test", "value", "tolerance", "pass"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("field %q missing in %s", k, lines[0])
		}
	}
	if _, ok := raw["table"]; ok {
		t.Errorf("a report without a table has a table field: %s", lines[0])
	}
	for i, l := range lines {
		var got verify.Report
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		want := reports[i]
		if got.Name != want.Name || got.Test != want.Test || got.Pass != want.Pass || got.Tolerance != want.Tolerance ||
			!(got.Value == want.Value || math.IsNaN(got.Value) && math.IsNaN(want.Value)) || !reflect.DeepEqual(got.Table, want.Table) {
			t.Errorf("line %d: round trip gave %+v, want %+v", i+1, got, want)
		}
	}
}

func TestWriteConvergence(t *testing.T) {
	r := verify.GradientTest("rosenbrock", rosenbrock, rosenbrockGrad([]float64{1, 2}), []float64{1, 2}, []float64{1, 0}, 0)
	var buf bytes.Buffer
	if err := verify.WriteConvergence(&buf, r); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != 10 {
		t.Errorf("%d lines, want a title, a header and 8 rows:\n%s", n, buf.String())
	}
	buf.Reset()
	if err := verify.WriteConvergence(&buf, verify.Report{Name: "dot"}); err != nil || buf.Len() != 0 {
		t.Errorf("a report without a table wrote %q", buf.String())
	}
}

func TestCost(t *testing.T) {
	x := []float64{-1.2, 1}
	good := func(g, x []float64) { copy(g, rosenbrockGrad(x)) }
	bad := func(g, x []float64) { copy(g, rosenbrockGrad(x)); g[1] *= 1.01 }
	r := verify.Cost("rosenbrock", rosenbrock, good, x, verify.Settings{})
	if len(r) != 2 || r[0].Test != verify.CheckGradient || r[1].Test != verify.CheckFiniteDifference || !verify.AllPass(r) {
		t.Errorf("correct gradient: %v", r)
	}
	for _, rep := range verify.Cost("rosenbrock", rosenbrock, bad, x, verify.Settings{}) {
		if rep.Pass {
			t.Errorf("gradient off by 1%% in one component: %v", rep)
		}
	}
}

package verify_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/verify"
)

// TestPrimitives runs the four checks on every case of the primitive suite at points from a
// few fixed seeds, with the tolerances: dot-product ≤ 1e-12, Taylor within 1e-6 of 1 at
// the best α, gradient test likewise, finite differences ≤ 1e-7 relative (the zero-value
// Tolerances). Over 1000 seeds the worst values were 4.5e-16, 2.5e-7, 2.6e-7 and 3.3e-10.
func TestPrimitives(t *testing.T) {
	want := []verify.Check{verify.CheckDotProduct, verify.CheckTaylor, verify.CheckGradient, verify.CheckFiniteDifference}
	for _, c := range verify.PrimitiveCases() {
		t.Run(c.Name, func(t *testing.T) {
			for seed := uint64(0); seed < 5; seed++ {
				reports := c.Run(verify.Settings{Seed: seed})
				if len(reports) != len(want) {
					t.Fatalf("seed %d: %d reports, want %d", seed, len(reports), len(want))
				}
				for i, r := range reports {
					if r.Test != want[i] || r.Name != c.Name {
						t.Errorf("seed %d: report %d is %s %s, want %s %s", seed, i, r.Name, r.Test, c.Name, want[i])
					}
					if !r.Pass {
						t.Errorf("seed %d: %v", seed, r)
					}
				}
			}
		})
	}
}

// TestEveryPrimitiveHasACase guards the suite against a primitive added to package adjoint
// without a verification case: every exported function of adjoint that returns a *Value is a
// primitive constructor and must be the Primitive of at least one case.
func TestEveryPrimitiveHasACase(t *testing.T) {
	constructors := adjointConstructors(t)
	if len(constructors) < 30 {
		t.Fatalf("found only %d constructors in package adjoint: %v; is the parser looking in the right place?", len(constructors), constructors)
	}
	covered := map[string]bool{}
	for _, c := range verify.PrimitiveCases() {
		if !slices.Contains(constructors, c.Primitive) {
			t.Errorf("case %q names %q, which is not an exported constructor of package adjoint", c.Name, c.Primitive)
		}
		covered[c.Primitive] = true
	}
	for _, name := range constructors {
		if !covered[name] {
			t.Errorf("adjoint.%s has no case in verify.PrimitiveCases", name)
		}
	}
}

// adjointConstructors parses the non-test sources of package adjoint and returns the names of
// its exported functions (not methods) whose only result is *Value.
func adjointConstructors(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join("..", "adjoint", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sources of package adjoint found from %s: %v", "..", err)
	}
	var names []string
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || !fd.Name.IsExported() || fd.Type.Results == nil || len(fd.Type.Results.List) != 1 {
				continue
			}
			star, ok := fd.Type.Results.List[0].Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			if id, isIdent := star.X.(*ast.Ident); isIdent && id.Name == "Value" {
				names = append(names, fd.Name.Name)
			}
		}
	}
	slices.Sort(names)
	return names
}

// TestCaseLabelsAreHonest checks that each case's program ends in the primitive it claims to
// exercise, so that the coverage test above cannot be satisfied by a mislabelled case.
func TestCaseLabelsAreHonest(t *testing.T) {
	for _, c := range verify.PrimitiveCases() {
		tape := adjoint.NewTape()
		var xs []*adjoint.Value
		for _, s := range c.Inputs {
			xs = append(xs, tape.Variable(make([]float64, s.Rows*s.Cols), s.Rows, s.Cols))
		}
		for _, x := range xs {
			for i := range x.Data {
				x.Data[i] = 1
			}
		}
		out := c.Build(tape, xs)
		if out.Primitive() == nil || out.Primitive().Name() != c.Primitive {
			t.Errorf("case %q: program ends in %v, want %s", c.Name, out.Primitive(), c.Primitive)
		}
		if !out.Active() {
			t.Errorf("case %q: output does not depend on the variables", c.Name)
		}
	}
}

// TestCasePointsRespectDomains checks that points are drawn where each primitive is smooth:
// a kink or a pole within the largest step of the tests (0.1 per coordinate) would make a
// correct primitive fail.
func TestCasePointsRespectDomains(t *testing.T) {
	for _, d := range []verify.Domain{verify.Positive, verify.AwayFromZero} {
		c := verify.Case{Name: "domain", Inputs: []verify.Shape{{Rows: 10, Cols: 10, Domain: d}}}
		rnd := rand.New(rand.NewPCG(1, uint64(d)))
		neg := 0
		for range 20 {
			for _, v := range c.Point(rnd)[0].Data {
				if math.Abs(v) < 0.5 || (d == verify.Positive && v <= 0) {
					t.Fatalf("domain %d: drew %g", d, v)
				}
				if v < 0 {
					neg++
				}
			}
		}
		if d == verify.AwayFromZero && (neg < 500 || neg > 1500) {
			t.Errorf("AwayFromZero drew %d negative values of 2000: both sides of the kink must be covered", neg)
		}
	}
}

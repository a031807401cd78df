package adjoint_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/verify"
)

func TestParsePolicy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want adjoint.Policy
	}{
		{"all", adjoint.StoreAll{}},
		{" ALL ", adjoint.StoreAll{}},
		{"every", adjoint.StoreEvery{}},
		{"every:7", adjoint.StoreEvery{K: 7}},
		{"revolve", adjoint.Revolve{}},
		{"revolve:12", adjoint.Revolve{Snapshots: 12}},
	} {
		got, err := adjoint.ParsePolicy(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParsePolicy(%q) = %#v, %v; want %#v", tc.in, got, err, tc.want)
		}
		// String gives back a form ParsePolicy reads as the same policy.
		if again, err := adjoint.ParsePolicy(got.(interface{ String() string }).String()); err != nil || again != got {
			t.Errorf("ParsePolicy(%v.String()) = %#v, %v", got, again, err)
		}
	}
	for _, bad := range []string{"", "none", "all:3", "every:0", "every:-2", "revolve:x", "revolve:", "every:2.5"} {
		if p, err := adjoint.ParsePolicy(bad); !errors.Is(err, adjoint.ErrPolicy) {
			t.Errorf("ParsePolicy(%q) = %#v, %v; want an error wrapping ErrPolicy", bad, p, err)
		}
	}
}

// forcing adds eta[k] to x_k and keeps the adjoints it receives: the gradient with respect
// to each η_k.
type forcing struct {
	eta, adj [][]float64
}

func (f *forcing) Add(k int, x []float64) {
	for i, e := range f.eta[k] {
		x[i] += e
	}
}

func (f *forcing) Adjoint(k int, ax []float64) { copy(f.adj[k], ax) }

func newForcing(n, steps int, rnd *rand.Rand) *forcing {
	f := &forcing{eta: make([][]float64, steps+1), adj: make([][]float64, steps+1)}
	for k := range f.eta {
		f.eta[k], f.adj[k] = make([]float64, n), make([]float64, n)
		if k > 0 {
			for i := range f.eta[k] {
				f.eta[k][i] = 0.1 * rnd.NormFloat64()
			}
		}
	}
	return f
}

// TestLoopForcing checks the forced loop x_{k+1} = M(x_k) + η_{k+1}: the adjoints handed to
// Forcing.Adjoint are the gradient with respect to the η_k (gradient test and central
// differences over all of them), x̃_0 is Gradient's gx, and every policy gives the same bits.
func TestLoopForcing(t *testing.T) {
	const n, steps = 6, 20
	m, x0, cost := setup(n, steps)
	rnd := rand.New(rand.NewPCG(5, 6))
	f := newForcing(n, steps, rnd)
	l := &adjoint.Loop{Model: m, Forcing: f}
	gx := make([]float64, n)
	if _, err := l.Gradient(gx, nil, x0, steps, cost); err != nil {
		t.Fatal(err)
	}
	if !bitwiseEqual(gx, f.adj[0]) {
		t.Errorf("x̃_0 handed to Adjoint %v differs from the gradient %v", f.adj[0], gx)
	}
	// J as a function of (η_1 … η_K).
	J := func(in []float64) float64 {
		g := &forcing{eta: make([][]float64, steps+1)}
		g.eta[0] = make([]float64, n)
		for k := 1; k <= steps; k++ {
			g.eta[k] = in[(k-1)*n : k*n]
		}
		v, err := (&adjoint.Loop{Model: m, Forcing: g}).Value(x0, steps, cost)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var in, grad []float64
	for k := 1; k <= steps; k++ {
		in = append(in, f.eta[k]...)
		grad = append(grad, f.adj[k]...)
	}
	h := make([]float64, len(in))
	for i := range h {
		h[i] = rnd.NormFloat64()
	}
	for _, r := range []verify.Report{
		verify.GradientTest("forcing", J, grad, in, h, 0),
		verify.FiniteDifference("forcing", J, grad, in, 0),
	} {
		if !r.Pass {
			t.Error(r)
		}
	}
	for _, p := range []adjoint.Policy{adjoint.StoreEvery{K: 3}, adjoint.Revolve{Snapshots: 2}, adjoint.Revolve{Snapshots: 1}} {
		g := newForcing(n, steps, rand.New(rand.NewPCG(5, 6)))
		hx := make([]float64, n)
		if _, err := (&adjoint.Loop{Model: m, Forcing: g, Policy: p}).Gradient(hx, nil, x0, steps, cost); err != nil {
			t.Fatal(err)
		}
		for k := range g.adj {
			if !bitwiseEqual(g.adj[k], f.adj[k]) {
				t.Errorf("%v: adjoint at step %d differs from StoreAll's", p, k)
			}
		}
	}
}

// ExampleParsePolicy reads the policies as "adjunto fourdvar --checkpoint" takes them and
// prints how many states each stores at once over 1000 steps, and the forward steps that
// reverse them.
func ExampleParsePolicy() {
	for _, s := range []string{"all", "every:32", "revolve:8"} {
		p, err := adjoint.ParsePolicy(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		m := newEuler96(8)
		l := &adjoint.Loop{Model: m, Policy: p}
		x0 := make([]float64, 8)
		for i := range x0 {
			x0[i] = 8 + 0.1*float64(i)
		}
		if _, err := l.Gradient(make([]float64, 8), nil, x0, 1000, misfit{make([]float64, 8), 1000}); err != nil {
			fmt.Println(err)
		}
		fmt.Printf("%-9v %4d states stored, %4d forward steps\n", p, l.Stats.Snapshots, l.Stats.Forward)
	}
	_, err := adjoint.ParsePolicy("revolve:0")
	fmt.Println(err)
	// Output:
	// all       1000 states stored, 1000 forward steps
	// every:32    62 states stored, 1961 forward steps
	// revolve:8    8 states stored, 4286 forward steps
	// adjoint: bad checkpointing policy "revolve:0": "0" is not a whole number ≥ 1
}

package lorenz

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/adjunto/adjunto/adjoint"
)

// The speed benchmarks of the issue: Lorenz-96 with N = 40, 1000 and 10⁶ over a window of
// benchSteps RK4 steps with the quadratic misfit J = ½ Σ_{k=1}^{K} ‖x_k − y‖², the forward
// run alone and forward + adjoint gradient (with respect to x_0 and F), for the fused model,
// for the composed one, and for a plain Go loop with no engine as the floor. Compare
// gradient/forward within a version, and fused forward against the floor:
//
//	go test -run '^$' -bench 'L96/^N=(40|1000)$/' -cpu 1 ./models/lorenz/
//	go test -run '^$' -bench 'L96/^N=1000000$/' -cpu 1 -benchtime 3x ./models/lorenz/
//
// The gradient benchmarks use StoreAll, the fastest policy; the N = 10⁶ fused one with the
// stage tape needs 3.2 GB (0.8 GB without).
const benchSteps = 100

var benchSizes = []int{40, 1000, 1_000_000}

// obsMisfit is J = ½ Σ_{k≥1} ‖x_k − y‖²: an observation of every variable at every step.
type obsMisfit struct{ y []float64 }

func (c obsMisfit) Value(k int, x []float64) float64 {
	if k == 0 {
		return 0
	}
	s := 0.0
	for i, v := range x {
		d := v - c.y[i]
		s += d * d
	}
	return 0.5 * s
}

func (c obsMisfit) AddGradient(dst []float64, k int, x []float64) {
	if k == 0 {
		return
	}
	for i, v := range x {
		dst[i] += v - c.y[i]
	}
}

func benchSetup(n int) (*L96, []float64, obsMisfit) {
	m, err := NewL96(n)
	if err != nil {
		panic(err)
	}
	rnd := rand.New(rand.NewPCG(5, 6))
	x0, y := make([]float64, n), make([]float64, n)
	for i := range x0 {
		x0[i] = 8 + rnd.NormFloat64()
		y[i] = 8 + rnd.NormFloat64()
	}
	return m, x0, obsMisfit{y}
}

// plainForward is the floor: the RK4 cost written as plain Go loops, the way one would
// write it without any engine or interface, with the same operations as the model.
func plainForward(x0, y []float64, F, dt float64, steps int, buf [][]float64) float64 {
	n := len(x0)
	x, k1, k2, k3, k4, tmp, next := buf[0], buf[1], buf[2], buf[3], buf[4], buf[5], buf[6]
	copy(x, x0)
	f := func(k, x []float64) {
		for i := range n {
			ip, im1, im2 := i+1, i-1, i-2
			if ip == n {
				ip = 0
			}
			if im1 < 0 {
				im1 += n
			}
			if im2 < 0 {
				im2 += n
			}
			k[i] = (x[ip]-x[im2])*x[im1] - x[i] + F
		}
	}
	J := 0.0
	for range steps {
		f(k1, x)
		for i := range n {
			tmp[i] = x[i] + dt/2*k1[i]
		}
		f(k2, tmp)
		for i := range n {
			tmp[i] = x[i] + dt/2*k2[i]
		}
		f(k3, tmp)
		for i := range n {
			tmp[i] = x[i] + dt*k3[i]
		}
		f(k4, tmp)
		for i := range n {
			next[i] = x[i] + dt/6*(k1[i]+2*k2[i]+2*k3[i]+k4[i])
		}
		x, next = next, x
		for i, v := range x {
			d := v - y[i]
			J += 0.5 * d * d
		}
	}
	return J
}

var sink float64

func BenchmarkL96(b *testing.B) {
	for _, n := range benchSizes {
		m, x0, cost := benchSetup(n)
		var c adjoint.LoopCost = cost
		b.Run(fmt.Sprintf("N=%d/plain/forward", n), func(b *testing.B) {
			buf := make([][]float64, 7)
			for i := range buf {
				buf[i] = make([]float64, n)
			}
			plainForward(x0, cost.y, m.F, m.Dt, 1, buf)
			for b.Loop() {
				sink = plainForward(x0, cost.y, m.F, m.Dt, benchSteps, buf)
			}
		})
		for _, kind := range []string{"fused", "fused-notape", "composed"} {
			var model adjoint.Stepper = m
			if kind == "composed" {
				model = NewComposed(m)
			}
			// "fused" keeps each stored state's RK4 stage states (Loop.Tape), as a
			// framework's autograd keeps its activations; "fused-notape" recomputes them
			// in each adjoint step and stores one state per step.
			tape := kind == "fused"
			b.Run(fmt.Sprintf("N=%d/%s/forward", n, kind), func(b *testing.B) {
				l := &adjoint.Loop{Model: model}
				l.Value(x0, benchSteps, c) // allocate (and touch) the buffers outside the timing
				b.ReportAllocs()
				for b.Loop() {
					v, err := l.Value(x0, benchSteps, c)
					if err != nil {
						b.Fatal(err)
					}
					sink = v
				}
			})
			b.Run(fmt.Sprintf("N=%d/%s/gradient", n, kind), func(b *testing.B) {
				l := &adjoint.Loop{Model: model, Tape: tape}
				gx, gp := make([]float64, n), make([]float64, 1)
				l.Gradient(gx, gp, x0, benchSteps, c) // allocate (and touch) the store
				b.ReportAllocs()
				for b.Loop() {
					v, err := l.Gradient(gx, gp, x0, benchSteps, c)
					if err != nil {
						b.Fatal(err)
					}
					sink = v
				}
			})
		}
		if n > 1000 {
			continue // a whole-window tape of 10⁶ variables would hold ≈ 30 GB
		}
		b.Run(fmt.Sprintf("N=%d/composed-window/forward", n), func(b *testing.B) {
			t, _, _, J := windowCostTape(m, x0, cost.y, benchSteps)
			b.ReportAllocs()
			for b.Loop() {
				t.Forward()
				sink = J.Data[0]
			}
		})
		b.Run(fmt.Sprintf("N=%d/composed-window/gradient", n), func(b *testing.B) {
			t, _, _, J := windowCostTape(m, x0, cost.y, benchSteps)
			seed := []float64{1}
			b.ReportAllocs()
			for b.Loop() {
				t.Forward()
				t.VJP(J, seed)
				sink = J.Data[0]
			}
		})
	}
}

// windowCostTape records the whole window and its misfit on one tape, x_0 and F as variables.
func windowCostTape(m *L96, x0, y []float64, steps int) (t *adjoint.Tape, x, p, J *adjoint.Value) {
	t = adjoint.NewTape()
	x = t.Vector(append([]float64(nil), x0...))
	p = t.Vector([]float64{m.F})
	obs := t.Constant(y, 1, len(y))
	var sum *adjoint.Value
	for range steps {
		x1 := m.StepOn(x, p)
		term := adjoint.SumSquares(adjoint.Sub(x1, obs))
		if sum == nil {
			sum = term
		} else {
			sum = adjoint.Add(sum, term)
		}
		x = x1
	}
	return t, t.Vector(nil), p, adjoint.Scale(0.5, sum)
}

// BenchmarkL96PyTorchWindow is the window PyTorch 1.13 autograd takes 1.1 ms (cost) and
// 3.5 ms (cost + gradient) for on this machine: Lorenz-96, N = 40, 20 RK4 steps.
func BenchmarkL96PyTorchWindow(b *testing.B) {
	m, x0, cost := benchSetup(40)
	var c adjoint.LoopCost = cost
	l := &adjoint.Loop{Model: m, Tape: true}
	b.Run("fused/forward", func(b *testing.B) {
		for b.Loop() {
			v, _ := l.Value(x0, 20, c)
			sink = v
		}
	})
	b.Run("fused/gradient", func(b *testing.B) {
		gx, gp := make([]float64, 40), make([]float64, 1)
		for b.Loop() {
			v, _ := l.Gradient(gx, gp, x0, 20, c)
			sink = v
		}
	})
}

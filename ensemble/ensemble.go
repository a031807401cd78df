package ensemble

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/fourdvar"
)

// Model is the model contract of the engine: the ensemble methods only step it forward.
type Model = adjoint.Model

// Mean sets dst to the ensemble mean of e, whose rows are the members.
func Mean(dst []float64, e *mat.Dense) {
	r, c := e.Dims()
	if len(dst) != c {
		panic(fmt.Sprintf("ensemble: Mean: dst of length %d for %d×%d ensemble", len(dst), r, c))
	}
	clear(dst)
	for i := range r {
		for j, v := range e.RawRowView(i) {
			dst[j] += v
		}
	}
	for j := range dst {
		dst[j] /= float64(r)
	}
}

// Anomalies sets a to e minus its mean (mean, of length the state size) row by row, and
// fills mean. a and e may be the same matrix.
func Anomalies(a *mat.Dense, mean []float64, e *mat.Dense) {
	Mean(mean, e)
	r, _ := e.Dims()
	if a != e {
		a.CloneFrom(e)
	}
	for i := range r {
		row := a.RawRowView(i)
		for j := range row {
			row[j] -= mean[j]
		}
	}
}

// Inflate multiplies the anomalies of e by factor (multiplicative inflation: the ensemble
// covariance by factor²), keeping its mean.
func Inflate(e *mat.Dense, factor float64) {
	if factor == 1 {
		return
	}
	_, c := e.Dims()
	mean := make([]float64, c)
	Mean(mean, e)
	r, _ := e.Dims()
	for i := range r {
		row := e.RawRowView(i)
		for j := range row {
			row[j] = mean[j] + factor*(row[j]-mean[j])
		}
	}
}

// Spread returns the root of the mean ensemble variance (the unbiased one, over N−1).
func Spread(e *mat.Dense) float64 {
	r, c := e.Dims()
	mean := make([]float64, c)
	Mean(mean, e)
	var s float64
	for i := range r {
		for j, v := range e.RawRowView(i) {
			d := v - mean[j]
			s += d * d
		}
	}
	return math.Sqrt(s / float64((r-1)*c))
}

// Propagator integrates every member of an ensemble forward, in parallel: the members are
// split into contiguous blocks, one goroutine and one model per block. Each member's
// integration is the same sequence of floating-point operations whatever the number of
// goroutines, so the result is bit-identical for any GOMAXPROCS and any Workers.
type Propagator struct {
	models []Model
	work   [][]float64
}

// NewPropagator returns a propagator with workers goroutines, each stepping its own model
// made by newModel (models own scratch buffers and are not safe for concurrent use).
// workers ≤ 0 means GOMAXPROCS.
func NewPropagator(newModel func() Model, workers int) *Propagator {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	p := &Propagator{}
	for range workers {
		m := newModel()
		p.models = append(p.models, m)
		p.work = append(p.work, make([]float64, 2*m.Dim()))
	}
	return p
}

// Dim returns the models' state size.
func (p *Propagator) Dim() int { return p.models[0].Dim() }

// Model returns the first worker's model, for sequential use between propagations.
func (p *Propagator) Model() Model { return p.models[0] }

// Forecast integrates each row of e steps steps forward, in place.
func (p *Propagator) Forecast(e *mat.Dense, steps int) {
	r, c := e.Dims()
	if c != p.Dim() {
		panic(fmt.Sprintf("ensemble: Propagator.Forecast: %d×%d ensemble for model dimension %d", r, c, p.Dim()))
	}
	if steps == 0 || r == 0 {
		return
	}
	w := min(len(p.models), r)
	if w == 1 {
		for i := range r {
			row := e.RawRowView(i)
			fourdvar.Forecast(p.models[0], row, row, steps, p.work[0])
		}
		return
	}
	var wg sync.WaitGroup
	for k := range w {
		lo, hi := k*r/w, (k+1)*r/w
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				row := e.RawRowView(i)
				fourdvar.Forecast(p.models[k], row, row, steps, p.work[k])
			}
		})
	}
	wg.Wait()
}

package learn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/fourdvar"
)

// CycleConfig sets up the cycled 4DVar that scores a model: a Lorenz-96 truth (the true
// model), observed like the training data, assimilated by strong-constraint 4DVar with the
// model under test. The zero value of each field selects the default documented on it.
type CycleConfig struct {
	Window   int     // steps per window; zero means 10
	Shift    int     // steps between analyses; zero means 5
	Cycles   int     // analyses; zero means 100
	BurnIn   int     // analyses left out of the average; zero means 20
	BSigma   float64 // σ_b of the static background covariance (Gaussian, length 2); zero means 0.4
	ObsSigma float64 // σ_o; zero means 1
	Fraction float64 // variables observed at each step, a random subset each time; zero means 1/2
	Seed     uint64  // seeds the truth, the observations and the first background
}

func (c CycleConfig) defaults() CycleConfig {
	if c.Window == 0 {
		c.Window = 10
	}
	if c.Shift == 0 {
		c.Shift = 5
	}
	if c.Cycles == 0 {
		c.Cycles = 100
	}
	if c.BurnIn == 0 {
		c.BurnIn = min(20, c.Cycles/2)
	}
	if c.BSigma == 0 {
		c.BSigma = 0.4
	}
	if c.ObsSigma == 0 {
		c.ObsSigma = 1
	}
	if c.Fraction == 0 {
		c.Fraction = 0.5
	}
	return c
}

// Cycle runs the cycled 4DVar of c with the truth from model truth and the analyses and
// forecasts from model m (m = truth for the perfect-model reference), and returns its
// summary: the analysis RMSE averaged over the cycles after the burn-in is the score.
func Cycle(truth, m adjoint.Model, c CycleConfig) (*fourdvar.Summary, error) {
	c = c.defaults()
	n := truth.Dim()
	k := max(1, int(math.Round(c.Fraction*float64(n))))
	rnd := rand.New(rand.NewPCG(c.Seed, 0x637963))
	ops := map[int]*fourdvar.Operator{}
	observe := func(step int) *fourdvar.Operator {
		if h, ok := ops[step]; ok {
			return h
		}
		idx := rnd.Perm(n)[:k]
		h := fourdvar.Subset(n, idx)
		ops[step] = h
		return h
	}
	tw := &fourdvar.Twin{Model: truth, Assimilate: m, Window: c.Window, Shift: c.Shift, Cycles: c.Cycles, BurnIn: c.BurnIn,
		ObsSigma: c.ObsSigma, Observe: observe, B: fourdvar.NewGaussianCircle(n, c.BSigma, 2), Seed: c.Seed}
	res, err := tw.Run()
	if err != nil {
		return nil, fmt.Errorf("cycled 4DVar: %w", err)
	}
	return &res.Summary, nil
}

package fourdvar_test

import (
	"fmt"
	"strings"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/models/lorenz"
)

// A cycled strong-constraint 4DVar twin experiment on Lorenz-96: 20 windows of 8 steps, every
// variable observed every step with σ_o = 1.
func ExampleTwin() {
	m, _ := lorenz.NewL96(40)
	tw := &fourdvar.Twin{
		Model:  m,
		Window: 8,
		B:      fourdvar.NewGaussianCircle(40, 0.3, 1),
		Cycles: 20,
		BurnIn: 5,
		Seed:   1,
	}
	res, err := tw.Run()
	if err != nil {
		fmt.Println(err)
		return
	}
	s := res.Summary
	fmt.Printf("analysis RMSE %.2f (observations 1), forecast RMSE %.2f, %d/%d converged\n",
		s.RMSEAnalysis, s.RMSEForecast, s.Converged, s.Cycles)
	// Output:
	// analysis RMSE 0.25 (observations 1), forecast RMSE 0.58, 15/15 converged
}

// One analysis of observations read from CSV: Lorenz-63 observed in x at steps 10 and 20.
func ExampleAssimilator_Analyse() {
	obs, _ := fourdvar.ReadObs(strings.NewReader(`step,index,value,sigma
10,0,-5.2,0.5
20,0,-7.9,0.5
20,2,17.3,0.5
`), "obs.csv")
	m := lorenz.NewL63()
	w := &fourdvar.Window{
		Model: m,
		Steps: 20,
		Xb:    []float64{-3, -5, 20},
		B:     fourdvar.ScaledIdentity{N: 3, Sigma: 1},
		Obs:   fourdvar.BatchesFromObs(3, obs),
	}
	an, err := new(fourdvar.Assimilator).Analyse(w)
	if err != nil {
		fmt.Println(err)
		return
	}
	x0 := an.Trajectory[0]
	fmt.Printf("J %.1f -> %.3f, %s\n", an.CostInitial, an.CostFinal, an.Status)
	fmt.Printf("x0 = (%.2f, %.2f, %.2f)\n", x0[0], x0[1], x0[2])
	// Output:
	// J 26.0 -> 2.956, GradientConverged
	// x0 = (-2.69, -3.74, 19.50)
}

package ensemble_test

import (
	"fmt"

	"github.com/adjunto/adjunto/ensemble"
	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/models/lorenz"
)

// The iEnKS of the sakov2012 preset on Lorenz-63 observed every 25 steps, for 200
// observation times: the same truth and observations as "adjunto fourdvar --setup sakov2012".
func ExampleTwin() {
	newModel := func() ensemble.Model { return lorenz.NewL63() }
	base := &fourdvar.Twin{Model: newModel(), ObsEvery: 25, ObsSigma: 1.4142135623730951, Seed: 1,
		X0: []float64{1, 1, 1}}
	tw := &ensemble.Twin{Base: base, NewModel: newModel, Members: 10, ObsTimes: 200, BurnIn: 20,
		Smoother: &ensemble.IEnKS{Lag: 2, Inflation: 1.01}}
	res, err := tw.Run()
	if err != nil {
		fmt.Println(err)
		return
	}
	s := res.Summary
	fmt.Printf("%d analyses scored, filter analysis RMSE %.2f (observation error %.2f)\n", s.Cycles, s.RMSEAnalysis, 1.41)
	// Output:
	// 180 analyses scored, filter analysis RMSE 0.25 (observation error 1.41)
}

// The Cramér–Rao floor of the sakov2008 setup (Lorenz-96, every variable observed every
// step with R = I) over 200 observation times: no filter on these observations can have a
// mean analysis RMSE much below it.
func ExampleTwin_Floor() {
	base := &fourdvar.Twin{Model: &lorenz.L96{N: 40, F: 8, Dt: 0.05}, ObsEvery: 1, ObsSigma: 1, Seed: 1}
	tw := &ensemble.Twin{Base: base, ObsTimes: 200, BurnIn: 20}
	fl, err := tw.Floor()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("floor over %d times: expected RMSE %.3f, √(tr P/n) %.3f; prior %s\n", fl.Scored, fl.ExpectedRMSE, fl.Spread, fl.Prior)
	// Output:
	// floor over 180 times: expected RMSE 0.166, √(tr P/n) 0.172; prior spread² I, spread 1 (warm start)
}

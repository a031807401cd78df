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

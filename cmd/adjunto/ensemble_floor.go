package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/adjunto/adjunto/ensemble"
	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/internal/limits"
	"github.com/adjunto/adjunto/internal/twinout"
)

// ensembleFloor computes the Cramér–Rao floor of the twin for --floor and --floor-only; the
// exit code says whose fault a failure is: the flags' (a state too large, a setting out of
// its domain) or the run's (a covariance that blew up).
func ensembleFloor(tw *ensemble.Twin) (*ensemble.Floor, int, error) {
	fl, err := tw.Floor()
	switch {
	case err == nil:
		return fl, exitOK, nil
	case errors.Is(err, limits.ErrTooLarge), errors.Is(err, fourdvar.ErrInput):
		return nil, exitUsage, fmt.Errorf("--floor: %w", err)
	}
	return nil, exitFail, fmt.Errorf("--floor: %w", err)
}

// floorObject is the floor as metrics.json writes it: the averages over the scored times and
// the values at every observation time.
func floorObject(fl *ensemble.Floor) twinout.Object {
	steps := make([]any, len(fl.Times))
	e := make([]float64, len(fl.Times))
	s := make([]float64, len(fl.Times))
	for i, t := range fl.Times {
		steps[i], e[i], s[i] = t.Step, t.ExpectedRMSE, t.Spread
	}
	return twinout.Object{
		{Key: "method", Value: "Cramér–Rao floor: the Kalman covariance recursion along the truth (package ensemble, Twin.Floor)"},
		{Key: "prior", Value: fl.Prior},
		{Key: "times_scored", Value: fl.Scored},
		{Key: "expected_rmse", Value: fl.ExpectedRMSE},
		{Key: "spread", Value: fl.Spread},
		{Key: "steps", Value: steps},
		{Key: "expected_rmse_by_time", Value: e},
		{Key: "spread_by_time", Value: s},
	}
}

// printFloor writes the floor's lines; score, if positive, is the run's mean analysis RMSE,
// given as a multiple of the floor.
func printFloor(w io.Writer, fl *ensemble.Floor, score float64) {
	ratio := ""
	if score > 0 {
		ratio = fmt.Sprintf("; the score is %.2f× it", score/fl.ExpectedRMSE)
	}
	fmt.Fprintf(w, "  Cramér–Rao floor       %.4f   (expected RMSE of the best unbiased filter on these observations%s)\n", fl.ExpectedRMSE, ratio)
	fmt.Fprintf(w, "  floor √(tr P/n)        %.4f   (its root mean error variance; prior %s)\n", fl.Spread, fl.Prior)
}

package figure

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// Ticks are gonum's default ticks labelled in the shortest form ("250", not "250.00"), so
// that an axis of epochs, iterations or steps reads in integers. Encode uses them for every
// axis left with gonum's default marker.
type Ticks struct{}

// Ticks implements plot.Ticker.
func (Ticks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'g', 4, 64)
		}
	}
	return ts
}

// LogTicks label a logarithmic axis readably over any range, in one format: powers of ten
// (every k-th one when the range spans many decades, as a diverged loss makes it), with 2
// and 5 times them added when it spans less than three, and every multiple when it spans
// one. Every label is a plain decimal
// ("0.02", "500") when all of them lie in [0.01, 1000], and "2e-3", "1e-3", "5e-4" otherwise.
// Encode uses them for every axis left with gonum's plot.LogTicks.
type LogTicks struct{}

// Ticks implements plot.Ticker.
func (LogTicks) Ticks(min, max float64) []plot.Tick {
	if !(min > 0) || !(max > min) {
		return plot.LogTicks{}.Ticks(min, max)
	}
	lo, hi := math.Floor(math.Log10(min)), math.Ceil(math.Log10(max))
	decades := hi - lo
	step := math.Max(1, math.Ceil(decades/8))
	var ts []plot.Tick
	for e := lo; e <= hi; e++ {
		p := math.Pow(10, e)
		major := math.Mod(e-lo, step) == 0
		for _, mult := range []float64{1, 2, 3, 4, 5, 6, 7, 8, 9} {
			v := mult * p
			if v < min || v > max || (mult > 1 && decades > 8) {
				continue
			}
			t := plot.Tick{Value: v}
			if (mult == 1 && major) || (decades < 3 && (mult == 2 || mult == 5)) || decades <= 1 {
				t.Label = "label" // formatted below, once the labelled range is known
			}
			ts = append(ts, t)
		}
	}
	plain := true
	for _, t := range ts {
		plain = plain && (t.Label == "" || t.Value >= 0.01*(1-1e-9) && t.Value <= 1000*(1+1e-9))
	}
	for i, t := range ts {
		if t.Label != "" {
			ts[i].Label = logLabel(t.Value, plain)
		}
	}
	return ts
}

// logLabel formats a tick m·10^e (m = 1 … 9) as a plain decimal or as "me-3".
func logLabel(v float64, plain bool) string {
	if plain {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	e := math.Floor(math.Log10(v) + 1e-9)
	m := math.Round(v / math.Pow(10, e))
	if m == 10 {
		m, e = 1, e+1
	}
	return strconv.Itoa(int(m)) + "e" + strconv.Itoa(int(e))
}

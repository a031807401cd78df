package table

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// TestMeanCIByHand checks the interval against a hand computation: for 0.31, 0.35, 0.33,
// 0.29 the mean is 0.32, the squared deviations sum to 0.002, s² = 0.002/3, and
// t_{0.975,3} = 3.182446305284263 (tables of Student's t), so the half-width is
// 3.182446305284263·√(0.002/3)/2 = 0.0410850…
func TestMeanCIByHand(t *testing.T) {
	mean, half := MeanCI([]float64{0.31, 0.35, 0.33, 0.29})
	wantHalf := 3.182446305284263 * math.Sqrt(0.002/3) / 2
	// 1e-12: a few roundings in the sums and the quantile's inversion.
	if !scalar.EqualWithinAbsOrRel(mean, 0.32, 1e-12, 1e-12) || !scalar.EqualWithinAbsOrRel(half, wantHalf, 1e-12, 1e-12) {
		t.Errorf("mean %v ± %v, want 0.32 ± %v", mean, half, wantHalf)
	}
	// Two values: t_{0.975,1} = 12.706204736174707; s = |a−b|/√2.
	mean, half = MeanCI([]float64{1, 2})
	if mean != 1.5 || !scalar.EqualWithinAbsOrRel(half, 12.706204736174707*(1/math.Sqrt2)/math.Sqrt2, 1e-12, 1e-12) {
		t.Errorf("two values: %v ± %v", mean, half)
	}
	if m, h := MeanCI([]float64{4}); m != 4 || !math.IsNaN(h) {
		t.Errorf("one value: %v ± %v, want 4 ± NaN", m, h)
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		mean, half float64
		want       string
	}{
		// DAPPER's UncertainQtty examples: 1.2345 with 0.01, 0.1, 0.2, 0.9, 1.
		{1.2345, 0.01, "1.23 ±0.01"}, {1.2345, 0.1, "1.2 ±0.1"}, {1.2345, 0.2, "1.2 ±0.2"},
		{1.2345, 0.9, "1.2 ±0.9"}, {1.2345, 1, "1 ±1"},
		{0.32, 0.041085, "0.32 ±0.04"}, {0.3724, 0.00096, "0.372 ±0.001"}, {123.4, 12, "123 ±10"},
		{0.2936, math.NaN(), "0.2936"}, {0.455, math.NaN(), "0.4550"}, {1.0349, math.NaN(), "1.035"}, {1234.6, math.NaN(), "1235"},
		{0.5, 0, "0.5000 ±0"}, {math.NaN(), math.NaN(), "—"},
	} {
		if got := Format(tc.mean, tc.half); got != tc.want {
			t.Errorf("Format(%v, %v) = %q, want %q", tc.mean, tc.half, got, tc.want)
		}
	}
}

func recs() []Record {
	r := func(w, s, seed string, v float64) Record {
		return Record{Params: map[string]string{"window": w, "scheme": s, "seed": seed}, Metrics: map[string]float64{"rmse": v}}
	}
	return []Record{
		r("8", "strong", "1", 0.31), r("8", "strong", "2", 0.35), r("8", "incr", "1", 0.40), r("8", "incr", "2", 0.44),
		r("16", "strong", "1", 0.33), r("16", "strong", "2", 0.29),
		{Params: map[string]string{"window": "16", "scheme": "incr", "seed": "1"}, Failed: true},
		r("16", "incr", "2", math.Inf(1)),
	}
}

func TestTableGroupsAndPrints(t *testing.T) {
	tb, err := New(recs(), []string{"window", "scheme", "seed"}, "rmse", "scheme", "seed")
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.RowKey) != 2 || strings.Join(tb.ColKey, ",") != "strong,incr" || tb.Cells[1][1].Failed != 2 || tb.Cells[1][1].N != 0 {
		t.Fatalf("table %+v", tb)
	}
	var md strings.Builder
	if err := tb.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	want := "| window | scheme=strong | scheme=incr |\n|---|---|---|\n| 8 | 0.3 ±0.3 | 0.4 ±0.3 |\n| 16 | 0.3 ±0.3 | — (2 failed) |\n"
	if !strings.HasPrefix(md.String(), want) {
		t.Errorf("markdown:\n%s\nwant:\n%s", md.String(), want)
	}
	var csv strings.Builder
	if err := tb.CSV(&csv); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csv.String(), "window,scheme,rmse_mean,rmse_ci95,n,failed\n8,strong,0.32999999999999996,0.254124094723") ||
		!strings.Contains(csv.String(), "16,incr,NaN,NaN,0,2\n") {
		t.Errorf("csv:\n%s", csv.String())
	}
	if _, err := tb.Plot(); err != nil {
		t.Error(err)
	}
}

func TestTableErrors(t *testing.T) {
	axes := []string{"window", "scheme", "seed"}
	if _, err := New(recs(), axes, "rmsee", "", "seed"); err == nil || !strings.Contains(err.Error(), `metric "rmsee": not in a run's metrics (metrics there are: rmse)`) {
		t.Errorf("unknown metric: %v", err)
	}
	if _, err := New(recs(), axes, "rmse", "windw", "seed"); err == nil || !strings.Contains(err.Error(), "not an axis") {
		t.Errorf("unknown axis: %v", err)
	}
}

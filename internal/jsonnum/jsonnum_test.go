package jsonnum

import (
	"encoding/json"
	"math"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		json string
	}{
		{1.5, "1.5"}, {-2e-300, "-2e-300"}, {0, "0"},
		{math.NaN(), `"NaN"`}, {math.Inf(1), `"+Inf"`}, {math.Inf(-1), `"-Inf"`},
	} {
		b, err := json.Marshal([]Float{Float(tc.v)})
		if err != nil || string(b) != "["+tc.json+"]" {
			t.Errorf("Marshal(%v) = %s, %v; want [%s]", tc.v, b, err, tc.json)
		}
		var back []Float
		if err := json.Unmarshal(b, &back); err != nil || len(back) != 1 ||
			math.Float64bits(float64(back[0])) != math.Float64bits(tc.v) && !(math.IsNaN(tc.v) && math.IsNaN(float64(back[0]))) {
			t.Errorf("Unmarshal(%s) = %v, %v; want %v", b, back, err, tc.v)
		}
	}
	var x Float
	for _, bad := range []string{`"nan"`, `"inf"`, `true`, `"1"`} {
		if err := json.Unmarshal([]byte(bad), &x); err == nil {
			t.Errorf("Unmarshal(%s) = %v, want an error", bad, x)
		}
	}
}

// Package jsonnum is the project's one convention for non-finite numbers in JSON. JSON has no
// NaN or infinity and encoding/json refuses to write them, yet a diverged cost, a failed
// check or an RMSE without a truth is exactly such a value. Every JSON file adjunto writes
// (metrics, verification reports, experiment results, training metrics) writes NaN, +Inf and
// −Inf as the strings "NaN", "+Inf" and "-Inf": the file is still written, and which of the
// three it was survives. Float reads them back.
package jsonnum

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Format returns the JSON of v: the shortest number that reads back as v, or one of the
// strings "NaN", "+Inf" and "-Inf".
func Format(v float64) []byte {
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`)
	case math.IsInf(v, 1):
		return []byte(`"+Inf"`)
	case math.IsInf(v, -1):
		return []byte(`"-Inf"`)
	}
	b, _ := json.Marshal(v)
	return b
}

// Float is a float64 that encodes with Format and decodes a number or one of its three
// strings.
type Float float64

// MarshalJSON implements json.Marshaler.
func (x Float) MarshalJSON() ([]byte, error) { return Format(float64(x)), nil }

// UnmarshalJSON implements json.Unmarshaler.
func (x *Float) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		switch s {
		case "NaN":
			*x = Float(math.NaN())
		case "+Inf":
			*x = Float(math.Inf(1))
		case "-Inf":
			*x = Float(math.Inf(-1))
		default:
			return fmt.Errorf("jsonnum: %s is not a number, \"NaN\", \"+Inf\" or \"-Inf\"", strconv.Quote(s))
		}
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*x = Float(v)
	return nil
}

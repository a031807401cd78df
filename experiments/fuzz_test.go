package experiments

import (
	"encoding/json"
	"errors"
	"testing"
)

// fuzzConfig returns the default config of the experiment i (modulo their number).
func fuzzConfig(i uint8) (*Experiment, any) {
	all := All()
	e := all[int(i)%len(all)]
	return e, e.DefaultConfig()
}

// FuzzDecodeConfig guards --config: any document is decoded into an experiment's config or
// refused with ErrBadValue, and a decoded config's Validate answers (with the memory limit
// among its checks) instead of panicking.
func FuzzDecodeConfig(f *testing.F) {
	for i, e := range All() {
		b, err := json.Marshal(e.DefaultConfig())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), string(b))
	}
	for _, s := range []string{
		`{"points": 1000000000000}`, `{"windows": 1000000000000}`, `{"points": 10} {"points": 20}`,
		`{"nope": 1}`, `{"points": "many"}`, `{"sizes": [1, -1]}`, `{"windows": [9223372036854775807]}`, `null`, ``,
	} {
		f.Add(uint8(0), s)
		f.Add(uint8(13), s)
	}
	f.Fuzz(func(t *testing.T, i uint8, s string) {
		e, cfg := fuzzConfig(i)
		if err := DecodeConfig(cfg, []byte(s)); err != nil {
			if !errors.Is(err, ErrBadValue) {
				t.Fatalf("%s: error %v does not wrap ErrBadValue", e.Name, err)
			}
			return
		}
		if v, ok := cfg.(Validator); ok {
			_ = v.Validate()
		}
	})
}

// FuzzSet guards --set key=value: any assignment is applied, or refused with ErrBadValue or
// ErrUnknownKey; the config then validates or says why, without a panic.
func FuzzSet(f *testing.F) {
	for _, s := range []string{
		"points=1000000000000", "windows=1000000000000", "sizes=1,100000000000,1", "seed=-1", "lr=1e400",
		"activations=relu,tanh", "model=lorenz96", "x", "=1", "points=", "gif=maybe", "timeout=1h", "windows=9223372036854775807",
	} {
		for i := range uint8(len(All())) {
			f.Add(i, s)
		}
	}
	f.Fuzz(func(t *testing.T, i uint8, s string) {
		e, cfg := fuzzConfig(i)
		key, value, err := ParseAssignment(s)
		if err != nil {
			if !errors.Is(err, ErrBadValue) {
				t.Fatalf("ParseAssignment(%q): error %v does not wrap ErrBadValue", s, err)
			}
			return
		}
		if err := Set(cfg, key, value); err != nil {
			if !errors.Is(err, ErrBadValue) && !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("%s: Set(%q): error %v wraps neither sentinel", e.Name, s, err)
			}
			return
		}
		if v, ok := cfg.(Validator); ok {
			_ = v.Validate()
		}
	})
}

package limits

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParseBytes(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want float64
		ok   bool
	}{
		{"4096", 4096, true}, {"2e9", 2e9, true}, {"512MiB", 512 << 20, true}, {"4GB", 4e9, true},
		{"1.5G", 1.5 * (1 << 30), true}, {" 3 KiB ", 3 << 10, true}, {"0", 0, false}, {"-1G", 0, false},
		{"lots", 0, false}, {"", 0, false}, {"1e400", 0, false},
	} {
		got, err := parseBytes(tc.s)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseBytes(%q) = %v, %v; want %v, ok %v", tc.s, got, err, tc.want, tc.ok)
		}
	}
}

func TestFormat(t *testing.T) {
	for b, want := range map[float64]string{
		12: "12 bytes", 12e3: "12 kB", 512e6: "512 MB", 7.3e12: "7.3 TB", 5.1e15: "5.1 PB", 2e19: "20.0 EB", 3e22: "3e+22 bytes",
	} {
		if got := format(b); got != want {
			t.Errorf("format(%g) = %q, want %q", b, got, want)
		}
	}
}

// TestCheck covers the two refusals: sizes that overflow an int whatever the memory, and a
// need beyond what is available; and a run that fits.
func TestCheck(t *testing.T) {
	have, _ := Available()
	if !(have > 0) {
		t.Fatalf("Available() = %v", have)
	}
	err := Values("--window 9223372036854775807", "the truth run", Product(math.MaxInt, 2))
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "overflow an integer") {
		t.Errorf("overflow: %v", err)
	}
	err = Values("--n 1000000", "a dense matrix", Product(1e6, 1e6))
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "--n 1000000: the run would need about 8.0 TB") {
		t.Errorf("too large: %v", err)
	}
	if err := Values("--n 40", "a state", 40); err != nil {
		t.Errorf("a small run refused: %v", err)
	}
}

func TestProductDoesNotWrap(t *testing.T) {
	if p := Product(1<<62, 4); p != math.Ldexp(1, 64) {
		t.Errorf("Product(2^62, 4) = %g, want 2^64", p)
	}
}

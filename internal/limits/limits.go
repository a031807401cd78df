// Package limits refuses, before anything is allocated, a run whose sizes would need more
// memory than the machine has or overflow an int.
//
// Every size a user controls (a window length, a number of cycles or variables, a layer
// width, a step in an observations file) enters an estimate of the memory its run needs:
// the product of the counts (states × steps × what is stored per step) times the bytes of
// each value. The product is formed in float64, so that it cannot overflow however large the
// counts are; a count whose product exceeds math.MaxInt would overflow the int arithmetic
// that follows and is refused as such. The estimate is compared with Available: the
// MemAvailable line of /proc/meminfo, or the cap set by the environment variable
// ADJUNTO_MEMORY (bytes, with an optional unit: 512MiB, 4GB, 2e9).
//
// The estimate need not be exact, only of the right order: a run refused here would have
// crashed with a fatal out-of-memory error (which no program can recover from) or swapped
// the machine to a halt, and a run that passes may still fail later with an ordinary error.
package limits

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
)

// ErrTooLarge is wrapped by every error of Check.
var ErrTooLarge = errors.New("too large")

// envVar names the environment variable that caps the memory a run may use.
const envVar = "ADJUNTO_MEMORY"

// fallback is the memory assumed when neither ADJUNTO_MEMORY nor /proc/meminfo tells: a
// laptop's worth.
const fallback = 8 << 30

// Float64 is the size in bytes of one stored value.
const Float64 = 8

var (
	availOnce sync.Once
	avail     float64
	availFrom string
)

// Available returns the bytes a run may use and where that figure comes from.
func Available() (bytes float64, source string) {
	availOnce.Do(func() { avail, availFrom = available() })
	return avail, availFrom
}

func available() (float64, string) {
	if s := os.Getenv(envVar); s != "" {
		if b, err := parseBytes(s); err == nil {
			return b, envVar + "=" + s
		}
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) >= 2 && fields[0] == "MemAvailable:" {
				if kb, err := strconv.ParseFloat(fields[1], 64); err == nil && kb > 0 {
					return kb * 1024, "MemAvailable in /proc/meminfo"
				}
			}
		}
	}
	return fallback, "the default of 8 GiB"
}

// parseBytes reads a size such as 4096, 2e9, 512MiB, 4GB or 1.5G (binary units for K, M, G,
// T with or without iB, decimal for kB, MB, GB, TB).
func parseBytes(s string) (float64, error) {
	t := strings.TrimSpace(s)
	mult := 1.0
	for _, u := range []struct {
		suffix string
		mult   float64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40}, {"B", 1},
	} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("size %q: want a positive number of bytes, optionally with a unit (512MiB, 4GB)", s)
	}
	return v * mult, nil
}

// format writes a byte count for people in decimal units: 7.3 TB, 512 MB, 12 kB. Counts
// beyond any machine are written in scientific notation.
func format(b float64) string {
	switch {
	case b >= 1e21:
		return fmt.Sprintf("%.2g bytes", b)
	case b >= 1e18:
		return fmt.Sprintf("%.1f EB", b/1e18)
	case b >= 1e15:
		return fmt.Sprintf("%.1f PB", b/1e15)
	case b >= 1e12:
		return fmt.Sprintf("%.1f TB", b/1e12)
	case b >= 1e9:
		return fmt.Sprintf("%.1f GB", b/1e9)
	case b >= 1e6:
		return fmt.Sprintf("%.0f MB", b/1e6)
	case b >= 1e3:
		return fmt.Sprintf("%.0f kB", b/1e3)
	}
	return fmt.Sprintf("%.0f bytes", b)
}

// Product returns the product of counts as a float64, exact for the sizes that pass Check
// and finite (or +Inf) for any ints, so that it never wraps around as int arithmetic does.
func Product(counts ...int) float64 {
	p := 1.0
	for _, c := range counts {
		p *= float64(c)
	}
	return p
}

// Error is the refusal of a run too large for the machine.
type Error struct {
	What   string  // what is too large, in the user's terms: "--window 1000000000000, --cycles 100"
	Detail string  // how the estimate is made: "the truth run stores 1e14 states of 40 variables"
	Need   float64 // estimated bytes
	Have   float64 // available bytes; 0 when the sizes overflow an int
	Source string  // where Have comes from
}

// Error says what is too large, how much memory it would need and how much there is, and
// which variable changes the limit.
func (e *Error) Error() string {
	if e.Have == 0 {
		return fmt.Sprintf("%s: the sizes overflow an integer (%s)", e.What, e.Detail)
	}
	return fmt.Sprintf("%s: the run would need about %s of memory (%s), more than the %s available (%s; set %s to change it)",
		e.What, format(e.Need), e.Detail, format(e.Have), e.Source, envVar)
}

// Unwrap returns ErrTooLarge.
func (e *Error) Unwrap() error { return ErrTooLarge }

// Check returns an *Error when a run whose largest count is count and whose estimated memory
// is need bytes overflows an int or needs more than Available. what names the sizes in the
// user's terms (flags, or a file and line); detail says what the estimate counts.
func Check(what, detail string, count, need float64) error {
	if count > math.MaxInt || math.IsNaN(count) || math.IsNaN(need) {
		return &Error{What: what, Detail: detail, Need: need}
	}
	have, src := Available()
	if need > have {
		return &Error{What: what, Detail: detail, Need: need, Have: have, Source: src}
	}
	return nil
}

// Values is Check for a run that stores count values of Float64 bytes each.
func Values(what, detail string, count float64) error {
	return Check(what, detail, count, count*Float64)
}

package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/adjunto/adjunto/models/lorenz"
)

// FuzzX0 guards simulate --x0, given as a list v1,v2,... or as a file of numbers: any text
// gives a finite state of the model's size or an error naming --x0; never a panic.
func FuzzX0(f *testing.F) {
	for _, s := range []string{
		"1,1,1", "1, 2, 3", "1e400,0,0", "NaN,1,1", "1,,1", "1;2;3", "# comment\n1 2 3\n", "1,2", "1,2,3,4",
		"0x1p-2,1,1", "\ufeff1,1,1", "",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	m := lorenz.NewL63()
	f.Fuzz(func(t *testing.T, s string, asFile bool) {
		spec := s
		if asFile {
			spec = filepath.Join(t.TempDir(), "x0.txt")
			if err := os.WriteFile(spec, []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
		} else if _, err := os.Stat(s); err == nil || s == "" {
			return // names a file of the working directory, or asks for the default state
		}
		x, err := initialState(spec, m)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "--x0") {
				t.Fatalf("error %q does not name --x0", err)
			}
			return
		}
		if len(x) != m.Dim() {
			t.Fatalf("%d values for a state of %d", len(x), m.Dim())
		}
		for _, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("non-finite %v accepted", v)
			}
		}
	})
}

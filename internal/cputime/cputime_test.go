package cputime

import (
	"runtime"
	"testing"
	"time"
)

// TestSecondsAdvances checks that a busy loop of 50 ms of wall time is seen as CPU time
// (at least a fifth of it, allowing for a machine shared with other processes) and that
// sleeping is not.
func TestSecondsAdvances(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no getrusage")
	}
	c0 := Seconds()
	x := 1.0
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
		x = x*1.0000001 + 1e-9
	}
	busy := Seconds() - c0
	if busy < 0.01 {
		t.Errorf("50 ms busy: %v CPU seconds (x = %v)", busy, x)
	}
	c1 := Seconds()
	time.Sleep(100 * time.Millisecond)
	if idle := Seconds() - c1; idle > 0.05 {
		t.Errorf("100 ms asleep: %v CPU seconds", idle)
	}
}

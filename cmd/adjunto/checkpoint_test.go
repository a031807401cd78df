package main

import (
	"strings"
	"testing"
)

// TestFourDVarCheckpoint checks that --checkpoint changes neither the metrics nor the
// table (every policy gives the same bits), that -v prints the policy's memory, and that a
// bad value is a usage error naming the flag.
func TestFourDVarCheckpoint(t *testing.T) {
	args := []string{"fourdvar", "--cycles", "4", "--burn-in", "1", "--no-figures", "--json", "--window", "12"}
	code, want, stderr := runArgs(append(args, "--out", t.TempDir())...)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	strip := func(s string) string { // wall-clock times differ from run to run
		var keep []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.Contains(l, "wall_time") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	for _, p := range []string{"every:3", "revolve:2", "revolve"} {
		code, got, stderr := runArgs(append(args, "--out", t.TempDir(), "--checkpoint", p, "-v")...)
		if code != exitOK {
			t.Fatalf("--checkpoint %s: exit %d; stderr:\n%s", p, code, stderr)
		}
		if strip(got) != strip(want) {
			t.Errorf("--checkpoint %s changed the metrics", p)
		}
		if !strings.Contains(stderr, "checkpointing "+p) || !strings.Contains(stderr, "MiB per gradient") {
			t.Errorf("--checkpoint %s -v: stderr lacks the memory estimate:\n%s", p, stderr)
		}
	}
	for _, bad := range []string{"some", "every:0", "revolve:x", "all:2"} {
		code, _, stderr := runArgs("fourdvar", "--cycles", "1", "--out", t.TempDir(), "--checkpoint", bad)
		if code != exitUsage || !strings.Contains(stderr, "--checkpoint") {
			t.Errorf("--checkpoint %s: exit %d, stderr %q; want a usage error naming the flag", bad, code, stderr)
		}
	}
}

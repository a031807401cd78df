package main

import (
	"strings"
	"testing"
)

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		code     int
		toStdout bool // usage goes to stdout when asked for, to stderr on bad usage
	}{
		{nil, exitUsage, false},
		{[]string{"frobnicate"}, exitUsage, false},
		{[]string{"--verbose"}, exitUsage, false},
		{[]string{"help"}, exitOK, true},
		{[]string{"-h"}, exitOK, true},
		{[]string{"--help"}, exitOK, true},
		{[]string{"-help"}, exitOK, true},
	} {
		code, out, stderr := runArgs(tc.args...)
		if code != tc.code {
			t.Errorf("%q: exit %d, want %d", tc.args, code, tc.code)
		}
		usage, other := stderr, out
		if tc.toStdout {
			usage, other = out, stderr
		}
		if !strings.Contains(usage, "Usage: adjunto <command>") || other != "" {
			t.Errorf("%q: usage on the wrong stream:\nstdout %q\nstderr %q", tc.args, out, stderr)
		}
		for _, c := range commands() {
			if !strings.Contains(usage, c.name) {
				t.Errorf("%q: usage does not list %q", tc.args, c.name)
			}
		}
	}
	if _, _, stderr := runArgs("frobnicate"); !strings.Contains(stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command not named: %q", stderr)
	}
}

// TestEverySubcommandHasHelp checks that each subcommand answers --help with exit 0 and its
// usage on stdout, and rejects an unknown flag with exit 2.
func TestEverySubcommandHasHelp(t *testing.T) {
	for _, c := range commands() {
		code, out, _ := runArgs(c.name, "--help")
		if code != exitOK || !strings.Contains(out, "Usage: adjunto "+c.name) {
			t.Errorf("%s --help: exit %d, stdout %q", c.name, code, out)
		}
		code, out, stderr := runArgs(c.name, "--no-such-flag")
		if code != exitUsage || out != "" || !strings.Contains(stderr, "Usage: adjunto "+c.name) {
			t.Errorf("%s --no-such-flag: exit %d, stdout %q, stderr %q", c.name, code, out, stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	for _, arg := range []string{"version", "--version", "-version"} {
		code, out, _ := runArgs(arg)
		if code != exitOK || !strings.HasPrefix(out, "adjunto "+version) {
			t.Errorf("%s: exit %d, %q", arg, code, out)
		}
	}
}

package main

import (
	"fmt"
	"io"
)

func runVerify(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("verify", "[flags]", stderr)
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	fmt.Fprintln(stdout, "adjunto verify: not yet available")
	return exitOK
}

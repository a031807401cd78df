package main

import (
	"fmt"
	"io"
)

func runFourDVar(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("fourdvar", "[flags]", stderr)
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	fmt.Fprintln(stdout, "adjunto fourdvar: not yet available (see the 4DVar issue); run \"adjunto verify\" meanwhile")
	return exitOK
}

package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is adjunto's release; builds from a checkout report the module version too.
const version = "0.1.0-dev"

func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", "", stderr)
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	mod := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		mod = bi.Main.Version
	}
	fmt.Fprintf(stdout, "adjunto %s (module %s, %s, %s/%s)\n", version, mod, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
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

// codeVersion identifies the code that runs, for the fingerprints by which report decides
// whether a result on disk can be reused: the version and a hash of the executable. The hash
// changes with any change to the code, and stays the same across "go run" of one checkout,
// since Go builds are reproducible.
var codeVersion = sync.OnceValue(func() string {
	v := version
	exe, err := os.Executable()
	if err != nil {
		return v
	}
	f, err := os.Open(exe)
	if err != nil {
		return v
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return v
	}
	return v + " build " + hex.EncodeToString(h.Sum(nil)[:8])
})

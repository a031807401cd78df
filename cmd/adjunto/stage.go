package main

import (
	"fmt"
	"io"

	"github.com/adjunto/adjunto/internal/staging"
)

// endStage ends a command's staged run: on success (runErr nil) the results move into place;
// otherwise what the run made is kept beside the target (OUT.failed, OUT.interrupted) and the
// earlier results stay as they were. It returns the folder the results are in ("" when the
// run made nothing) and an error only when committing fails.
func endStage(st *staging.Dir, runErr error, cmd string, stderr io.Writer) (string, error) {
	if runErr == nil {
		if err := st.Commit(); err != nil {
			return st.Path, err
		}
		return st.Target, nil
	}
	kept, err := st.Keep(staging.Suffix(runErr))
	if err != nil {
		fmt.Fprintf(stderr, "adjunto %s: %v\n", cmd, err)
	}
	return kept, nil
}

package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/adjunto/adjunto/internal/staging"
	"github.com/adjunto/adjunto/nn"
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

// trainFailed ends a training that failed or was interrupted: the model so far (the best
// weights on the validation set when there is one, which nn.Train has restored) is written
// into the staging folder st and kept beside out as a checkpoint, out itself untouched.
func trainFailed(st *staging.Dir, err error, m *nn.Model, h *nn.History, validated bool, out string, stderr io.Writer) int {
	if h != nil && len(h.Epochs) > 0 {
		writeTrainOutputs(st.File(filepath.Base(out)), m, h, nil, stderr)
	}
	err = st.Unstage(err)
	where, _ := endStage(st, err, "train", stderr)
	kept := ""
	if where != "" {
		which := "the weights of the last epoch"
		if validated {
			which = "the best weights so far"
		}
		kept = fmt.Sprintf("%s (%s, epoch %d, as a checkpoint)", filepath.Join(where, filepath.Base(out)), which, h.BestEpoch)
	}
	if !interrupted(err, "train", kept, stderr) {
		report(stderr, "train", err)
		if kept != "" {
			fmt.Fprintf(stderr, "adjunto train: kept %s; %s untouched\n", kept, out)
		}
	}
	return exitFail
}

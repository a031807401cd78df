package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/adjunto/adjunto/fourdvar"
	"github.com/adjunto/adjunto/internal/staging"
	"github.com/adjunto/adjunto/internal/twinout"
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

// endTwin writes the results of a twin experiment (fourdvar's or ensemble's) and ends its
// staging: the files move into place when the run succeeded; otherwise they are kept beside
// out, and what was kept is reported. It returns the exit code and whether the command is
// done, which it is when the run or the writing failed.
func endTwin(cmd string, st *staging.Dir, rec *twinout.Recorder, res *fourdvar.Result, runErr error, out string, stderr io.Writer) (int, bool) {
	if err := rec.Finish(res, runErr); err != nil {
		fmt.Fprintf(stderr, "adjunto %s: writing results: %v\n", cmd, err)
		if runErr == nil {
			runErr = err
		}
	}
	runErr = st.Unstage(runErr) // name the files as the user will find them
	where, err := endStage(st, runErr, cmd, stderr)
	if err != nil {
		report(stderr, cmd, err)
		return exitFail, true
	}
	if runErr != nil {
		if !interrupted(runErr, cmd, cyclesKept(res, where), stderr) {
			report(stderr, cmd, runErr)
			fmt.Fprintf(stderr, "adjunto %s: %s; earlier results in %s untouched\n", cmd, cyclesKept(res, where), out)
		}
		return exitFail, true
	}
	return exitOK, false
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/adjunto/adjunto/internal/staging"
)

// stopGrace is how long a command may take to stop after the first signal.
const stopGrace = 10 * time.Second

// runCtx is the context every command's loops watch: main replaces it by one that the first
// SIGINT or SIGTERM cancels. Tests that call run directly keep the background context.
var runCtx = context.Background()

// notifySignals returns a context cancelled by the first SIGINT (Ctrl-C) or SIGTERM, after
// saying so on stderr; the command then stops at its next check, removes its temporary
// files, says what it kept and exits 1. The first signal restores the default handling, so
// that a second one kills the process at once. stop releases the signals.
func notifySignals(stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 1)
	// SIGPIPE too: a reader of stdout or stderr that goes away (adjunto … | head) would
	// otherwise kill the process where it stands, staging folder and all.
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM, syscall.SIGPIPE)
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case s := <-ch:
			signal.Reset(os.Interrupt, syscall.SIGTERM, syscall.SIGPIPE)
			fmt.Fprintf(stderr, "\nadjunto: %v: stopping cleanly; send it again to stop at once\n", s)
			cancel()
			// A phase that does not watch ctx (a long truth run, a large B) must not hold
			// the process: after the grace period the staging folders are kept and it exits.
			select {
			case <-time.After(stopGrace):
				kept := strings.Join(staging.Abandon(staging.Interrupted), ", ")
				if kept == "" {
					kept = "nothing"
				}
				fmt.Fprintf(stderr, "adjunto: still busy %v after the signal: stopped; kept %s, earlier results untouched\n", stopGrace, kept)
				os.Exit(exitFail)
			case <-exited:
			}
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(exited)
		cancel()
		<-done
	}
}

// interrupted reports whether err comes from an interrupt, and if so says on stderr where the
// command stopped (err's message) and what it kept (kept is "" when nothing was).
func interrupted(err error, cmd, kept string, stderr io.Writer) bool {
	if runCtx.Err() == nil || !errors.Is(err, context.Canceled) {
		return false
	}
	where := strings.TrimSuffix(err.Error(), ": "+context.Canceled.Error())
	if kept == "" {
		fmt.Fprintf(stderr, "adjunto %s: %s; nothing kept, earlier results untouched\n", cmd, where)
	} else {
		fmt.Fprintf(stderr, "adjunto %s: %s; kept %s, earlier results untouched\n", cmd, where, kept)
	}
	return true
}

// interruptContext returns a context that the first interrupt cancels (a child of runCtx).
func interruptContext() (context.Context, context.CancelFunc) {
	return context.WithCancel(runCtx)
}

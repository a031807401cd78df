package main

import (
	"fmt"
	"io"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/fourdvar"
)

// parseCheckpoint reads --checkpoint; the empty value is StoreAll.
func parseCheckpoint(s string) (adjoint.Policy, error) {
	if s == "" {
		return adjoint.StoreAll{}, nil
	}
	p, err := adjoint.ParsePolicy(s)
	if err != nil {
		return nil, fmt.Errorf("--checkpoint: %w", err)
	}
	return p, nil
}

// printCheckpoint writes, for -v, how many states of a window of steps steps the policy
// stores and the memory they take.
func printCheckpoint(w io.Writer, p adjoint.Policy, m fourdvar.Model, steps int) {
	b := fourdvar.CheckpointBytes(m, steps, p)
	fmt.Fprintf(w, "adjunto fourdvar: checkpointing %v: at most %d of the %d states of a window stored, about %.3g MiB per gradient\n",
		p, p.Capacity(steps), steps+1, float64(b)/(1<<20))
}

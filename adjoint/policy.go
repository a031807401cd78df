package adjoint

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrPolicy is wrapped by the errors of ParsePolicy.
var ErrPolicy = errors.New("adjoint: bad checkpointing policy")

// ParsePolicy returns the policy that s names, the form String gives back:
//
//	all         StoreAll
//	every:K     StoreEvery{K}, K ≥ 1; "every" alone means K = ⌈√steps⌉
//	revolve:S   Revolve{S}, S ≥ 1; "revolve" alone means S = ⌈log₂ steps⌉ + 1
//
// The error wraps ErrPolicy and quotes s.
func ParsePolicy(s string) (Policy, error) {
	name, arg, hasArg := strings.Cut(strings.TrimSpace(s), ":")
	n := 0
	if hasArg {
		v, err := strconv.Atoi(arg)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("%w %q: %q is not a whole number ≥ 1", ErrPolicy, s, arg)
		}
		n = v
	}
	switch strings.ToLower(name) {
	case "all":
		if hasArg {
			return nil, fmt.Errorf("%w %q: all takes no number", ErrPolicy, s)
		}
		return StoreAll{}, nil
	case "every":
		return StoreEvery{K: n}, nil
	case "revolve":
		return Revolve{Snapshots: n}, nil
	}
	return nil, fmt.Errorf("%w %q: want all, every:K or revolve:S", ErrPolicy, s)
}

// String returns "all".
func (StoreAll) String() string { return "all" }

// String returns "every:K", or "every" for the default interval.
func (p StoreEvery) String() string {
	if p.K <= 0 {
		return "every"
	}
	return "every:" + strconv.Itoa(p.K)
}

// String returns "revolve:S", or "revolve" for the default number of snapshots.
func (p Revolve) String() string {
	if p.Snapshots <= 0 {
		return "revolve"
	}
	return "revolve:" + strconv.Itoa(p.Snapshots)
}

// LoopBytes returns the memory, in bytes, that Loop.Gradient holds for a loop of steps
// steps of a state of n values under policy p (nil meaning StoreAll), with a step tape of
// tapeLen values per snapshot (0 without Loop.Tape): the checkpoint store, Capacity(steps)
// snapshots of n + tapeLen values, and five work vectors.
func LoopBytes(p Policy, steps, n, tapeLen int) int64 {
	if p == nil {
		p = StoreAll{}
	}
	return 8 * (int64(p.Capacity(steps))*int64(n+tapeLen) + 5*int64(n))
}

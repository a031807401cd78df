// Package cputime reads the processor time of this process, for benchmarks on a shared
// machine: wall time counts the time a benchmark waits for a core held by other processes,
// CPU time does not, so rates per CPU second are the steadier of the two there.
package cputime

// Seconds returns the user and system CPU time this process has used, in seconds, or 0
// where it cannot be read (then callers report wall-time rates only).
func Seconds() float64 { return seconds() }

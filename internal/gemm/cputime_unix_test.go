//go:build unix

package gemm

import "syscall"

// cpuSeconds returns the user CPU time of this process. On a machine shared with other
// busy processes, wall time counts the time the benchmark waits for a core; CPU time does
// not, so flops per CPU second compare kernels (and the peak) more steadily.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec) + float64(ru.Utime.Usec)*1e-6
}

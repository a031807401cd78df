//go:build !unix

package gemm

// cpuSeconds is 0 where the process's CPU time is not read: the benchmarks then report
// wall-time rates only.
func cpuSeconds() float64 { return 0 }

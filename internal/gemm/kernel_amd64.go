//go:build !purego

package gemm

import "github.com/adjunto/adjunto/internal/cpufeat"

// kernel8x24 adds A·B to the 8×24 tile of C at c (row stride ldc), for packed panels a
// (kc×8) and b (kc×24): AVX-512F, 24 ZMM accumulators.
//
//go:noescape
func kernel8x24(kc int, a, b, c *float64, ldc int)

// kernel4x12 is kernel8x24 for AVX2 with FMA: a 4×12 tile in 12 YMM accumulators.
//
//go:noescape
func kernel4x12(kc int, a, b, c *float64, ldc int)

var (
	avx512Kernel = &kernel{name: "avx512", mr: 8, nr: 24, run: kernel8x24}
	avx2Kernel   = &kernel{name: "avx2", mr: 4, nr: 12, run: kernel4x12}
)

// kernels returns the micro-kernels this CPU can run, best first.
func kernels() []*kernel {
	var ks []*kernel
	if cpufeat.AVX512F {
		ks = append(ks, avx512Kernel)
	}
	if cpufeat.AVX2FMA {
		ks = append(ks, avx2Kernel)
	}
	return ks
}

// fmaLoop512 runs n steps of 16 independent AVX-512 FMAs (256 flops per step): the core's
// peak, which BenchmarkPeak measures.
//
//go:noescape
func fmaLoop512(n int)

// Package gemm is adjunto's double-precision general matrix product, C = alpha·op(A)·op(B) +
// beta·C, installed behind gonum's blas64 (see Implementation) so that every matrix product in
// the module, gonum's mat included, uses it.
//
// # Why
//
// A training step of a fully connected network is three matrix products per layer: X·Wᵀ
// forward, Ȳᵀ·X for the weights' gradient and Ȳ·W for the inputs'. gonum's pure-Go Dgemm runs
// these at a few GFLOP/s; the core can do about 110 (AVX-512, two FMA units, 8 doubles each).
// Almost all of the difference is data movement, not arithmetic, and the cure is the blocking
// of Goto and van de Geijn (2008), used by GotoBLAS, OpenBLAS and BLIS.
//
// # The micro-kernel
//
// The innermost computation is an mr×nr tile of C held in registers (8×24 with AVX-512: 24
// ZMM registers of 8 doubles; 4×12 with AVX2: 12 YMM registers of 4) and updated kc times by
// a rank-one product: nr/8 (or nr/4) vector loads of a row of B, then mr broadcasts of a
// column of A, each multiplied into those vectors by fused multiply-adds. Every loaded element
// is used mr or nr times, so the loop is bound by the FMA units rather than by loads, and the
// 24 independent accumulators hide the FMA's latency (4 cycles × 2 units needs ≥ 8 chains).
// The kernel is Go assembly (kernel_amd64.s); C is read and written once per call.
//
// # Packing and blocking
//
// The kernel wants its operands contiguous in the order it reads them: A as panels of mr rows
// stored column by column, B as panels of nr columns stored row by row. packA and packB copy
// blocks of the operands into that order, whatever the transposes and leading dimensions,
// padding edge panels with zeros to whole tiles (edge tiles of C go through a scratch tile),
// and fold alpha into A. The loops around the kernel then choose block sizes for the caches
// (Goto and van de Geijn 2008, §§5–6; their outer two loops swapped, so that a block of A
// that holds every row, as a mini-batch does, is packed once per pc):
//
//	for pc: the inner dimension in blocks of kc
//	  for jc: columns of C in blocks of nc; pack B[pc:pc+kc, jc:jc+nc]         (kc×nc, L2)
//	    for ic: rows of C in blocks of mc; pack alpha·A[ic:ic+mc, pc:pc+kc]
//	      for ir: panels of mr rows                                          (mr×kc, L1)
//	        for jr: panels of nr columns: micro-kernel on C[ir:ir+mr, jr:jr+nr]
//
// An mr×kc panel of A (16 KiB at kc = 256) stays in L1 while the kernel sweeps the packed
// block of B (≤ kc·nc·8 bytes, under 1 MiB) from L2. Each limit is split into equal blocks
// (784 = 4 × 196, not 3 × 256 + 16) so that no block is a sliver.
//
// Packing is not negligible for a mini-batch: at m = 128 each packed element of B serves
// only 2·128 flops, so with AVX-512 the packing routines move eight elements per instruction
// (an 8×8 transpose in registers for the transposed cases), writing the bits of the scalar
// loops. The kernel prefetches its tile of C before the loop over p, because C is read only
// after it and a large C (1024×1024 is 8 MiB) misses the caches.
//
// # Choice of kernel
//
// At start-up the package asks the CPU (CPUID) and the operating system (XGETBV: the OS must
// save the ZMM or YMM registers on a context switch) which instruction sets are usable, and
// takes the AVX-512 kernel, else the AVX2+FMA one, else none: on other architectures, on
// x86-64 without AVX2 and FMA, and when built with -tags purego, Dgemm is gonum's. Kernel
// names the choice.
//
// # Results
//
// The result is deterministic: every element of C sums its products in an order fixed by the
// shapes and the kernel, so the same inputs give the same bits for a given build and CPU. The
// order differs from gonum's, so the two agree to rounding, not bit for bit: within
// k·2⁻⁵³·Σ|alpha·a·b| + |beta·c|, as TestDgemmAgainstGonum checks.
//
// K. Goto and R. A. van de Geijn, Anatomy of high-performance matrix multiplication, ACM
// Trans. Math. Softw. 34(3), 12:1–25, 2008.
package gemm

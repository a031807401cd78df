// Package cpufeat reports which vector instruction sets adjunto's assembly kernels may use on
// this CPU, asked once at start-up.
//
// An instruction set is usable only if the CPU implements it (CPUID) and the operating
// system saves and restores its registers on a context switch (XCR0, read with XGETBV): code
// that used ZMM registers the OS does not save would have them corrupted, or would fault.
// Built with -tags purego, or on another architecture, both are false and the kernels' callers
// take their pure-Go paths.
package cpufeat

// AVX2FMA and AVX512F report whether AVX2 with FMA, and AVX-512 Foundation with AVX2 and FMA,
// are usable.
var AVX2FMA, AVX512F bool

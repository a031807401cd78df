//go:build !purego

package cpufeat

// cpuid executes CPUID with EAX = leaf and ECX = subleaf.
func cpuid(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)

// xgetbv reads XCR0, the register in which the operating system says which register states
// it saves and restores on a context switch.
func xgetbv() (eax, edx uint32)

func init() { AVX2FMA, AVX512F = features() }

// features reports whether this CPU and operating system support AVX2 with FMA, and AVX-512F
// (with them). An instruction set is usable only if the CPU has it (CPUID) and the OS has
// enabled the state of its registers (XCR0 via XGETBV): a kernel that touched ZMM registers
// the OS does not save would have them corrupted by the first context switch, or fault.
func features() (avx2, avx512 bool) {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false, false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false, false
	}
	xcr0, _ := xgetbv()
	const (
		xmmYmm    = 1<<1 | 1<<2        // SSE and AVX state
		opmaskZmm = 1<<5 | 1<<6 | 1<<7 // opmask, upper halves of ZMM0–15, ZMM16–31
	)
	if xcr0&xmmYmm != xmmYmm {
		return false, false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const (
		avx2Bit    = 1 << 5
		avx512fBit = 1 << 16
	)
	avx2 = ebx7&avx2Bit != 0
	avx512 = avx2 && ebx7&avx512fBit != 0 && xcr0&opmaskZmm == opmaskZmm
	return avx2, avx512
}

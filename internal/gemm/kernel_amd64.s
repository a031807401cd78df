//go:build !purego

#include "textflag.h"

// The micro-kernels compute one tile C[0:mr, 0:nr] += A·B from packed panels: a holds kc
// groups of mr elements of A (column p of the tile's rows), b holds kc groups of nr elements
// of B (row p of the tile's columns). Each row of the tile lives in registers for the whole
// loop over p; every step broadcasts one element of A per row and multiplies it into the nr
// elements of B held in vector registers (an outer product), so that each loaded element is
// used mr or nr times. C is read and written once, at the end.

// ROW512 multiplies the broadcast a[p, i] into B's three vectors and adds to row i.
#define ROW512(off, bc, c0, c1, c2) \
	VBROADCASTSD off(SI), bc; \
	VFMADD231PD Z24, bc, c0; \
	VFMADD231PD Z25, bc, c1; \
	VFMADD231PD Z26, bc, c2

// STEP512 is one step p of the 8×24 kernel: SI points to a[p, 0:8], DI to b[p, 0:24].
#define STEP512(aoff, boff) \
	VMOVUPD boff(DI), Z24; \
	VMOVUPD boff+64(DI), Z25; \
	VMOVUPD boff+128(DI), Z26; \
	ROW512(aoff, Z27, Z0, Z1, Z2); \
	ROW512(aoff+8, Z28, Z3, Z4, Z5); \
	ROW512(aoff+16, Z29, Z6, Z7, Z8); \
	ROW512(aoff+24, Z30, Z9, Z10, Z11); \
	ROW512(aoff+32, Z31, Z12, Z13, Z14); \
	ROW512(aoff+40, Z27, Z15, Z16, Z17); \
	ROW512(aoff+48, Z28, Z18, Z19, Z20); \
	ROW512(aoff+56, Z29, Z21, Z22, Z23)

// SAVE512 adds three accumulators to a row of C at DX and moves DX to the next row.
#define SAVE512(c0, c1, c2) \
	VADDPD 0(DX), c0, c0; \
	VADDPD 64(DX), c1, c1; \
	VADDPD 128(DX), c2, c2; \
	VMOVUPD c0, 0(DX); \
	VMOVUPD c1, 64(DX); \
	VMOVUPD c2, 128(DX); \
	ADDQ R8, DX

// PREFETCHROW asks for the (up to four) cache lines of a 24-element row of C at R9 and moves
// R9 to the next row.
#define PREFETCHROW \
	PREFETCHT0 0(R9); \
	PREFETCHT0 64(R9); \
	PREFETCHT0 128(R9); \
	PREFETCHT0 184(R9); \
	ADDQ R8, R9

// func kernel8x24(kc int, a, b, c *float64, ldc int)
TEXT ·kernel8x24(SB), NOSPLIT, $0-40
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $3, R8
	// The tile of C is read only after the loop over p: fetching it now hides the miss
	// when C is larger than the caches (1024×1024 is 8 MiB).
	MOVQ DX, R9
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
	VPXORQ Z10, Z10, Z10
	VPXORQ Z11, Z11, Z11
	VPXORQ Z12, Z12, Z12
	VPXORQ Z13, Z13, Z13
	VPXORQ Z14, Z14, Z14
	VPXORQ Z15, Z15, Z15
	VPXORQ Z16, Z16, Z16
	VPXORQ Z17, Z17, Z17
	VPXORQ Z18, Z18, Z18
	VPXORQ Z19, Z19, Z19
	VPXORQ Z20, Z20, Z20
	VPXORQ Z21, Z21, Z21
	VPXORQ Z22, Z22, Z22
	VPXORQ Z23, Z23, Z23
	CMPQ CX, $2
	JLT  tail512

loop512:
	STEP512(0, 0)
	STEP512(64, 192)
	ADDQ $128, SI
	ADDQ $384, DI
	SUBQ $2, CX
	CMPQ CX, $2
	JGE  loop512

tail512:
	TESTQ CX, CX
	JZ    save512
	STEP512(0, 0)

save512:
	SAVE512(Z0, Z1, Z2)
	SAVE512(Z3, Z4, Z5)
	SAVE512(Z6, Z7, Z8)
	SAVE512(Z9, Z10, Z11)
	SAVE512(Z12, Z13, Z14)
	SAVE512(Z15, Z16, Z17)
	SAVE512(Z18, Z19, Z20)
	SAVE512(Z21, Z22, Z23)
	VZEROUPPER
	RET

// ROW256 multiplies the broadcast a[p, i] into B's three vectors and adds to row i.
#define ROW256(off, c0, c1, c2) \
	VBROADCASTSD off(SI), Y15; \
	VFMADD231PD Y12, Y15, c0; \
	VFMADD231PD Y13, Y15, c1; \
	VFMADD231PD Y14, Y15, c2

// STEP256 is one step p of the 4×12 kernel: SI points to a[p, 0:4], DI to b[p, 0:12].
#define STEP256(aoff, boff) \
	VMOVUPD boff(DI), Y12; \
	VMOVUPD boff+32(DI), Y13; \
	VMOVUPD boff+64(DI), Y14; \
	ROW256(aoff, Y0, Y1, Y2); \
	ROW256(aoff+8, Y3, Y4, Y5); \
	ROW256(aoff+16, Y6, Y7, Y8); \
	ROW256(aoff+24, Y9, Y10, Y11)

#define SAVE256(c0, c1, c2) \
	VADDPD 0(DX), c0, c0; \
	VADDPD 32(DX), c1, c1; \
	VADDPD 64(DX), c2, c2; \
	VMOVUPD c0, 0(DX); \
	VMOVUPD c1, 32(DX); \
	VMOVUPD c2, 64(DX); \
	ADDQ R8, DX

// func kernel4x12(kc int, a, b, c *float64, ldc int)
TEXT ·kernel4x12(SB), NOSPLIT, $0-40
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $3, R8
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	CMPQ CX, $2
	JLT  tail256

loop256:
	STEP256(0, 0)
	STEP256(32, 96)
	ADDQ $64, SI
	ADDQ $192, DI
	SUBQ $2, CX
	CMPQ CX, $2
	JGE  loop256

tail256:
	TESTQ CX, CX
	JZ    save256
	STEP256(0, 0)

save256:
	SAVE256(Y0, Y1, Y2)
	SAVE256(Y3, Y4, Y5)
	SAVE256(Y6, Y7, Y8)
	SAVE256(Y9, Y10, Y11)
	VZEROUPPER
	RET

// func fmaLoop512(n int)
//
// fmaLoop512 runs n steps of 16 independent 8-wide FMAs (256 flops), more chains than the FMA
// latency times the number of FMA units, so that it runs at the core's peak: the yardstick of
// BenchmarkPeak.
TEXT ·fmaLoop512(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), CX
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
	VPXORQ Z10, Z10, Z10
	VPXORQ Z11, Z11, Z11
	VPXORQ Z12, Z12, Z12
	VPXORQ Z13, Z13, Z13
	VPXORQ Z14, Z14, Z14
	VPXORQ Z15, Z15, Z15
	VPXORQ Z16, Z16, Z16
	VPXORQ Z17, Z17, Z17
	TESTQ CX, CX
	JZ   fmadone

fmaloop:
	VFMADD231PD Z16, Z17, Z0
	VFMADD231PD Z16, Z17, Z1
	VFMADD231PD Z16, Z17, Z2
	VFMADD231PD Z16, Z17, Z3
	VFMADD231PD Z16, Z17, Z4
	VFMADD231PD Z16, Z17, Z5
	VFMADD231PD Z16, Z17, Z6
	VFMADD231PD Z16, Z17, Z7
	VFMADD231PD Z16, Z17, Z8
	VFMADD231PD Z16, Z17, Z9
	VFMADD231PD Z16, Z17, Z10
	VFMADD231PD Z16, Z17, Z11
	VFMADD231PD Z16, Z17, Z12
	VFMADD231PD Z16, Z17, Z13
	VFMADD231PD Z16, Z17, Z14
	VFMADD231PD Z16, Z17, Z15
	DECQ CX
	JNZ  fmaloop

fmadone:
	VZEROUPPER
	RET

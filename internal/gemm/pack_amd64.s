//go:build !purego

#include "textflag.h"

// Packing with AVX-512. At the 1024-wide layer shapes of a mini-batch of 128, each element
// of the packed operand serves only 2·128 flops, so scalar packing (about 1 ns an element)
// took a third of the product's time; these move eight elements per instruction.

// func transpose8x8(dst *float64, width int, src *float64, ld int, blocks int, alpha float64)
//
// For q < 8·blocks and i < 8: dst[q·width + i] = alpha·src[i·ld + q]. Eight rows of eight
// elements are loaded, transposed in registers (unpack pairs, then two rounds of 128-bit
// lane shuffles) and stored as eight runs of eight.
TEXT ·transpose8x8(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ width+8(FP), R8
	MOVQ src+16(FP), SI
	MOVQ ld+24(FP), R9
	MOVQ blocks+32(FP), CX
	VBROADCASTSD alpha+40(FP), Z31
	SHLQ $3, R8              // width in bytes
	SHLQ $3, R9              // ld in bytes
	LEAQ (R9)(R9*2), R10     // 3·ld
	LEAQ (SI)(R9*4), R11     // row 4
	LEAQ (R8)(R8*2), R12     // 3·width
	LEAQ (R8)(R8*4), R13     // 5·width
	LEAQ (R12)(R8*4), AX     // 7·width
	MOVQ R8, BX
	SHLQ $3, BX              // 8·width
	TESTQ CX, CX
	JZ   tdone

tloop:
	VMULPD (SI), Z31, Z0
	VMULPD (SI)(R9*1), Z31, Z1
	VMULPD (SI)(R9*2), Z31, Z2
	VMULPD (SI)(R10*1), Z31, Z3
	VMULPD (R11), Z31, Z4
	VMULPD (R11)(R9*1), Z31, Z5
	VMULPD (R11)(R9*2), Z31, Z6
	VMULPD (R11)(R10*1), Z31, Z7
	// t0..t7: pairs of rows interleaved within each 128-bit lane.
	VUNPCKLPD Z1, Z0, Z8
	VUNPCKHPD Z1, Z0, Z9
	VUNPCKLPD Z3, Z2, Z10
	VUNPCKHPD Z3, Z2, Z11
	VUNPCKLPD Z5, Z4, Z12
	VUNPCKHPD Z5, Z4, Z13
	VUNPCKLPD Z7, Z6, Z14
	VUNPCKHPD Z7, Z6, Z15
	// u: lanes 0,2 (0x88) or 1,3 (0xDD) of two t's.
	VSHUFF64X2 $0x88, Z10, Z8, Z16
	VSHUFF64X2 $0x88, Z14, Z12, Z17
	VSHUFF64X2 $0xDD, Z10, Z8, Z18
	VSHUFF64X2 $0xDD, Z14, Z12, Z19
	VSHUFF64X2 $0x88, Z11, Z9, Z20
	VSHUFF64X2 $0x88, Z15, Z13, Z21
	VSHUFF64X2 $0xDD, Z11, Z9, Z22
	VSHUFF64X2 $0xDD, Z15, Z13, Z23
	// Columns 0..7 of the eight rows.
	VSHUFF64X2 $0x88, Z17, Z16, Z0
	VSHUFF64X2 $0xDD, Z17, Z16, Z4
	VSHUFF64X2 $0x88, Z19, Z18, Z2
	VSHUFF64X2 $0xDD, Z19, Z18, Z6
	VSHUFF64X2 $0x88, Z21, Z20, Z1
	VSHUFF64X2 $0xDD, Z21, Z20, Z5
	VSHUFF64X2 $0x88, Z23, Z22, Z3
	VSHUFF64X2 $0xDD, Z23, Z22, Z7
	VMOVUPD Z0, (DI)
	VMOVUPD Z1, (DI)(R8*1)
	VMOVUPD Z2, (DI)(R8*2)
	VMOVUPD Z3, (DI)(R12*1)
	VMOVUPD Z4, (DI)(R8*4)
	VMOVUPD Z5, (DI)(R13*1)
	VMOVUPD Z6, (DI)(R12*2)
	VMOVUPD Z7, (DI)(AX*1)
	ADDQ $64, SI
	ADDQ $64, R11
	ADDQ BX, DI
	DECQ CX
	JNZ  tloop

tdone:
	VZEROUPPER
	RET

// func copy8(dst *float64, width int, src *float64, ld int, kb int, alpha float64)
//
// For p < kb and j < width (a multiple of 8): dst[p·width + j] = alpha·src[p·ld + j].
TEXT ·copy8(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ width+8(FP), R8
	MOVQ src+16(FP), SI
	MOVQ ld+24(FP), R9
	MOVQ kb+32(FP), CX
	VBROADCASTSD alpha+40(FP), Z31
	SHLQ $3, R9
	SHRQ $3, R8              // vectors per row
	TESTQ CX, CX
	JZ   cdone
	TESTQ R8, R8
	JZ   cdone

crow:
	MOVQ R8, DX
	MOVQ SI, AX

cvec:
	VMULPD (AX), Z31, Z0
	VMOVUPD Z0, (DI)
	ADDQ $64, AX
	ADDQ $64, DI
	DECQ DX
	JNZ  cvec
	ADDQ R9, SI
	DECQ CX
	JNZ  crow

cdone:
	VZEROUPPER
	RET

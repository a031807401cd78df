//go:build !purego

#include "textflag.h"

// TANHCHAIN8 sets Z1 = (1 − y·y)·src in the lanes of the mask K1 (no fused multiply-add, as
// in the scalar loop), adds dst when acc (BL ≠ 0), and stores those lanes.
#define TANHCHAIN8 \
	VMOVUPD.Z    (R8), K1, Z0; \
	VMULPD       Z0, Z0, Z0; \
	VSUBPD       Z0, Z30, Z0; \
	VMULPD.Z     (SI), Z0, K1, Z1; \
	TESTB        BL, BL; \
	JZ           2(PC); \
	VADDPD.Z     (DI), Z1, K1, Z1; \
	VMOVUPD      Z1, K1, (DI)

// func tanhChainAVX512(dst, src, y *float64, n int, acc bool)
TEXT ·tanhChainAVX512(SB), NOSPLIT, $0-33
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ y+16(FP), R8
	MOVQ n+24(FP), CX
	MOVB acc+32(FP), BL
	MOVQ $0x3ff0000000000000, AX // 1.0
	VPBROADCASTQ AX, Z30
	MOVQ $0xff, AX
	KMOVW AX, K1

loop:
	CMPQ CX, $8
	JLT  tail
	TANHCHAIN8
	ADDQ $64, DI
	ADDQ $64, SI
	ADDQ $64, R8
	SUBQ $8, CX
	JMP  loop

tail:
	TESTQ CX, CX
	JZ    done
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	KMOVW AX, K1
	TANHCHAIN8

done:
	VZEROUPPER
	RET

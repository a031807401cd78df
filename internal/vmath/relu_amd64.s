//go:build !purego

#include "textflag.h"

// RELU8 loads src where x > 0 (ordered: false for NaN) and 0 elsewhere into Z1, under the
// mask K1 of the lanes to touch; with acc (BL ≠ 0) it adds dst.
#define RELU8 \
	VMOVUPD.Z    (R8), K1, Z0; \
	VCMPPD       $0x1e, Z31, Z0, K1, K2; \
	VMOVUPD.Z    (SI), K2, Z1; \
	TESTB        BL, BL; \
	JZ           2(PC); \
	VADDPD.Z     (DI), Z1, K1, Z1; \
	VMOVUPD      Z1, K1, (DI)

// func reluAVX512(dst, src, x *float64, n int, acc bool)
TEXT ·reluAVX512(SB), NOSPLIT, $0-33
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ x+16(FP), R8
	MOVQ n+24(FP), CX
	MOVB acc+32(FP), BL
	VPXORQ Z31, Z31, Z31
	MOVQ $0xff, AX
	KMOVW AX, K1

loop:
	CMPQ CX, $8
	JLT  tail
	RELU8
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
	RELU8

done:
	VZEROUPPER
	RET

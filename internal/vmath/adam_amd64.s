//go:build !purego

#include "textflag.h"

// ADAM8 updates the components in Z0 (x), Z1 (grad), Z2 (m), Z3 (v) with the operations of
// adamScalar in its order, leaving the new x, m, v in Z11, Z2, Z3.
#define ADAM8 \
	VMULPD  Z20, Z0, Z4; \
	VADDPD  Z4, Z1, Z1; \
	VMULPD  Z21, Z2, Z5; \
	VMULPD  Z22, Z1, Z6; \
	VADDPD  Z6, Z5, Z2; \
	VMULPD  Z23, Z3, Z8; \
	VMULPD  Z24, Z1, Z7; \
	VMULPD  Z1, Z7, Z7; \
	VADDPD  Z7, Z8, Z3; \
	VSQRTPD Z3, Z9; \
	VMULPD  Z26, Z9, Z9; \
	VADDPD  Z27, Z9, Z9; \
	VMULPD  Z25, Z2, Z10; \
	VDIVPD  Z9, Z10, Z10; \
	VMULPD  Z28, Z0, Z11; \
	VSUBPD  Z10, Z11, Z11

// func adamAVX512(x, grad, m, v *float64, n int, c *[9]float64)
TEXT ·adamAVX512(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), AX
	VBROADCASTSD 0(AX), Z20  // λ
	VBROADCASTSD 8(AX), Z21  // β₁
	VBROADCASTSD 16(AX), Z22 // 1−β₁
	VBROADCASTSD 24(AX), Z23 // β₂
	VBROADCASTSD 32(AX), Z24 // 1−β₂
	VBROADCASTSD 40(AX), Z25 // stepSize
	VBROADCASTSD 48(AX), Z26 // invBC2
	VBROADCASTSD 56(AX), Z27 // ε
	VBROADCASTSD 64(AX), Z28 // shrink
	CMPQ CX, $8
	JLT  tail

loop:
	VMOVUPD (DI), Z0
	VMOVUPD (SI), Z1
	VMOVUPD (R8), Z2
	VMOVUPD (R9), Z3
	ADAM8
	VMOVUPD Z11, (DI)
	VMOVUPD Z2, (R8)
	VMOVUPD Z3, (R9)
	ADDQ $64, DI
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $64, R9
	SUBQ $8, CX
	CMPQ CX, $8
	JGE  loop

tail:
	TESTQ CX, CX
	JZ    done
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	KMOVW AX, K1
	VMOVUPD.Z (DI), K1, Z0
	VMOVUPD.Z (SI), K1, Z1
	VMOVUPD.Z (R8), K1, Z2
	VMOVUPD.Z (R9), K1, Z3
	ADAM8
	VMOVUPD Z11, K1, (DI)
	VMOVUPD Z2, K1, (R8)
	VMOVUPD Z3, K1, (R9)

done:
	VZEROUPPER
	RET

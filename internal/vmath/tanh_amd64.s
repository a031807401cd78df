//go:build !purego

#include "textflag.h"

#define BCAST(bits, z) MOVQ $bits, AX; VPBROADCASTQ AX, z

// TANH8 sets Z9 = tanh(Z0) for the 8 doubles of Z0 (see tanhAVX512 in tanh_amd64.go):
// u = expm1(2x) = 2^k (1 + p(r)) − 1 with 2x = k ln2 + r, then u/(u+2), x's sign and NaNs.
#define TANH8 \
	VMULPD       Z16, Z0, Z1; \
	VMINPD       Z17, Z1, Z1; \
	VMAXPD       Z18, Z1, Z1; \
	VMULPD       Z19, Z1, Z2; \
	VRNDSCALEPD  $8, Z2, Z2; \
	VMOVAPD      Z1, Z3; \
	VFNMADD231PD Z20, Z2, Z3; \
	VFNMADD231PD Z21, Z2, Z3; \
	VMOVAPD      Z23, Z4; \
	VFMADD213PD  Z24, Z3, Z4; \
	VFMADD213PD  Z25, Z3, Z4; \
	VFMADD213PD  Z26, Z3, Z4; \
	VFMADD213PD  Z27, Z3, Z4; \
	VFMADD213PD  Z28, Z3, Z4; \
	VFMADD213PD  Z29, Z3, Z4; \
	VFMADD213PD  Z30, Z3, Z4; \
	VFMADD213PD  Z31, Z3, Z4; \
	VFMADD213PD  Z12, Z3, Z4; \
	VFMADD213PD  Z13, Z3, Z4; \
	VFMADD213PD  Z14, Z3, Z4; \
	VMULPD       Z3, Z3, Z5; \
	VFMADD213PD  Z3, Z5, Z4; \
	VSCALEFPD    Z2, Z22, Z6; \
	VSUBPD       Z22, Z6, Z7; \
	VFMADD213PD  Z7, Z6, Z4; \
	VADDPD       Z16, Z4, Z8; \
	VDIVPD       Z8, Z4, Z9; \
	VPANDQ       Z15, Z0, Z10; \
	VPANDNQ      Z9, Z15, Z9; \
	VPORQ        Z10, Z9, Z9; \
	VCMPPD       $3, Z0, Z0, K2; \
	VMOVAPD      Z0, K2, Z9

// func tanhAVX512(dst, x *float64, n int)
TEXT ·tanhAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	BCAST(0x4000000000000000, Z16) // 2
	BCAST(0x4044000000000000, Z17) // 40
	BCAST(0xc044000000000000, Z18) // −40
	BCAST(0x3ff71547652b82fe, Z19) // 1/ln2
	BCAST(0x3fe62e42fee00000, Z20) // ln2, high bits: k·ln2Hi is exact
	BCAST(0x3dea39ef35793c76, Z21) // ln2 − ln2Hi
	BCAST(0x3ff0000000000000, Z22) // 1
	BCAST(0x8000000000000000, Z15) // the sign bit
	BCAST(0x3de6124613a86d09, Z23) // 1/13!
	BCAST(0x3e21eed8eff8d898, Z24) // 1/12!
	BCAST(0x3e5ae64567f544e4, Z25) // 1/11!
	BCAST(0x3e927e4fb7789f5c, Z26) // 1/10!
	BCAST(0x3ec71de3a556c734, Z27) // 1/9!
	BCAST(0x3efa01a01a01a01a, Z28) // 1/8!
	BCAST(0x3f2a01a01a01a01a, Z29) // 1/7!
	BCAST(0x3f56c16c16c16c17, Z30) // 1/6!
	BCAST(0x3f81111111111111, Z31) // 1/5!
	BCAST(0x3fa5555555555555, Z12) // 1/4!
	BCAST(0x3fc5555555555555, Z13) // 1/3!
	BCAST(0x3fe0000000000000, Z14) // 1/2
	CMPQ CX, $8
	JLT  tail

loop:
	VMOVUPD (SI), Z0
	TANH8
	VMOVUPD Z9, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $8, CX
	CMPQ CX, $8
	JGE  loop

tail:
	TESTQ CX, CX
	JZ    done
	// The last 1–7 elements under a mask: the same arithmetic as the others, and no access
	// beyond the slices.
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	KMOVW AX, K1
	VMOVUPD.Z (SI), K1, Z0
	TANH8
	VMOVUPD Z9, K1, (DI)

done:
	VZEROUPPER
	RET

//go:build !purego

#include "textflag.h"
#include "chain_amd64.h"

// TANHCHAIN8 sets Z1 = (1 − y·y)·src in the lanes of the mask K1 (no fused multiply-add, as
// in the scalar loop), with y at R8 and the constant 1 in Z30.
#define TANHCHAIN8 \
	VMOVUPD.Z    (R8), K1, Z0; \
	VMULPD       Z0, Z0, Z0; \
	VSUBPD       Z0, Z30, Z0; \
	VMULPD.Z     (SI), Z0, K1, Z1

// func tanhChainAVX512(dst, src, aux *float64, n int, acc bool)
TEXT ·tanhChainAVX512(SB), NOSPLIT, $0-33
	MOVQ         $0x3ff0000000000000, AX // 1.0
	VPBROADCASTQ AX, Z30
	CHAINLOOP(TANHCHAIN8)

//go:build !purego

#include "textflag.h"
#include "chain_amd64.h"

// RELU8 loads src where x > 0 (x at R8; ordered: false for NaN) and 0 elsewhere into Z1, in
// the lanes of the mask K1.
#define RELU8 \
	VMOVUPD.Z    (R8), K1, Z0; \
	VCMPPD       $0x1e, Z31, Z0, K1, K2; \
	VMOVUPD.Z    (SI), K2, Z1

// func reluAVX512(dst, src, aux *float64, n int, acc bool)
TEXT ·reluAVX512(SB), NOSPLIT, $0-33
	VPXORQ Z31, Z31, Z31
	CHAINLOOP(RELU8)

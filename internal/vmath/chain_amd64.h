// CHAINLOOP is the loop of the elementwise chain-rule kernels, func(dst, src, aux *float64,
// n int, acc bool): it loads the arguments into DI, SI, R8, CX and BL and runs BODY, which
// reads src at SI and aux at R8 in the lanes of the mask K1 and leaves its result in Z1, over
// eight elements at a time and once more, under a narrower K1, over the n mod 8 left. After
// each BODY it adds dst to Z1 when acc (BL ≠ 0) and stores the lanes of K1 into dst.
#define CHAINSTORE \
	TESTB    BL, BL; \
	JZ       2(PC); \
	VADDPD.Z (DI), Z1, K1, Z1; \
	VMOVUPD  Z1, K1, (DI)

#define CHAINLOOP(BODY) \
	MOVQ dst+0(FP), DI; \
	MOVQ src+8(FP), SI; \
	MOVQ aux+16(FP), R8; \
	MOVQ n+24(FP), CX; \
	MOVB acc+32(FP), BL; \
	MOVQ $0xff, AX; \
	KMOVW AX, K1; \
loop: \
	CMPQ CX, $8; \
	JLT  tail; \
	BODY; \
	CHAINSTORE; \
	ADDQ $64, DI; \
	ADDQ $64, SI; \
	ADDQ $64, R8; \
	SUBQ $8, CX; \
	JMP  loop; \
tail: \
	TESTQ CX, CX; \
	JZ    done; \
	MOVQ $1, AX; \
	SHLQ CX, AX; \
	DECQ AX; \
	KMOVW AX, K1; \
	BODY; \
	CHAINSTORE; \
done: \
	VZEROUPPER; \
	RET

package vmath

import (
	"fmt"
	"math"
)

// Tanh sets dst[i] = tanh(x[i]) for every i < len(x), within a few ulp of math.Tanh (see
// TestTanhAccuracy) and several times faster: eight at a time with AVX-512 where the CPU has it
// (tanhAVX512), the branch-free scalar tanh elsewhere. dst and x may be the same slice.
// The two kernels use different formulas, so their last bits can differ; each is
// deterministic.
func Tanh(dst, x []float64) {
	if len(dst) < len(x) {
		panic(fmt.Sprintf("vmath: Tanh: len(dst) = %d < len(x) = %d", len(dst), len(x)))
	}
	if len(x) == 0 {
		return
	}
	if vectorTanh {
		tanhVector(dst, x)
		return
	}
	for i, v := range x {
		dst[i] = tanh(v)
	}
}

// tanh is math.Tanh to within a few ulp at a fraction of its cost: the activation of the
// course's networks, where it dominates a training step. math.Tanh branches between a rational
// approximation (|x| < 0.625) and 1 − 2/(e^{2|x|}+1) and calls math.Exp, and so mispredicts on
// the mixed magnitudes of pre-activations and has a long dependency chain; this one has no
// data-dependent branch. With u = e^{2x} − 1,
//
//	tanh x = u / (u + 2),
//
// for either sign of x, with no cancellation for small |x| as long as u is accurate there. u
// comes from the table-driven reduction e^y = 2^m · 2^{j/32} · e^r with k = 32m + j =
// round(32y/ln2) and |r| ≤ ln2/64 (Tang 1989): u = (S − 1) + S·expm1(r) with S = 2^m·2^{j/32}
// held as hi + lo. S − 1 is exact when S is within a factor 2 of 1 (Sterbenz), and expm1(r) is
// its Taylor polynomial of degree 7, whose remainder r⁸/8! is below 2^−60 relative. For k = 0
// (|x| < ln2/128) u is expm1(2x) itself. x is clamped to ±20, beyond which the quotient rounds
// to ±1 (from 19.06 on). TestTanhAccuracy checks it against math.Tanh.
// It is Tanh where there is no vector kernel.
//
// P. T. P. Tang, Table-driven implementation of the exponential function in IEEE floating-point
// arithmetic, ACM Trans. Math. Softw. 15(2), 144–157, 1989.
func tanh(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01 / 32 // the high bits of ln2/32: k·ln2Hi is exact
		ln2Lo = 1.90821492927058770002e-10 / 32
		inv   = 32 * 1.44269504088896338700e+00 // 32/ln2
		round = 0x1.8p52                        // adding it rounds to an integer held in the low bits
	)
	const c2, c3, c4, c5, c6, c7 = 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040
	y := 2 * x
	switch { // rare cases, so predicted branches: no cost in the common case
	case y > 40:
		y = 40
	case y < -40:
		y = -40
	case y == 0:
		return x // keeps the sign of −0
	}
	t := y*inv + round
	k := int64(math.Float64bits(t) - math.Float64bits(round)) // NaN gives garbage k and NaN below
	kf := t - round
	r := (y - kf*ln2Hi) - kf*ln2Lo
	r2 := r * r
	p := r + r2*((c2+c3*r)+r2*((c4+c5*r)+r2*(c6+c7*r)))
	scale := math.Float64frombits(uint64(k>>5+1023) << 52)
	j := k & 31
	hi, lo := tanhExp2Hi[j]*scale, tanhExp2Lo[j]*scale
	u := (hi - 1) + (hi*p + lo)
	return u / (u + 2)
}

// tanhExp2Hi[j] + tanhExp2Lo[j] is 2^{j/32} to about 107 bits (computed in 60-digit decimal).
var tanhExp2Hi = [32]float64{
	1.0, 1.0218971486541166, 1.0442737824274138, 1.0671404006768237,
	1.0905077326652577, 1.1143867425958924, 1.1387886347566916, 1.1637248587775775,
	1.189207115002721, 1.215247359980469, 1.241857812073484, 1.2690509571917332,
	1.2968395546510096, 1.3252366431597413, 1.3542555469368927, 1.383909881963832,
	1.4142135623730951, 1.4451808069770467, 1.4768261459394993, 1.5091644275934228,
	1.5422108254079407, 1.5759808451078865, 1.6104903319492543, 1.645755478153965,
	1.681792830507429, 1.718619298122478, 1.7562521603732995, 1.7947090750031072,
	1.8340080864093424, 1.8741676341103, 1.9152065613971474, 1.9571441241754002,
}

var tanhExp2Lo = [32]float64{
	0.0, 5.109225028973444e-17, 8.551889705537965e-17, -7.899853966841582e-17,
	-3.046782079812471e-17, 1.0410278456845571e-16, 8.912812676025408e-17, 3.8292048369240935e-17,
	3.982015231465646e-17, -7.712630692681488e-17, 4.658027591836937e-17, 2.667932131342186e-18,
	2.5382502794888315e-17, -2.8587312100388614e-17, 7.70094837980299e-17, -6.770511658794786e-17,
	-9.667293313452913e-17, -3.0237581349939873e-17, -3.483994556892796e-17, -1.016455327754295e-16,
	7.949834809697621e-17, -1.0136916471278304e-17, 2.4707192569797888e-17, -1.0125679913674773e-16,
	8.199010020581497e-17, -1.851380418263111e-17, 2.960140695448873e-17, 1.8227458427912087e-17,
	3.283107224245627e-17, -6.122763413004143e-17, -1.0619946056195963e-16, 8.960767791036668e-17,
}

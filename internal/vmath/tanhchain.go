package vmath

import "fmt"

// TanhChain applies the Jacobian of tanh, given its values y = tanh(x), to src:
// dst[i] = (1 − y[i]·y[i])·src[i], or, with acc, adds that to dst[i]: the tangent and the
// adjoint rule of the engine's Tanh. The AVX-512 kernel does the same three operations in
// the same order, eight at a time, so both give the same bits (NaN payloads aside: which of
// two NaN operands an addition passes on is the compiler's choice in the scalar loop).
func TanhChain(dst, src, y []float64, acc bool) {
	n := len(src)
	if len(dst) < n || len(y) < n {
		panic(fmt.Sprintf("vmath: TanhChain: lengths dst %d, src %d, y %d", len(dst), n, len(y)))
	}
	if n == 0 {
		return
	}
	if vectorTanhChain {
		tanhChainVector(dst, src, y, acc)
		return
	}
	tanhChainScalar(dst[:n], src, y[:n], acc)
}

func tanhChainScalar(dst, src, y []float64, acc bool) {
	for i, s := range src {
		v := (1 - y[i]*y[i]) * s
		if acc {
			dst[i] += v
		} else {
			dst[i] = v
		}
	}
}

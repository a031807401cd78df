package vmath

import "fmt"

// ReLUChain applies the Jacobian of ReLU at x to src: dst[i] = src[i] where x[i] > 0 and 0
// elsewhere (NaN included), or, with acc, adds that to dst[i]: the tangent and the adjoint
// rule of the engine's ReLU. The scalar loop branches on the sign of x, which on the
// pre-activations of a network is a coin toss that the branch predictor loses half the time;
// the AVX-512 kernel compares eight at a time into a mask instead. Both give the same bits.
func ReLUChain(dst, src, x []float64, acc bool) {
	n := len(src)
	if len(dst) < n || len(x) < n {
		panic(fmt.Sprintf("vmath: ReLUChain: lengths dst %d, src %d, x %d", len(dst), n, len(x)))
	}
	if n == 0 {
		return
	}
	if vectorReLU {
		reluVector(dst, src, x, acc)
		return
	}
	reluScalar(dst[:n], src, x[:n], acc)
}

func reluScalar(dst, src, x []float64, acc bool) {
	for i, s := range src {
		if !(x[i] > 0) {
			s = 0
		}
		if acc {
			dst[i] += s
		} else {
			dst[i] = s
		}
	}
}

package vmath

import (
	"fmt"
	"math"
)

// AdamCoeffs are the scalars of one Adam step (see Adam).
type AdamCoeffs struct {
	L2           float64 // λ of the L2 term added to the gradient
	Beta1, Beta2 float64 // β₁, β₂
	StepSize     float64 // η/(1−β₁ᵗ)
	InvBC2       float64 // 1/√(1−β₂ᵗ)
	Eps          float64 // ε
	Shrink       float64 // 1 − η·(decoupled weight decay)
}

// Adam makes one Adam step in place, for every i < len(grad):
//
//	g ← grad_i + λ x_i
//	m_i ← β₁ m_i + (1−β₁) g
//	v_i ← β₂ v_i + (1−β₂) g²
//	x_i ← x_i·shrink − stepSize·m_i / (√v_i · invBC2 + ε)
//
// eight components at a time with AVX-512 where the CPU has it. The vector kernel does the same
// correctly rounded operations in the same order as the scalar loop (no fused multiply-adds), so
// the two give the same bits: an optimiser's path does not depend on the CPU's vector width.
// It is memory-bound where the scalar loop is bound by the latency of √ and ÷.
func Adam(x, grad, m, v []float64, c AdamCoeffs) {
	n := len(grad)
	if len(x) < n || len(m) < n || len(v) < n {
		panic(fmt.Sprintf("vmath: Adam: lengths x %d, grad %d, m %d, v %d", len(x), n, len(m), len(v)))
	}
	if n == 0 {
		return
	}
	if vectorAdam {
		adamVector(x, grad, m, v, &c)
		return
	}
	adamScalar(x[:n], grad, m[:n], v[:n], c)
}

func adamScalar(x, grad, m, v []float64, c AdamCoeffs) {
	b1, b2 := c.Beta1, c.Beta2
	for i, g := range grad {
		w := x[i]
		g += c.L2 * w
		mi := b1*m[i] + (1-b1)*g
		vi := b2*v[i] + (1-b2)*g*g
		m[i], v[i] = mi, vi
		x[i] = w*c.Shrink - c.StepSize*mi/(math.Sqrt(vi)*c.InvBC2+c.Eps)
	}
}

package fourdvar

import (
	"math"

	"github.com/adjunto/adjunto/optimize"
)

// NeedsHessVec reports whether method m needs optimize.Problem.HessVec: Newton's method,
// which Strong serves with Gauss-Newton products and Weak cannot serve.
func NeedsHessVec(m optimize.Method) bool { return optimize.NeedsHessVec(m) }

// HessVec sets dst = (H_b + Gᵀ G) u, the Gauss-Newton Hessian of J at z times u (see
// GaussNewtonVec), first linearising about z when z is not the point of the last
// evaluation. It is optimize.Problem.HessVec, through which Newton's method minimises the
// cost: Gauss-Newton, since J_o is a least-squares term. Each product costs one
// tangent-linear and one adjoint integration.
func (c *Strong) HessVec(dst, z, u []float64) {
	c.checkLen("HessVec", z)
	c.checkLen("HessVec", u)
	if !c.linearisedAt(z) {
		c.Linearize(z)
	}
	if len(c.gnScratch) != c.obs.m {
		c.gnScratch = make([]float64, c.obs.m)
	}
	c.GaussNewtonVec(dst, u, c.gnScratch)
}

// linearisedAt reports whether the last evaluation was at z, bit for bit.
func (c *Strong) linearisedAt(z []float64) bool {
	if len(c.lastZ) != len(z) {
		return false
	}
	for i, v := range z {
		if math.Float64bits(v) != math.Float64bits(c.lastZ[i]) {
			return false
		}
	}
	return true
}

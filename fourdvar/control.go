package fourdvar

// The background terms of Strong and Weak all have one form. A block z of the control
// vector stands for a physical vector x (an initial state, the parameters, a model error)
// with a prior ref (x_b, p_b; zero for a model error) and an error covariance C (B, B_p, Q):
//
//	control-variable transform:  x = ref + C^{1/2} z,  J = ½‖z‖²,               ∇J = z;
//	StateControl:                 x = z,                J = ½‖C^{-1/2}(x − ref)‖², ∇J = C⁻¹(x − ref).
//
// The three functions below are those maps, shared by every block of every variant, so that
// each is written once and the variants agree to the last bit.

// fromControl sets x = ref + C^{1/2} z, the physical vector z stands for under the
// control-variable transform; a nil ref is zero.
func fromControl(x, z, ref []float64, c Covariance) {
	c.SqrtMul(x, z)
	for i, r := range ref {
		x[i] += r
	}
}

// whiten sets w = C^{-1/2}(x − ref), with d (of x's length) as scratch; a nil ref is zero.
func whiten(w, d, x, ref []float64, c Covariance) {
	if ref == nil {
		c.SqrtSolve(w, x)
		return
	}
	for i := range d {
		d[i] = x[i] - ref[i]
	}
	c.SqrtSolve(w, d)
}

// addPrecision adds C⁻¹(x − ref) to g, the gradient of ½‖C^{-1/2}(x − ref)‖², with d and w
// (of x's length) as scratch; a nil ref is zero, so that with x = u it adds C⁻¹u, the
// Hessian's product.
func addPrecision(g, d, w, x, ref []float64, c Covariance) {
	whiten(w, d, x, ref, c)
	c.SqrtSolve(d, w)
	for i, v := range d {
		g[i] += v
	}
}

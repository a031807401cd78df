package qg

// The finite-difference operators of the model on the doubly periodic n×n grid with spacing
// h, state index j·n + i for row j (y) and column i (x). Each writes dst, which must not
// alias its inputs.

// neighbours returns the indices of the columns i−1 and i+1 (or the rows j−1 and j+1) on
// the periodic axis of n points.
func neighbours(i, n int) (im, ip int) {
	im, ip = i-1, i+1
	if im < 0 {
		im = n - 1
	}
	if ip == n {
		ip = 0
	}
	return im, ip
}

// laplacian sets dst = Δ_h a, the five-point Laplacian (a_E + a_W + a_N + a_S − 4a)/h².
func laplacian(dst, a []float64, n int, h2inv float64) {
	for j := range n {
		jm, jp := neighbours(j, n)
		row, up, down := a[j*n:(j+1)*n], a[jp*n:(jp+1)*n], a[jm*n:(jm+1)*n]
		d := dst[j*n : (j+1)*n]
		for i := range n {
			im, ip := neighbours(i, n)
			d[i] = h2inv * (((row[ip] + row[im]) + (up[i] + down[i])) - 4*row[i])
		}
	}
}

// ddx sets dst = δ_x a, the centred difference (a_E − a_W)/(2h).
func ddx(dst, a []float64, n int, inv2h float64) {
	for j := range n {
		row, d := a[j*n:(j+1)*n], dst[j*n:(j+1)*n]
		for i := range n {
			im, ip := neighbours(i, n)
			d[i] = inv2h * (row[ip] - row[im])
		}
	}
}

// arakawa sets dst = J(a, b), Arakawa's (1966) Jacobian: the mean of the three second-order
// forms J⁺⁺, J⁺ˣ and Jˣ⁺ of a_x b_y − a_y b_x, which conserves both Σ a J(a, b) and
// Σ b J(a, b) on a periodic grid. c is 1/(12h²).
//
// The sum is totally antisymmetric, Σ c·J(a, b) = Σ a·J(b, c) = −Σ a·J(c, b): the adjoint
// of b ↦ J(a, b) is w ↦ J(w, a) and that of a ↦ J(a, b) is w ↦ J(b, w).
func arakawa(dst, a, b []float64, n int, c float64) {
	for j := range n {
		jm, jp := neighbours(j, n)
		a0, aN, aS := a[j*n:(j+1)*n], a[jp*n:(jp+1)*n], a[jm*n:(jm+1)*n]
		b0, bN, bS := b[j*n:(j+1)*n], b[jp*n:(jp+1)*n], b[jm*n:(jm+1)*n]
		d := dst[j*n : (j+1)*n]
		for i := range n {
			im, ip := neighbours(i, n)
			// J⁺⁺: centred differences of a and b.
			jpp := (a0[ip]-a0[im])*(bN[i]-bS[i]) - (aN[i]-aS[i])*(b0[ip]-b0[im])
			// J⁺ˣ: a at the four sides, differences of b along them.
			jpx := a0[ip]*(bN[ip]-bS[ip]) - a0[im]*(bN[im]-bS[im]) -
				aN[i]*(bN[ip]-bN[im]) + aS[i]*(bS[ip]-bS[im])
			// Jˣ⁺: b at the four sides, differences of a along them.
			jxp := bN[i]*(aN[ip]-aN[im]) - bS[i]*(aS[ip]-aS[im]) -
				b0[ip]*(aN[ip]-aS[ip]) + b0[im]*(aN[im]-aS[im])
			d[i] = c * ((jpp + jpx) + jxp)
		}
	}
}

package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/adjunto/adjunto/adjoint"
)

// The fused primitives of this package: each has a forward rule, a tangent rule and an
// adjoint rule written by hand and joins a tape with Tape.Apply; the tests check them with
// package verify.

// dropoutOp is inverted dropout y = m ⊙ x with m_i = 0 with probability p and 1/(1−p)
// otherwise. Forward draws a new mask on every call, so that a tape replayed once per
// mini-batch drops other units each step; the tangent and adjoint rules use the mask of the
// last Forward, the linearisation point. With frozen set, Forward keeps the mask, which makes
// y a fixed linear map for the verification checks.
type dropoutOp struct {
	p      float64
	rng    *rand.Rand
	mask   []float64
	frozen bool
}

func (*dropoutOp) Name() string { return "Dropout" }

func (d *dropoutOp) Forward(out *adjoint.Value, in []*adjoint.Value) {
	x, y := in[0].Data, out.Data
	if len(d.mask) != len(x) {
		d.mask = make([]float64, len(x))
		d.frozen = false
	}
	if !d.frozen {
		scale := 1 / (1 - d.p)
		for i := range d.mask {
			d.mask[i] = scale
			if d.rng.Float64() < d.p {
				d.mask[i] = 0
			}
		}
	}
	for i, v := range x {
		y[i] = v * d.mask[i]
	}
}

func (d *dropoutOp) Tangent(out *adjoint.Value, in []*adjoint.Value) {
	dx := in[0].Tan
	if dx == nil {
		clear(out.Tan)
		return
	}
	for i, v := range dx {
		out.Tan[i] = v * d.mask[i]
	}
}

func (d *dropoutOp) Adjoint(out *adjoint.Value, in []*adjoint.Value) {
	ax := in[0].Adj
	if ax == nil {
		return
	}
	for i, g := range out.Adj {
		ax[i] += g * d.mask[i]
	}
}

// batchNormOp is batch normalisation of each column j of a batch X (B×n) in training mode,
//
//	x̂_ij = (x_ij − μ_j)/√(σ²_j + ε),  y_ij = γ_j x̂_ij + β_j,
//
// with the batch mean μ_j and the biased batch variance σ²_j (Ioffe and Szegedy 2015). Its
// inputs are X, γ and β. Forward also moves the running statistics towards the batch ones
// (with the unbiased variance, as PyTorch does) unless frozen is set; it keeps x̂ and 1/√(σ²+ε)
// for the linearisation, since μ and σ depend on the whole batch. The adjoint is
//
//	γ̃_j += Σ_i ỹ_ij x̂_ij,  β̃_j += Σ_i ỹ_ij,
//	x̃_ij += (s_j/B) (B g_ij − Σ_k g_kj − x̂_ij Σ_k g_kj x̂_kj),  g = γ ⊙ ỹ, s = 1/√(σ²+ε),
//
// and the tangent is its transpose.
type batchNormOp struct {
	eps, momentum   float64
	runMean, runVar []float64
	frozen          bool
	xhat            []float64
	inv             []float64
	s1, s2          []float64
}

func (*batchNormOp) Name() string { return "BatchNorm" }

func (p *batchNormOp) Forward(out *adjoint.Value, in []*adjoint.Value) {
	x, gamma, beta := in[0].Data, in[1].Data, in[2].Data
	rows, cols := out.Rows(), out.Cols()
	if len(p.xhat) != len(x) {
		p.xhat = make([]float64, len(x))
		p.inv = make([]float64, cols)
		p.s1 = make([]float64, cols)
		p.s2 = make([]float64, cols)
	}
	mean, vr := p.s1, p.s2
	clear(mean)
	clear(vr)
	for r := 0; r < rows; r++ {
		for j, v := range x[r*cols : (r+1)*cols] {
			mean[j] += v
		}
	}
	b := float64(rows)
	for j := range mean {
		mean[j] /= b
	}
	for r := 0; r < rows; r++ {
		for j, v := range x[r*cols : (r+1)*cols] {
			d := v - mean[j]
			vr[j] += d * d
		}
	}
	for j := range vr {
		vr[j] /= b
		p.inv[j] = 1 / math.Sqrt(vr[j]+p.eps)
	}
	for r := 0; r < rows; r++ {
		o := r * cols
		for j := 0; j < cols; j++ {
			h := (x[o+j] - mean[j]) * p.inv[j]
			p.xhat[o+j] = h
			out.Data[o+j] = gamma[j]*h + beta[j]
		}
	}
	if !p.frozen {
		m := p.momentum
		unbias := 1.0
		if rows > 1 {
			unbias = b / (b - 1)
		}
		for j := range mean {
			p.runMean[j] = (1-m)*p.runMean[j] + m*mean[j]
			p.runVar[j] = (1-m)*p.runVar[j] + m*vr[j]*unbias
		}
	}
}

func (p *batchNormOp) Tangent(out *adjoint.Value, in []*adjoint.Value) {
	x, gamma, beta := in[0], in[1], in[2]
	rows, cols := out.Rows(), out.Cols()
	dy := out.Tan
	clear(dy)
	if dx := x.Tan; dx != nil {
		// δx̂ = s (δx − mean δx − x̂ mean(δx x̂)).
		m1, m2 := p.s1, p.s2
		clear(m1)
		clear(m2)
		for r := 0; r < rows; r++ {
			o := r * cols
			for j := 0; j < cols; j++ {
				m1[j] += dx[o+j]
				m2[j] += dx[o+j] * p.xhat[o+j]
			}
		}
		b := float64(rows)
		for r := 0; r < rows; r++ {
			o := r * cols
			for j := 0; j < cols; j++ {
				dy[o+j] = gamma.Data[j] * p.inv[j] * (dx[o+j] - m1[j]/b - p.xhat[o+j]*m2[j]/b)
			}
		}
	}
	if dg := gamma.Tan; dg != nil {
		for i := range dy {
			dy[i] += dg[i%cols] * p.xhat[i]
		}
	}
	if db := beta.Tan; db != nil {
		for i := range dy {
			dy[i] += db[i%cols]
		}
	}
}

func (p *batchNormOp) Adjoint(out *adjoint.Value, in []*adjoint.Value) {
	x, gamma, beta := in[0], in[1], in[2]
	rows, cols := out.Rows(), out.Cols()
	ay := out.Adj
	if ag := gamma.Adj; ag != nil {
		for i, g := range ay {
			ag[i%cols] += g * p.xhat[i]
		}
	}
	if ab := beta.Adj; ab != nil {
		for i, g := range ay {
			ab[i%cols] += g
		}
	}
	ax := x.Adj
	if ax == nil {
		return
	}
	sg, sgx := p.s1, p.s2
	clear(sg)
	clear(sgx)
	for r := 0; r < rows; r++ {
		o := r * cols
		for j := 0; j < cols; j++ {
			g := ay[o+j] * gamma.Data[j]
			sg[j] += g
			sgx[j] += g * p.xhat[o+j]
		}
	}
	b := float64(rows)
	for r := 0; r < rows; r++ {
		o := r * cols
		for j := 0; j < cols; j++ {
			g := ay[o+j] * gamma.Data[j]
			ax[o+j] += p.inv[j] * (g - sg[j]/b - p.xhat[o+j]*sgx[j]/b)
		}
	}
}

// batchNormEvalOp is batch normalisation with frozen running statistics μ, σ², the evaluation
// mode: y_ij = γ_j (x_ij − μ_j)/√(σ²_j + ε) + β_j, an affine map of each column.
type batchNormEvalOp struct {
	eps             float64
	runMean, runVar []float64
}

func (*batchNormEvalOp) Name() string { return "BatchNormEval" }

func (p *batchNormEvalOp) Forward(out *adjoint.Value, in []*adjoint.Value) {
	x, gamma, beta, cols := in[0].Data, in[1].Data, in[2].Data, out.Cols()
	for i, v := range x {
		j := i % cols
		out.Data[i] = gamma[j]*(v-p.runMean[j])/math.Sqrt(p.runVar[j]+p.eps) + beta[j]
	}
}

func (p *batchNormEvalOp) Tangent(out *adjoint.Value, in []*adjoint.Value) {
	x, gamma, beta, cols := in[0], in[1], in[2], out.Cols()
	for i := range out.Tan {
		j := i % cols
		s := 1 / math.Sqrt(p.runVar[j]+p.eps)
		d := 0.0
		if x.Tan != nil {
			d += gamma.Data[j] * s * x.Tan[i]
		}
		if gamma.Tan != nil {
			d += gamma.Tan[j] * (x.Data[i] - p.runMean[j]) * s
		}
		if beta.Tan != nil {
			d += beta.Tan[j]
		}
		out.Tan[i] = d
	}
}

func (p *batchNormEvalOp) Adjoint(out *adjoint.Value, in []*adjoint.Value) {
	x, gamma, beta, cols := in[0], in[1], in[2], out.Cols()
	for i, g := range out.Adj {
		j := i % cols
		s := 1 / math.Sqrt(p.runVar[j]+p.eps)
		if x.Adj != nil {
			x.Adj[i] += g * gamma.Data[j] * s
		}
		if gamma.Adj != nil {
			gamma.Adj[j] += g * (x.Data[i] - p.runMean[j]) * s
		}
		if beta.Adj != nil {
			beta.Adj[j] += g
		}
	}
}

// penaltyOp is P = λ/2 Σ_k Σ_i |w_ki|^q over its inputs, q = 1 or 2. Its adjoint is
// w̃ += λ w P̃ for q = 2 and w̃ += (λ/2) sign(w) P̃ for q = 1 (0 at w = 0, a subgradient).
type penaltyOp struct {
	lambda float64
	q      int
}

func (p penaltyOp) Name() string { return fmt.Sprintf("PenaltyL%d", p.q) }

func (p penaltyOp) Forward(out *adjoint.Value, in []*adjoint.Value) {
	s := 0.0
	for _, w := range in {
		for _, v := range w.Data {
			if p.q == 1 {
				s += math.Abs(v)
			} else {
				s += v * v
			}
		}
	}
	out.Data[0] = p.lambda / 2 * s
}

// slope returns ∂P/∂w for one weight.
func (p penaltyOp) slope(v float64) float64 {
	if p.q == 2 {
		return p.lambda * v
	}
	switch {
	case v > 0:
		return p.lambda / 2
	case v < 0:
		return -p.lambda / 2
	}
	return 0
}

func (p penaltyOp) Tangent(out *adjoint.Value, in []*adjoint.Value) {
	s := 0.0
	for _, w := range in {
		if w.Tan == nil {
			continue
		}
		for i, v := range w.Data {
			s += p.slope(v) * w.Tan[i]
		}
	}
	out.Tan[0] = s
}

func (p penaltyOp) Adjoint(out *adjoint.Value, in []*adjoint.Value) {
	g := out.Adj[0]
	for _, w := range in {
		if w.Adj == nil {
			continue
		}
		for i, v := range w.Data {
			w.Adj[i] += p.slope(v) * g
		}
	}
}

package adjoint

// reader is implemented by the built-in primitives whose rules (Tangent, Adjoint and the
// second-order AdjointTangent) read the Data of only their inputs, only their output, or
// neither. Snapshot and Bind keep only the values some rule reads back: in a network, the
// pre-activations z = Wx + b are read by no rule (Dense's rules read x and W, tanh's its
// output), and neither are the gathered stencils before a Reshape, so a step tape needs about
// half the memory and half the memory traffic. A primitive that does not implement reader,
// a user's fused one among them, is taken to read both.
type reader interface {
	readsInputs() bool
	readsOutput() bool
}

// reads reports whether p's rules read its inputs' Data and its output's Data.
func reads(p Primitive) (inputs, output bool) {
	if r, ok := p.(reader); ok {
		return r.readsInputs(), r.readsOutput()
	}
	return true, true
}

// The linear maps that only move, copy or add values read no Data in any rule.
func (reshapeOp) readsInputs() bool   { return false }
func (reshapeOp) readsOutput() bool   { return false }
func (gatherOp) readsInputs() bool    { return false }
func (gatherOp) readsOutput() bool    { return false }
func (scatterOp) readsInputs() bool   { return false }
func (scatterOp) readsOutput() bool   { return false }
func (sliceOp) readsInputs() bool     { return false }
func (sliceOp) readsOutput() bool     { return false }
func (concatOp) readsInputs() bool    { return false }
func (concatOp) readsOutput() bool    { return false }
func (shiftOp) readsInputs() bool     { return false }
func (shiftOp) readsOutput() bool     { return false }
func (transposeOp) readsInputs() bool { return false }
func (transposeOp) readsOutput() bool { return false }
func (addRowOp) readsInputs() bool    { return false }
func (addRowOp) readsOutput() bool    { return false }
func (sumOp) readsInputs() bool       { return false }
func (sumOp) readsOutput() bool       { return false }

// Dense is bilinear in X and W: its rules read both, never Y.
func (denseOp) readsInputs() bool { return true }
func (denseOp) readsOutput() bool { return false }

// An elementwise map's derivatives are written in x, in y = f(x), in both or in neither.
func (p unaryOp) readsInputs() bool {
	switch p.kind {
	case kindSquare, kindLog, kindPow, kindReLU, kindLeakyReLU, kindSwish, kindSoftplus:
		return true
	}
	return false
}

func (p unaryOp) readsOutput() bool {
	switch p.kind {
	case kindExp, kindSqrt, kindTanh, kindSigmoid, kindSwish:
		return true
	}
	return false
}

// markSaved sets saved on every computed value that a rule reads back (its own primitive's or
// a consumer's) or that nothing consumes (an output of the program): what Snapshot saves and
// Bind rebinds. It recomputes only when values were recorded or forgotten since its last run.
func (t *Tape) markSaved() {
	if t.savedAt == t.edits+1 {
		return
	}
	for _, v := range t.nodes {
		v.saved, v.used = false, false
	}
	for _, v := range t.nodes {
		if v.prim == nil {
			continue
		}
		in, out := reads(v.prim)
		v.saved = v.saved || out
		for _, x := range v.in {
			x.used = true
			x.saved = x.saved || in
		}
	}
	for _, v := range t.nodes {
		v.saved = v.prim != nil && (v.saved || !v.used)
	}
	t.savedAt = t.edits + 1
}

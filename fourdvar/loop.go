package fourdvar

import (
	"math"

	"github.com/adjunto/adjunto/adjoint"
)

// obsLoop runs the observation term J_o of a window on the engine's time loop: it is the
// adjoint.LoopCost whose term at step k is ½ Σ_b ‖R_b^{-1/2}(H_b(x_k) − y_b)‖² over the
// batches b at step k, and whose gradient there is H_bᵀ R_b⁻¹ (H_b(x_k) − y_b). Strong and
// Weak own one each; the loop's checkpointing policy decides which states are stored for
// the reverse sweep and which are recomputed.
type obsLoop struct {
	w       *Window
	steps   [][]int // steps[k] lists the batches at step k
	offsets []int   // offsets[b] is where batch b starts in an observation-space vector
	m       int     // number of scalar observations

	resid [][]float64 // (H(x) − y)/σ² per batch: the adjoint forcing
	jo    float64     // J_o summed as the states pass, step after step
	// dy, when not nil, replaces the forcing by Gᵀ's input, dy/σ per batch (JacTVec);
	// the states then leave resid and white alone.
	dy [][]float64
	hy []float64 // scratch, one batch long at most

	loop adjoint.Loop
	x0   []float64 // x_0 of the last evaluation
	// traj holds x_0 … x_K of the last evaluation when valid: the states are copied as
	// they pass under StoreAll (which holds them anyway) and recomputed on demand otherwise.
	traj  [][]float64
	valid bool
	keep  bool  // copy the states into traj as they pass
	err   error // the loop's error in the last evaluation
}

var _ adjoint.LoopCost = (*obsLoop)(nil)

func (o *obsLoop) init(w *Window) {
	o.w = w
	o.steps = w.byStep()
	o.offsets = make([]int, len(w.Obs))
	maxOut := 0
	for i := range w.Obs {
		o.offsets[i] = o.m
		o.m += w.Obs[i].Len()
		maxOut = max(maxOut, w.Obs[i].Len())
	}
	rbuf := make([]float64, o.m)
	o.resid = make([][]float64, len(w.Obs))
	for i := range w.Obs {
		o.resid[i] = rbuf[o.offsets[i] : o.offsets[i]+w.Obs[i].Len()]
	}
	o.hy = make([]float64, maxOut)
	o.x0 = make([]float64, w.Model.Dim())
	o.loop.Tape = true
}

// storesAll reports whether the policy keeps every state, so that the trajectory costs
// nothing to keep.
func storesAll(p adjoint.Policy) bool {
	_, all := p.(adjoint.StoreAll)
	return p == nil || all
}

// start prepares an evaluation from o.x0 under policy p with forcing f (nil for Strong).
func (o *obsLoop) start(p adjoint.Policy, f adjoint.Forcing) {
	o.loop.Model = o.w.Model
	o.loop.Policy = p
	o.loop.Forcing = f
	o.valid = false
	o.jo = 0
	o.keep = storesAll(p)
	if o.keep && o.traj == nil {
		o.allocTraj()
	}
}

func (o *obsLoop) allocTraj() {
	n := len(o.x0)
	buf := make([]float64, (o.w.Steps+1)*n)
	o.traj = make([][]float64, o.w.Steps+1)
	for k := range o.traj {
		o.traj[k] = buf[k*n : (k+1)*n : (k+1)*n]
	}
}

// value returns J_o along the trajectory from o.x0, or NaN when the loop diverged.
func (o *obsLoop) value(p adjoint.Policy, f adjoint.Forcing) float64 {
	o.start(p, f)
	_, o.err = o.loop.Value(o.x0, o.w.Steps, o)
	return o.finish(p)
}

// gradient returns J_o along the trajectory from o.x0 and sets gx = ∂J_o/∂x_0 and, when gp
// is not nil, gp = ∂J_o/∂p; it returns NaN when the loop diverged.
func (o *obsLoop) gradient(gx, gp []float64, p adjoint.Policy, f adjoint.Forcing) float64 {
	o.start(p, f)
	_, o.err = o.loop.Gradient(gx, gp, o.x0, o.w.Steps, o)
	return o.finish(p)
}

func (o *obsLoop) finish(p adjoint.Policy) float64 {
	if o.err != nil {
		return math.NaN()
	}
	o.valid = storesAll(p)
	return o.jo
}

// adjointOf sets gx, gp to the adjoint of the observation-space vectors dy (one per batch,
// divided by σ) about the last evaluation: one reverse sweep of the loop, which recomputes
// the states its policy did not store.
func (o *obsLoop) adjointOf(gx, gp []float64, dy [][]float64, p adjoint.Policy, f adjoint.Forcing) {
	valid := o.valid
	o.dy = dy
	o.start(p, f)
	_, err := o.loop.Gradient(gx, gp, o.x0, o.w.Steps, o)
	o.dy = nil
	o.valid = valid
	if err != nil {
		for i := range gx {
			gx[i] = math.NaN()
		}
		for i := range gp {
			gp[i] = math.NaN()
		}
	}
}

// trajectory returns x_0 … x_K of the last evaluation, recomputing them when the policy did
// not keep them.
func (o *obsLoop) trajectory() [][]float64 {
	if o.valid {
		return o.traj
	}
	if o.traj == nil {
		o.allocTraj()
	}
	copy(o.traj[0], o.x0)
	for k := 1; k <= o.w.Steps; k++ {
		o.w.Model.Step(o.traj[k], o.traj[k-1])
		if o.loop.Forcing != nil {
			o.loop.Forcing.Add(k, o.traj[k])
		}
	}
	o.valid = true
	return o.traj
}

// CheckpointBytes returns the memory, in bytes, that the states of one gradient of a
// window of steps steps of model m hold under checkpointing policy p (nil meaning
// adjoint.StoreAll): the loop's snapshots with their step tapes (see adjoint.LoopBytes) and,
// under StoreAll, the trajectory that Strong and Weak keep for their linearisations.
func CheckpointBytes(m Model, steps int, p adjoint.Policy) int64 {
	tl := 0
	if tm, ok := m.(adjoint.TapedStepper); ok {
		tl = tm.TapeLen() // obsLoop sets Loop.Tape
	}
	n := m.Dim()
	b := adjoint.LoopBytes(p, steps, n, tl)
	if storesAll(p) {
		b += 8 * int64(steps+1) * int64(n)
	}
	return b
}

// Value computes the misfits of the batches at step k and returns their part of J_o.
func (o *obsLoop) Value(k int, x []float64) float64 {
	if o.keep {
		copy(o.traj[k], x)
	}
	if o.dy != nil {
		return 0
	}
	// The running sum jo, not the loop's sum of the returned terms, is J_o: it adds the
	// terms one by one, as Strong did before it ran on the loop, and so gives the same bits.
	jo := o.jo
	for _, i := range o.steps[k] {
		b := &o.w.Obs[i]
		r := o.resid[i]
		b.H.Apply(r, x)
		for j, y := range b.Y {
			s := b.Sigma[j]
			d := r[j] - y
			o.jo += 0.5 * (d / s) * (d / s)
			r[j] = d / (s * s)
		}
	}
	return o.jo - jo
}

// AddGradient accumulates H_kᵀ of the forcing of the batches at step k.
func (o *obsLoop) AddGradient(dst []float64, k int, x []float64) {
	for _, i := range o.steps[k] {
		b := &o.w.Obs[i]
		f := o.resid[i]
		if o.dy != nil {
			f = o.hy[:len(f)]
			for j, v := range o.dy[i] {
				f[j] = v / b.Sigma[j]
			}
		}
		b.H.Adjoint(dst, x, f)
	}
}

package nn

import (
	"fmt"
	"math"

	"github.com/adjunto/adjunto/adjoint"
)

// evalChunk is the largest batch the evaluation programs are recorded for: a dataset is run
// through in chunks of this many rows, so that memory stays bounded and at most two programs
// (a full chunk and the remainder) are recorded per dataset size.
const evalChunk = 1024

// eachChunk runs fn on consecutive chunks of rows [from, to) of an n-row dataset.
func eachChunk(n int, fn func(from, to int)) {
	for from := 0; from < n; from += evalChunk {
		fn(from, min(from+evalChunk, n))
	}
}

func (n *Network) checkData(op string, d *Dataset, targets bool) {
	if d.In != n.in || (targets && d.Out != n.out) {
		panic(fmt.Sprintf("nn: %s: dataset of %d inputs and %d targets for a network %d→%d", op, d.In, d.Out, n.in, n.out))
	}
}

// runChunk loads rows [from, to) of d into the program of mode m and replays it forward.
func (n *Network) runChunk(d *Dataset, from, to int, m mode, targets bool) *program {
	p := n.program(to-from, m)
	copy(p.x.Data, d.X[from*n.in:to*n.in])
	if targets {
		copy(p.y.Data, d.Y[from*n.out:to*n.out])
	} else {
		clear(p.y.Data)
	}
	p.tape.Forward()
	return p
}

// Loss returns the data loss of the network over the whole dataset in evaluation mode
// (dropout off, batch norm on its running statistics), without the penalty: the average of
// the per-item losses, so that it does not depend on how the data is batched.
func (n *Network) Loss(d *Dataset) float64 {
	n.checkData("Loss", d, true)
	total := 0.0
	eachChunk(d.N, func(from, to int) {
		p := n.runChunk(d, from, to, modeEval, true)
		total += p.loss.Data[0] * float64(to-from)
	})
	return total / float64(d.N)
}

// Objective returns the training objective J (loss plus penalty) over the whole dataset as one
// batch in evaluation mode and writes its gradient with respect to Params into grad: the
// full-batch function that L-BFGS minimises. It panics if len(grad) != NumParams().
func (n *Network) Objective(grad []float64, d *Dataset) float64 {
	if len(grad) != len(n.params) {
		panic(fmt.Sprintf("nn: Objective: gradient of length %d for %d parameters", len(grad), len(n.params)))
	}
	n.checkData("Objective", d, true)
	p := n.program(d.N, modeEval)
	p.load(d, nil)
	J := n.step(p)
	copy(grad, n.grad)
	return J
}

// Predict writes the network's predictions for the rows of d's inputs into dst (N×Out), in
// evaluation mode and with the output head applied (σ for BCEWithLogits, softmax for
// CrossEntropy). It panics if len(dst) != d.N·Out().
func (n *Network) Predict(dst []float64, d *Dataset) {
	n.checkData("Predict", d, false)
	if len(dst) != d.N*n.out {
		panic(fmt.Sprintf("nn: Predict: destination of length %d for %d×%d predictions", len(dst), d.N, n.out))
	}
	eachChunk(d.N, func(from, to int) {
		p := n.runChunk(d, from, to, modeEval, false)
		n.head(dst[from*n.out:to*n.out], p.z.Data)
	})
}

// head applies the output head to the logits z (rows of Out) into dst: the engine's own
// Sigmoid and Softmax, on a scratch tape, so that the numbers are those of the primitives the
// losses are built from and the stable formulas are written once.
func (n *Network) head(dst, z []float64) {
	var f func(*adjoint.Value) *adjoint.Value
	switch n.cfg.Loss.Head() {
	case HeadSigmoid:
		f = adjoint.Sigmoid
	case HeadSoftmax:
		f = adjoint.Softmax
	default:
		copy(dst, z)
		return
	}
	copy(dst, f(adjoint.NewTape().Constant(z, len(z)/n.out, n.out)).Data)
}

// Accuracy returns the fraction of items classified correctly, in evaluation mode: for
// CrossEntropy the arg-max of the logits against the arg-max of the target row, for
// BCEWithLogits each output (σ(z) ≥ ½ against y ≥ ½) counted separately. It returns NaN for
// the regression losses.
func (n *Network) Accuracy(d *Dataset) float64 {
	n.checkData("Accuracy", d, true)
	if !n.cfg.Loss.Classification() {
		return math.NaN()
	}
	right, total := 0, 0
	c := n.out
	eachChunk(d.N, func(from, to int) {
		p := n.runChunk(d, from, to, modeEval, true)
		z, y := p.z.Data, p.y.Data
		if n.cfg.Loss == BCEWithLogits {
			for i, v := range z {
				if (v >= 0) == (y[i] >= 0.5) {
					right++
				}
				total++
			}
			return
		}
		for r := 0; r < to-from; r++ {
			if argmax(z[r*c:(r+1)*c]) == argmax(y[r*c:(r+1)*c]) {
				right++
			}
			total++
		}
	})
	return float64(right) / float64(total)
}

func argmax(v []float64) int {
	k := 0
	for i, x := range v {
		if x > v[k] {
			k = i
		}
	}
	return k
}

// PredictMC is Monte Carlo dropout (Gal and Ghahramani 2016): it runs T stochastic forward
// passes with dropout active (and batch norm on its running statistics), and writes the mean
// and the standard deviation over the passes of each prediction (with the head applied) into
// mean and std (N×Out each). The standard deviation is the population one, 1/T Σ (ŷ_t − ȳ)²,
// the Monte Carlo estimate of the model's predictive spread without the τ⁻¹ noise term. The
// masks come from seed. Without dropout layers std is zero. It panics if T < 1 or the
// destinations have the wrong length.
func (n *Network) PredictMC(mean, std []float64, d *Dataset, T int, seed uint64) {
	n.checkData("PredictMC", d, false)
	if T < 1 || len(mean) != d.N*n.out || len(std) != d.N*n.out {
		panic(fmt.Sprintf("nn: PredictMC: T = %d, destinations of length %d and %d for %d×%d predictions", T, len(mean), len(std), d.N, n.out))
	}
	// Record the programs first: recording runs Forward once and would draw masks from the
	// generator, so that the first call with a seed would differ from the next ones.
	eachChunk(d.N, func(from, to int) { n.program(to-from, modeMC) })
	saved, savedSrc := n.dropRNG, n.dropSrc
	n.SeedDropout(seed)
	defer func() { n.dropRNG, n.dropSrc = saved, savedSrc; n.rebindDropout() }()
	clear(mean)
	clear(std)
	buf := make([]float64, min(d.N, evalChunk)*n.out)
	eachChunk(d.N, func(from, to int) {
		m, s := mean[from*n.out:to*n.out], std[from*n.out:to*n.out]
		for t := range T {
			p := n.runChunk(d, from, to, modeMC, false)
			y := buf[:len(m)]
			n.head(y, p.z.Data)
			for i, v := range y { // Welford's update of the mean and the sum of squared deviations
				delta := v - m[i]
				m[i] += delta / float64(t+1)
				s[i] += delta * (v - m[i])
			}
		}
	})
	for i := range std {
		std[i] = math.Sqrt(std[i] / float64(T))
	}
}

// rebindDropout points the dropout primitives of every recorded program at the current
// generator.
func (n *Network) rebindDropout() {
	for _, p := range n.progs {
		for _, d := range p.drops {
			d.rng = n.dropRNG
		}
	}
}

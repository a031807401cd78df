package nn

import (
	"fmt"

	"github.com/adjunto/adjunto/internal/limits"
)

// paramCopies bounds the vectors of the parameters' length that a network and its training
// keep: the parameters, the gradient, an optimiser's moments, the best parameters of early
// stopping and the tape's copies.
const paramCopies = 8

// activationCopies bounds the values a tape keeps per row and unit: the pre-activation, the
// activation, their adjoints and a dropout mask.
const activationCopies = 6

// paramCount returns the number of parameters of layers that chain (see checkLayers) as a
// float64, so that huge widths cannot overflow before they are refused.
func paramCount(layers []Layer, in int) float64 {
	size, width := 0.0, float64(in)
	for _, l := range layers {
		switch l.Kind {
		case KindDense:
			size += float64(l.Out)*float64(l.In) + float64(l.Out)
			width = float64(l.Out)
		case KindBatchNorm:
			size += 2 * width
		}
	}
	return size
}

// checkSize refuses layers whose parameters would not fit in memory.
func checkSize(layers []Layer, in int) error {
	p := paramCount(layers, in)
	if err := limits.Values(fmt.Sprintf("a network of %.3g parameters", p),
		fmt.Sprintf("%d copies of the parameters for training", paramCopies), p*paramCopies); err != nil {
		return fmt.Errorf("%w: %w", ErrSpec, err)
	}
	return nil
}

// checkRows refuses a batch of rows whose activations would not fit in memory.
func (n *Network) checkRows(rows int) error {
	units := float64(n.in)
	for _, l := range n.layers {
		if l.Kind == KindDense {
			units += float64(l.Out)
		}
	}
	return limits.Values(fmt.Sprintf("a batch of %d rows through %.3g units", rows, units),
		fmt.Sprintf("%d values per row and unit on the tape", activationCopies), float64(rows)*units*activationCopies)
}

// dataError returns an error wrapping ErrData when d does not fit n; checkData panics instead,
// for the methods that take data already checked.
func (n *Network) dataError(op string, d *Dataset, targets bool) error {
	if d == nil {
		return fmt.Errorf("%w: %s: no dataset", ErrData, op)
	}
	if d.In != n.in || (targets && d.Out != n.out) {
		return fmt.Errorf("%w: %s: dataset of %d inputs and %d targets for a network %d→%d", ErrData, op, d.In, d.Out, n.in, n.out)
	}
	if d.N < 1 || len(d.X) != d.N*d.In || (targets && len(d.Y) != d.N*d.Out) {
		return fmt.Errorf("%w: %s: dataset of %d items with %d input and %d target values for %d inputs, %d targets", ErrData, op, d.N, len(d.X), len(d.Y), d.In, d.Out)
	}
	return nil
}

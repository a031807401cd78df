package nn

import (
	"fmt"
	"math"

	"github.com/adjunto/adjunto/internal/limits"
)

// paramCopies bounds the vectors of the parameters' length that a network and its training
// keep: the parameters, the gradient, an optimiser's moments, the best parameters of early
// stopping and the tape's copies.
const paramCopies = 8

// activationCopies bounds the values a tape keeps per row and unit: the pre-activation, the
// activation, their adjoints and a dropout mask.
const activationCopies = 6

// plan runs Setup along layers and returns their shapes, refusing layers that do not chain,
// before anything is allocated.
func plan(layers []Layer) ([]Shape, error) {
	if len(layers) == 0 {
		return nil, fmt.Errorf("%w: no layers", ErrSpec)
	}
	shapes := make([]Shape, len(layers))
	width := 0
	for i, l := range layers {
		if l == nil {
			return nil, fmt.Errorf("%w: layer %d is nil", ErrSpec, i)
		}
		sh, err := l.Setup(width)
		if err == nil && (sh.In <= 0 || (i > 0 && sh.In != width) || sh.Out <= 0 || sh.Params < 0 || sh.State < 0) {
			err = fmt.Errorf("Setup(%d) returned the shape %+v", width, sh)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: layer %d (%s): %w", ErrSpec, i, l.Kind(), err)
		}
		shapes[i], width = sh, sh.Out
	}
	return shapes, nil
}

// checkSize refuses planned layers whose parameters and state would not fit in memory. The
// sizes are summed in float64, so that huge widths cannot wrap around.
func checkSize(shapes []Shape) error {
	total := 0.0
	for _, sh := range shapes {
		total += float64(sh.Params) + float64(sh.State)
	}
	if err := limits.Values(fmt.Sprintf("a network of %.3g parameters", total),
		fmt.Sprintf("%d copies of the parameters for training", paramCopies), total*paramCopies); err != nil {
		return fmt.Errorf("%w: %w", ErrSpec, err)
	}
	return nil
}

// paramCount returns the number of parameters of layers planned by plan.
func paramCount(shapes []Shape) int {
	p := 0
	for _, sh := range shapes {
		p += sh.Params
	}
	return p
}

// checkRows refuses a batch of rows whose activations would not fit in memory.
func (n *Network) checkRows(rows int) error {
	units := 0.0
	for _, w := range n.widths {
		units += float64(w)
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

// denseParams returns out·in + out, or an error when it overflows an int.
func denseParams(in, out int) (int, error) {
	if in > (math.MaxInt-out)/out {
		return 0, fmt.Errorf("widths %d→%d: %.3g parameters overflow an integer", in, out, float64(in)*float64(out))
	}
	return out*in + out, nil
}

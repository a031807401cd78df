package adjoint

import "fmt"

// Value is a node of a computation: its forward values x, and, when it is active (it depends
// on a variable of its tape), its tangent δx and its adjoint x̃.
//
// A Value of shape r×c holds r·c numbers in row-major order; rows are batch items, so a vector
// of length n has shape 1×n. Data, Tan and Adj all have length r·c when set.
type Value struct {
	// Data holds the forward values. A primitive's Forward writes it; for variables and
	// constants it aliases the slice the caller passed, so updating that slice in place and
	// replaying the tape (Tape.Forward) evaluates the program at the new point.
	Data []float64

	// Tan holds the tangent (TL) δx of an active value after a forward tangent sweep. It is nil
	// for passive values, which primitives must read as zero. A caller may set it, for a
	// variable, to a slice of its own of length len(Data) to receive or supply tangents in place.
	Tan []float64

	// Adj holds the adjoint x̃ of an active value after a reverse sweep: the derivative of the
	// swept output with respect to this value. It is nil for passive values, which primitives
	// must skip. A caller may set it, for a variable, to a slice of its own (for example a
	// window of one flat gradient vector) so that the sweep accumulates straight into it.
	Adj []float64

	// AdjTan holds the tangent δx̃ of the adjoint after a second-order sweep
	// (Tape.HessVecExact): the directional derivative of x̃ along the tangents of the last
	// tangent sweep. For a variable x and a scalar J it is ∇²J δx. Nil for passive values.
	AdjTan []float64

	rows, cols int
	tape       *Tape
	prim       Primitive
	in         []*Value
	active     bool
	leaf       bool
	sweep      uint64 // the reverse sweep that last zeroed Adj; see Tape.sweep
	saved      bool   // Snapshot saves it and Bind rebinds it; see Tape.markSaved
	used       bool   // an input of some recorded primitive; see Tape.markSaved
}

// Rows returns the number of rows (batch items) of v.
func (v *Value) Rows() int { return v.rows }

// Cols returns the number of columns of v.
func (v *Value) Cols() int { return v.cols }

// Len returns the number of elements of v, Rows()·Cols().
func (v *Value) Len() int { return v.rows * v.cols }

// Active reports whether v depends on a variable of its tape, so that it carries a tangent
// and an adjoint.
func (v *Value) Active() bool { return v.active }

// Tape returns the tape v belongs to.
func (v *Value) Tape() *Tape { return v.tape }

// Inputs returns the values v was computed from; nil for variables and constants.
func (v *Value) Inputs() []*Value { return v.in }

// Primitive returns the primitive that computed v; nil for variables and constants.
func (v *Value) Primitive() Primitive { return v.prim }

// Scalar returns the single element of a 1×1 value. It panics for any other shape.
func (v *Value) Scalar() float64 {
	if v.Len() != 1 {
		panic(fmt.Sprintf("adjoint: Scalar: value has shape %s, not 1x1", v.shape()))
	}
	return v.Data[0]
}

// At returns the element at row i and column j.
func (v *Value) At(i, j int) float64 {
	if i < 0 || i >= v.rows || j < 0 || j >= v.cols {
		panic(fmt.Sprintf("adjoint: At(%d, %d): index out of range for shape %s", i, j, v.shape()))
	}
	return v.Data[i*v.cols+j]
}

func (v *Value) shape() string { return fmt.Sprintf("%dx%d", v.rows, v.cols) }

// String formats the shape and the values, for debugging and examples.
func (v *Value) String() string {
	return fmt.Sprintf("%s%v", v.shape(), v.Data)
}

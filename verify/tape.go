package verify

import (
	"fmt"

	"github.com/adjunto/adjunto/adjoint"
)

// Input is one variable of a program checked by Tape: its value and shape. A zero Rows and
// Cols mean a vector, 1×len(Data).
type Input struct {
	Data       []float64
	Rows, Cols int
}

func (in Input) shape() (rows, cols int) {
	if in.Rows == 0 && in.Cols == 0 {
		return 1, len(in.Data)
	}
	return in.Rows, in.Cols
}

// NewTapeFunc records the program build on a new tape with one variable per input (copies of
// their Data), and returns it as a Func of all the inputs' elements, concatenated in order,
// together with that point. F replays the tape with Tape.Forward, Tangent and Adjoint run the
// tape's JVP and VJP sweeps, and Linearize replays it at the point, so the recorded trajectory
// is the one checked. The output of build may have any shape; constants created inside build
// stay passive.
func NewTapeFunc(build func(t *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value, inputs []Input) (fn Func, x []float64) {
	t := adjoint.NewTape()
	vars := make([]*adjoint.Value, len(inputs))
	for i, in := range inputs {
		rows, cols := in.shape()
		vars[i] = t.Variable(append([]float64(nil), in.Data...), rows, cols)
		x = append(x, in.Data...)
	}
	out := build(t, vars)
	if out.Tape() != t {
		panic("verify: NewTapeFunc: build returned a value of another tape")
	}
	n, m := len(x), out.Len()

	// set copies a flat point into the variables and replays the program there.
	set := func(p []float64) {
		if len(p) != n {
			panic(fmt.Sprintf("verify: tape func: point of length %d for %d inputs", len(p), n))
		}
		off := 0
		for _, v := range vars {
			off += copy(v.Data, p[off:])
		}
		t.Forward()
	}
	dirs := make([][]float64, len(vars))
	fn = Func{
		N: n,
		M: m,
		F: func(y, p []float64) {
			set(p)
			copy(y, out.Data)
		},
		Linearize: set,
		Tangent: func(dy, dx []float64) {
			off := 0
			for i, v := range vars {
				dirs[i] = dx[off : off+v.Len()]
				off += v.Len()
			}
			t.JVP(vars, dirs)
			if out.Active() {
				copy(dy, out.Tan)
			}
		},
		Adjoint: func(ax, ay []float64) {
			t.VJP(out, ay)
			off := 0
			for _, v := range vars {
				for j, g := range v.Adj {
					ax[off+j] += g
				}
				off += v.Len()
			}
		},
	}
	return fn, x
}

// Tape records build on a tape with the given inputs as variables and runs All on it: the
// dot-product, Taylor, gradient and finite-difference checks, all on the tape's own sweeps
// and replays.
func Tape(name string, build func(t *adjoint.Tape, xs []*adjoint.Value) *adjoint.Value, inputs []Input, s Settings) []Report {
	fn, x := NewTapeFunc(build, inputs)
	return All(name, fn, x, s)
}

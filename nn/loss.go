package nn

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/floats"

	"github.com/adjunto/adjunto/adjoint"
)

// Loss is a data misfit J between the network's output z^(K) (one row per item, N rows) and
// the targets y.
type Loss int

// The losses. The zero value is CourseMSE.
const (
	// CourseMSE is the course's J = 1/(2N) Σ_i ‖z_i − y_i‖²: the sum over a row's outputs,
	// the mean over the N items, and the factor ½ that makes ∂J/∂z = (z − y)/N.
	CourseMSE Loss = iota
	// MeanSquaredError is PyTorch's MSELoss, J = 1/(N·m) Σ_ij (z_ij − y_ij)², the mean over
	// all N·m elements and no ½: for one output it is twice CourseMSE.
	MeanSquaredError
	// BCEWithLogits is binary cross-entropy on logits z (sigmoid head, binary or multi-label
	// targets y ∈ [0, 1]), J = 1/(N·m) Σ softplus(z) − z·y, which is −y log σ(z) − (1−y) log(1−σ(z))
	// computed without forming σ(z), so that it neither overflows nor loses digits.
	BCEWithLogits
	// CrossEntropy is cross-entropy on logits z (softmax head) with one-hot or probability
	// targets, J = −1/N Σ_i Σ_j y_ij log softmax(z_i)_j, through the engine's LogSoftmax.
	CrossEntropy
)

var lossNames = [...]string{"mse", "mse-mean", "bce", "ce"}

// String returns the loss's name as ParseLoss accepts it.
func (l Loss) String() string {
	if l < 0 || int(l) >= len(lossNames) {
		return fmt.Sprintf("Loss(%d)", int(l))
	}
	return lossNames[l]
}

// ParseLoss returns the loss called name: "mse" (CourseMSE, also "course-mse"), "mse-mean"
// (MeanSquaredError, also "torch-mse"), "bce" (BCEWithLogits) and "ce" (CrossEntropy, also
// "cross-entropy").
func ParseLoss(name string) (Loss, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "mse", "course-mse":
		return CourseMSE, nil
	case "mse-mean", "torch-mse", "meansquarederror":
		return MeanSquaredError, nil
	case "bce", "bce-logits", "bcewithlogits":
		return BCEWithLogits, nil
	case "ce", "cross-entropy", "crossentropy":
		return CrossEntropy, nil
	}
	return 0, fmt.Errorf("%w: unknown loss %q (known: %s)", ErrSpec, name, strings.Join(lossNames[:], ", "))
}

// MarshalText writes the loss's name.
func (l Loss) MarshalText() ([]byte, error) {
	if l < 0 || int(l) >= len(lossNames) {
		return nil, fmt.Errorf("%w: unknown loss %d", ErrSpec, int(l))
	}
	return []byte(l.String()), nil
}

// UnmarshalText reads a loss's name.
func (l *Loss) UnmarshalText(b []byte) error {
	v, err := ParseLoss(string(b))
	*l = v
	return err
}

// Head is the output rule that turns the last layer's values z into predictions.
type Head int

// The heads, after the course's rules. Each loss has its own (Loss.Head).
const (
	HeadIdentity Head = iota // regression: the prediction is z
	HeadSigmoid              // binary and multi-label classification: σ(z) elementwise
	HeadSoftmax              // multi-class classification: softmax of each row
)

// Head returns the output head that goes with the loss: the losses on logits fold the head
// into their formula for stability, and predictions apply it.
func (l Loss) Head() Head {
	switch l {
	case BCEWithLogits:
		return HeadSigmoid
	case CrossEntropy:
		return HeadSoftmax
	}
	return HeadIdentity
}

// Classification reports whether accuracy is meaningful for the loss.
func (l Loss) Classification() bool { return l == BCEWithLogits || l == CrossEntropy }

// record records J(z, y) on z's tape, composed from the engine's primitives so that its
// gradient comes from their adjoints.
func (l Loss) record(z, y *adjoint.Value) *adjoint.Value {
	n := float64(z.Rows())
	nm := float64(z.Len())
	switch l {
	case CourseMSE:
		return adjoint.Scale(0.5/n, adjoint.SumSquares(adjoint.Sub(z, y)))
	case MeanSquaredError:
		return adjoint.Scale(1/nm, adjoint.SumSquares(adjoint.Sub(z, y)))
	case BCEWithLogits:
		return adjoint.Scale(1/nm, adjoint.Sub(adjoint.Sum(adjoint.Softplus(z)), adjoint.Dot(z, y)))
	case CrossEntropy:
		return adjoint.Scale(-1/n, adjoint.Dot(y, adjoint.LogSoftmax(z)))
	}
	panic(fmt.Sprintf("nn: unknown loss %d", int(l)))
}

// Penalty is the regularisation term λ/2 Σ|w|^q over the weights of the dense layers (not the
// biases, nor batch norm's γ and β), q = 1 (L1, lasso) or 2 (L2, ridge). Decoupled weight
// decay is the optimiser's business (optimize.AdamW), not a term of J.
type Penalty struct {
	// Lambda is λ ≥ 0; zero means no penalty.
	Lambda float64
	// Q is the exponent, 1 or 2. Zero means 2.
	Q int
}

func (p Penalty) q() int {
	if p.Q == 0 {
		return 2
	}
	return p.Q
}

func (p Penalty) check() error {
	if !(p.Lambda >= 0) || (p.q() != 1 && p.q() != 2) {
		return fmt.Errorf("%w: penalty λ = %v, q = %d: want λ ≥ 0 and q = 1 or 2", ErrConfig, p.Lambda, p.Q)
	}
	return nil
}

// curvature sets dst = H_z src, where H_z = ∂²J/∂z² is the Hessian of the loss with respect
// to the logits z (rows × cols) for targets y: the middle factor of the Gauss-Newton matrix
// J_zᵀ H_z J_z (Schraudolph 2002), positive semi-definite for every loss here. For the squared
// errors it is constant, I/N and 2I/(N·m); for binary cross-entropy diag(σ(z)(1−σ(z)))/(N·m);
// for cross-entropy, row by row, (Σ_j y_ij)(diag p − p pᵀ)/N with p = softmax(z_i).
func (l Loss) curvature(dst, src, z, y []float64, rows, cols int) {
	n, nm := float64(rows), float64(len(z))
	switch l {
	case CourseMSE:
		for i, s := range src {
			dst[i] = s / n
		}
	case MeanSquaredError:
		for i, s := range src {
			dst[i] = 2 * s / nm
		}
	case BCEWithLogits:
		for i, s := range src {
			p := 1 / (1 + math.Exp(-z[i]))
			dst[i] = p * (1 - p) * s / nm
		}
	case CrossEntropy:
		for r := range rows {
			zr, sr, yr, dr := z[r*cols:(r+1)*cols], src[r*cols:(r+1)*cols], y[r*cols:(r+1)*cols], dst[r*cols:(r+1)*cols]
			zmax := floats.Max(zr)
			sum := 0.0
			for j, v := range zr {
				dr[j] = math.Exp(v - zmax)
				sum += dr[j]
			}
			ps, mass := 0.0, floats.Sum(yr)
			for j := range dr {
				dr[j] /= sum
				ps += dr[j] * sr[j]
			}
			for j, p := range dr {
				dr[j] = mass * p * (sr[j] - ps) / n
			}
		}
	default:
		panic(fmt.Sprintf("nn: unknown loss %d", int(l)))
	}
}

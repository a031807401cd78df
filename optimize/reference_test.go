package optimize

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/adjunto/adjunto/internal/reference"
)

type referenceFile struct {
	Problems map[string]struct {
		Doc        string    `json:"doc"`
		X0         []float64 `json:"x0"`
		Optimizers map[string]struct {
			Hyper map[string]any `json:"hyperparameters"`
			Steps [][]float64    `json:"x_after_each_step"`
		} `json:"optimizers"`
	} `json:"problems"`
}

// referenceStepper builds the Stepper that torch.optim builds from the
// reference's optimiser key and hyperparameters (the others at their
// defaults, which are ours too).
func referenceStepper(key string, h map[string]any) (Stepper, error) {
	num := func(k string) float64 {
		v, _ := h[k].(float64)
		return v
	}
	flag := func(k string) bool {
		v, _ := h[k].(bool)
		return v
	}
	switch key {
	case "sgd", "sgd_momentum", "sgd_nesterov", "sgd_weight_decay":
		return &SGD{LearningRate: num("lr"), Momentum: num("momentum"), Nesterov: flag("nesterov"), WeightDecay: num("weight_decay")}, nil
	case "adagrad":
		return &Adagrad{LearningRate: num("lr")}, nil
	case "rmsprop", "rmsprop_momentum_centered":
		return &RMSprop{LearningRate: num("lr"), Momentum: num("momentum"), Centered: flag("centered")}, nil
	case "adadelta":
		return &Adadelta{LearningRate: num("lr")}, nil
	case "adam", "adam_amsgrad", "adam_l2":
		return &Adam{LearningRate: num("lr"), AMSGrad: flag("amsgrad"), WeightDecay: num("weight_decay")}, nil
	case "adamw":
		// The reference lists no weight_decay for AdamW: it ran at PyTorch's default.
		return &AdamW{LearningRate: num("lr"), WeightDecay: defaultAdamWDecay}, nil
	}
	return nil, fmt.Errorf("no stepper for reference key %q", key)
}

var referenceGradients = map[string]func(g, x []float64){
	"rosenbrock": func(g, x []float64) {
		a, b := 1-x[0], x[1]-x[0]*x[0]
		g[0] = -2*a - 400*x[0]*b
		g[1] = 200 * b
	},
	"quadratic3": func(g, x []float64) {
		// A x - b with A = [[3,0.5,0],[0.5,2,-0.25],[0,-0.25,0.5]], b = [1,-2,0.5].
		g[0] = 3*x[0] + 0.5*x[1] - 1
		g[1] = 0.5*x[0] + 2*x[1] - 0.25*x[2] + 2
		g[2] = -0.25*x[1] + 0.5*x[2] - 0.5
	},
}

// TestStepperMatchesPyTorch checks ten steps of every stepping method against
// trajectories computed by PyTorch 1.13 in float64. The formulas are the same,
// so only the order of floating-point operations differs: 1e-12 relative per
// component (as the reference file states) leaves room for that rounding and
// catches any difference of formula, default or bias correction.
func TestStepperMatchesPyTorch(t *testing.T) {
	var ref referenceFile
	data, err := reference.Raw("optimizers.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatalf("optimizers.json: %v", err)
	}
	const tol = 1e-12
	count, worst := 0, 0.0
	for pname, prob := range ref.Problems {
		grad, ok := referenceGradients[pname]
		if !ok {
			t.Errorf("no gradient for reference problem %q (%s)", pname, prob.Doc)
			continue
		}
		for key, o := range prob.Optimizers {
			s, err := referenceStepper(key, o.Hyper)
			if err != nil {
				t.Error(err)
				continue
			}
			x := append([]float64(nil), prob.X0...)
			g := make([]float64, len(x))
			for k, want := range o.Steps {
				grad(g, x)
				if err := s.Step(x, g); err != nil {
					t.Fatalf("%s/%s step %d: %v", pname, key, k+1, err)
				}
				for i := range x {
					d := math.Abs(x[i] - want[i])
					worst = math.Max(worst, d/math.Abs(want[i]))
					if d > tol*math.Abs(want[i]) {
						t.Errorf("%s/%s step %d x[%d] = %.17g, PyTorch %.17g (rel err %.2g)",
							pname, key, k+1, i, x[i], want[i], d/math.Abs(want[i]))
					}
				}
			}
			count++
		}
	}
	t.Logf("largest relative difference from PyTorch: %.2g", worst)
	if count != 24 {
		t.Errorf("checked %d trajectories, want 24 (12 optimisers × 2 problems)", count)
	}
}

package experiments_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/adjunto/adjunto/experiments"
)

// Run the hessian-2d experiment with one key changed, and read its metrics back.
func Example() {
	e, err := experiments.Lookup("hessian-2d")
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := e.DefaultConfig()
	if err := experiments.Set(cfg, "saddle", "3,-2"); err != nil {
		fmt.Println(err)
		return
	}
	dir, err := os.MkdirTemp("", "adjunto-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	r, err := e.Run(context.Background(), cfg, filepath.Join(dir, e.Name), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The metrics are JSON; a caller decodes the keys it reads.
	var m struct {
		Forms []struct {
			Name           string     `json:"name"`
			Eigenvalues    [2]float64 `json:"eigenvalues"`
			Classification string     `json:"classification"`
			Methods        []struct {
				Outcome string `json:"outcome"`
			} `json:"methods"`
		} `json:"forms"`
	}
	if err := json.Unmarshal(r.Metrics, &m); err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range m.Forms {
		// Rounded, so that the singular form's zero, −2e-12 from differences of
		// gradients, prints as 0.
		l1, l2 := math.Round(f.Eigenvalues[0]*100)/100+0, math.Round(f.Eigenvalues[1]*100)/100+0
		fmt.Printf("%-18s λ = %5.2f %5.2f  %s; pure Newton %s\n", f.Name, l1, l2, f.Classification, f.Methods[2].Outcome)
	}
	fmt.Println(r.Figures[0].PNG, r.Figures[0].SVG)
	// Output:
	// positive definite  λ =  1.00  4.00  minimum (bowl); pure Newton reaches the minimum
	// negative definite  λ = -4.00 -1.00  maximum (dome); pure Newton lands on the maximum
	// singular           λ =  0.00  2.00  singular (valley); pure Newton reaches a minimum on the floor
	// saddle             λ = -2.00  3.00  saddle; pure Newton lands on the saddle point
	// forms.png forms.svg
}

// Set parses a value for a key of a config and names the key in its errors.
func ExampleSet() {
	e, err := experiments.Lookup("optimizers")
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := e.DefaultConfig()
	value := func(key string) string {
		for _, f := range experiments.Fields(cfg) {
			if f.Key == key {
				return f.Value
			}
		}
		return ""
	}
	fmt.Println(experiments.Set(cfg, "lr_scale", "2.5"), value("lr_scale"))
	fmt.Println(experiments.Set(cfg, "surfaces", "rosenbrock,saddle"), value("surfaces"))
	fmt.Println(experiments.Set(cfg, "steps", "many"))
	fmt.Println(experiments.Set(cfg, "step", "10"))
	// Output:
	// <nil> 2.5
	// <nil> rosenbrock,saddle
	// experiments: bad config value: steps="many": want integer: invalid syntax
	// experiments: unknown config key "step" (known keys: surfaces, methods, steps, lr_scale, momentum, adamw_decay, kappa, angle, tolerance, gif, frames)
}

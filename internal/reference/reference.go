// Package reference gives tests the reference values that were computed independently of
// adjunto (PyTorch 1.13, float64, autograd): Lorenz-63 and Lorenz-96 RK4 states, a small tanh
// network's loss and gradients, and ten steps of every PyTorch optimiser. Each file states how
// it was computed and which tolerance is fair, and why.
//
// The files are copies of the project's shared/reference folder (see testdata/SOURCE.md),
// embedded so that the tests that compare against them run, and can fail, on any checkout. A
// test of this package checks the copies against shared/reference wherever that folder sits
// beside the repository, so the two cannot drift apart unnoticed.
package reference

import (
	"embed"
	"encoding/json"
	"fmt"
)

//go:embed testdata/*.json
var files embed.FS

// names lists the reference files.
var names = []string{"lorenz.json", "mlp.json", "optimizers.json"}

// Raw returns the bytes of the reference file name, one of lorenz.json, mlp.json and optimizers.json.
func Raw(name string) ([]byte, error) {
	b, err := files.ReadFile("testdata/" + name)
	if err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	return b, nil
}

// Load decodes the reference file name, one of lorenz.json, mlp.json and optimizers.json, into v.
func Load(name string, v any) error {
	b, err := Raw(name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("reference: %s: %w", name, err)
	}
	return nil
}

package reference

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestCopiesMatchShared guards the embedded copies against drift from the shared reference
// folder beside the repository (../shared/reference from the module root), which is present on
// developers' machines and in CI.
func TestCopiesMatchShared(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "shared", "reference")
	if _, err := os.Stat(shared); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no shared reference folder at %s: nothing to compare the copies with", shared)
	}
	for _, name := range names {
		want, err := os.ReadFile(filepath.Join(shared, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Raw(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: the embedded copy differs from %s", name, filepath.Join(shared, name))
		}
	}
}

func TestLoad(t *testing.T) {
	var v struct {
		Target float64 `json:"target"`
	}
	if err := Load("mlp.json", &v); err != nil {
		t.Fatal(err)
	}
	if v.Target != 0.25 {
		t.Errorf("mlp.json target = %v, want 0.25", v.Target)
	}
	if err := Load("absent.json", &v); err == nil {
		t.Error("Load of an absent file returned no error")
	}
}

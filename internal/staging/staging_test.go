package staging

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestCommitMergesAndKeepsOtherFiles(t *testing.T) {
	root := t.TempDir()
	target := filepath.Join(root, "out")
	write(t, filepath.Join(target, "metrics.json"), "old")
	write(t, filepath.Join(target, "mine.txt"), "user's")
	d, err := Begin(target)
	if err != nil {
		t.Fatal(err)
	}
	write(t, d.File("metrics.json"), "new")
	write(t, d.File("sub/a.csv"), "a")
	if got := read(t, filepath.Join(target, "metrics.json")); got != "old" {
		t.Fatalf("target changed before Commit: %q", got)
	}
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"metrics.json": "new", "mine.txt": "user's", "sub/a.csv": "a"} {
		if got := read(t, filepath.Join(target, name)); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if got := entries(t, root); len(got) != 1 || got[0] != "out" {
		t.Errorf("left beside the target: %v", got)
	}
}

func TestCommitReplace(t *testing.T) {
	root := t.TempDir()
	target := filepath.Join(root, "exp")
	write(t, filepath.Join(target, "stale.png"), "old")
	d, err := Begin(target)
	if err != nil {
		t.Fatal(err)
	}
	d.Replace = true
	write(t, d.File("metrics.json"), "new")
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, target); len(got) != 1 || got[0] != "metrics.json" {
		t.Errorf("target holds %v, want only metrics.json", got)
	}
	if got := entries(t, root); len(got) != 1 {
		t.Errorf("left beside the target: %v", got)
	}
}

// TestKeepLeavesEarlierResultByteIdentical guards the promise of the package: a run that
// fails leaves the target as it was and its own files under the .failed name.
func TestKeepLeavesEarlierResultByteIdentical(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errors.New("diverged"), Failed},
		{fmt.Errorf("cycle 3: %w", context.Canceled), Interrupted},
	} {
		root := t.TempDir()
		target := filepath.Join(root, "out")
		write(t, filepath.Join(target, "metrics.json"), "good")
		write(t, filepath.Join(root, "out"+tc.want, "stale"), "from an earlier failure")
		d, err := Begin(target)
		if err != nil {
			t.Fatal(err)
		}
		write(t, d.File("metrics.json"), "partial")
		kept, err := d.Keep(Suffix(tc.err))
		if err != nil {
			t.Fatal(err)
		}
		if kept != target+tc.want {
			t.Errorf("kept %s, want %s", kept, target+tc.want)
		}
		if got := read(t, filepath.Join(target, "metrics.json")); got != "good" {
			t.Errorf("earlier result changed to %q", got)
		}
		if got := entries(t, kept); len(got) != 1 || got[0] != "metrics.json" {
			t.Errorf("kept folder holds %v", got)
		}
	}
}

func TestKeepNothingMade(t *testing.T) {
	root := t.TempDir()
	d, err := Begin(filepath.Join(root, "a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	kept, err := d.Keep(Failed)
	if err != nil || kept != "" {
		t.Fatalf("Keep of an empty run = %q, %v", kept, err)
	}
	if got := entries(t, filepath.Join(root, "a")); len(got) != 0 {
		t.Errorf("left %v", got)
	}
}

func TestBeginRefusesAFile(t *testing.T) {
	root := t.TempDir()
	f := filepath.Join(root, "f")
	write(t, f, "x")
	if _, err := Begin(f); err == nil {
		t.Fatal("Begin on a file: no error")
	}
	if _, err := Begin(filepath.Join(f, "sub")); err == nil {
		t.Fatal("Begin under a file: no error")
	}
}

// TestBeginWorkingFolder stages inside "." (whose parent may be read-only) and merges into it.
func TestBeginWorkingFolder(t *testing.T) {
	root := t.TempDir()
	t.Chdir(root)
	d, err := Begin(".")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(d.Path) != "." {
		t.Errorf("staged in %s, want inside the working folder", d.Path)
	}
	write(t, d.File("m.json"), "model")
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, root); len(got) != 1 || got[0] != "m.json" {
		t.Errorf("working folder holds %v", got)
	}
}

func TestUnstage(t *testing.T) {
	d, err := Begin(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Discard()
	base := fmt.Errorf("writing %s: %w", d.File("a.csv"), context.Canceled)
	got := d.Unstage(base)
	if got.Error() != "writing "+filepath.Join(d.Target, "a.csv")+": context canceled" || !errors.Is(got, context.Canceled) {
		t.Errorf("Unstage = %q (Is Canceled: %v)", got, errors.Is(got, context.Canceled))
	}
	if d.Unstage(nil) != nil {
		t.Error("Unstage(nil) is not nil")
	}
}

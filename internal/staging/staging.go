// Package staging builds a run's output in a folder beside its target and moves it into
// place only when the run succeeds, so that a failed or interrupted run never replaces, or
// mixes with, the results of an earlier good run.
//
// A command calls Begin with its output folder, writes every file into Dir.Path, and ends
// with Commit on success or Keep on failure:
//
//	out/fourdvar                       the target: untouched until Commit
//	out/.fourdvar.staging-123/         the run writes here
//	out/fourdvar.failed/               what a failed run made, kept by Keep(".failed")
//
// Commit either merges (each staged file renamed over its namesake in the target, other
// files left alone: right for a folder the user may share with other files, such as the
// folder of a model file) or, with Replace set, swaps the whole folder (right for a folder
// that holds one result, such as an experiment's). Every rename is within one parent
// folder, so each is atomic; files are written inside the staging folder with
// internal/atomicfile, so that a temporary file left by an interrupted write never reaches
// the target.
package staging

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Suffixes of the folders Keep leaves.
const (
	Failed      = ".failed"
	Interrupted = ".interrupted"
)

// Dir is one run's staging folder.
type Dir struct {
	// Target is the folder the files end up in.
	Target string
	// Path is the staging folder: the run writes its files here.
	Path string
	// Replace makes Commit replace Target as a whole instead of merging into it.
	Replace bool
	// KeepBase is the path Keep appends its suffix to; Begin sets it to Target.
	KeepBase string
}

// Begin creates a staging folder beside target (whose parent is created if needed), which
// proves the place writable before any work is done; for "." or "..", which exist and whose
// parent may not be writable, inside it. The error names target.
func Begin(target string) (*Dir, error) {
	target = filepath.Clean(target)
	parent, base := filepath.Split(target)
	if parent == "" {
		parent = "."
	}
	if base == "." || base == ".." || base == "" {
		// The working folder or one above it: its parent may not be writable, and it exists,
		// so the staging folder goes inside it (Commit merges; Replace is refused below).
		parent, base = target, "run"
	}
	if info, err := os.Stat(target); err == nil && !info.IsDir() {
		return nil, fmt.Errorf("output folder %s: exists and is not a folder", target)
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("output folder %s: %w", target, err)
	}
	path, err := os.MkdirTemp(parent, "."+base+".staging-")
	if err != nil {
		return nil, fmt.Errorf("output folder %s is not writable: %w", target, err)
	}
	if err := os.Chmod(path, 0o755); err != nil { // MkdirTemp makes it private
		os.Remove(path)
		return nil, fmt.Errorf("output folder %s: %w", target, err)
	}
	d := &Dir{Target: target, Path: filepath.Clean(path), KeepBase: target} // MkdirTemp keeps a leading ./
	active.Lock()
	active.dirs[d] = true
	active.Unlock()
	return d, nil
}

// active holds the staging folders not yet committed, kept or discarded, for Abandon. Its
// lock also serialises Commit, Keep and Discard against Abandon.
var active = struct {
	sync.Mutex
	dirs map[*Dir]bool
}{dirs: map[*Dir]bool{}}

// Abandon keeps every staging folder still open under its KeepBase+suffix, after removing
// the temporary files of writes cut short, and returns the folders kept. It is for a process
// about to exit before its runs could end them, such as one a signal stops in a phase that
// does not check for interrupts; it holds the lock until the process exits, so that no
// Commit races it.
func Abandon(suffix string) []string {
	active.Lock()
	var kept []string
	for d := range active.dirs {
		filepath.WalkDir(d.Path, func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), ".tmp") {
				os.Remove(p)
			}
			return nil
		})
		if k, err := d.keep(suffix); err == nil && k != "" {
			kept = append(kept, k)
		}
	}
	return kept
}

// done removes d from the open folders; the caller holds active's lock.
func (d *Dir) done() { delete(active.dirs, d) }

// File returns the staging path of the file name (relative to the target folder).
func (d *Dir) File(name string) string { return filepath.Join(d.Path, name) }

// Final returns the path a staged path will have after Commit.
func (d *Dir) Final(staged string) string {
	rel, err := filepath.Rel(d.Path, staged)
	if err != nil || strings.HasPrefix(rel, "..") {
		return staged
	}
	return filepath.Join(d.Target, rel)
}

// Commit moves the staged files into the target and removes the staging folder.
func (d *Dir) Commit() error {
	active.Lock()
	defer active.Unlock()
	d.done()
	if d.Replace {
		return d.replace()
	}
	if err := os.MkdirAll(d.Target, 0o755); err != nil {
		return fmt.Errorf("output folder %s: %w", d.Target, err)
	}
	err := filepath.WalkDir(d.Path, func(p string, e fs.DirEntry, err error) error {
		if err != nil || p == d.Path {
			return err
		}
		dst := d.Final(p)
		if e.IsDir() {
			if info, err := os.Stat(dst); err == nil && info.IsDir() {
				return nil // merge into it
			}
			if err := os.Rename(p, dst); err != nil {
				return err
			}
			return filepath.SkipDir
		}
		return os.Rename(p, dst)
	})
	if err != nil {
		return fmt.Errorf("moving the results into %s: %w (what is not there yet is in %s)", d.Target, err, d.Path)
	}
	return os.RemoveAll(d.Path)
}

// replace swaps the staging folder in for the target, putting the target back if that fails.
func (d *Dir) replace() error {
	if filepath.Dir(d.Path) == d.Target {
		return fmt.Errorf("replacing %s: the results are staged inside it; name a folder of its own", d.Target)
	}
	old := d.Path + ".old"
	_, err := os.Stat(d.Target)
	if err == nil {
		if err := os.Rename(d.Target, old); err != nil {
			return fmt.Errorf("replacing %s: %w", d.Target, err)
		}
	}
	if err := os.Rename(d.Path, d.Target); err != nil {
		os.Rename(old, d.Target)
		return fmt.Errorf("replacing %s: %w (the new results are in %s)", d.Target, err, d.Path)
	}
	return os.RemoveAll(old)
}

// Keep keeps what a run that did not succeed made, under KeepBase+suffix (Failed or
// Interrupted), replacing an earlier folder of that name. It returns the folder kept, or ""
// when the run made nothing, in which case the staging folder is just removed.
func (d *Dir) Keep(suffix string) (string, error) {
	active.Lock()
	defer active.Unlock()
	return d.keep(suffix)
}

func (d *Dir) keep(suffix string) (string, error) {
	d.done()
	entries, err := os.ReadDir(d.Path)
	if err == nil && len(entries) == 0 {
		return "", os.Remove(d.Path)
	}
	kept := d.KeepBase + suffix
	if err := os.RemoveAll(kept); err != nil {
		return d.Path, fmt.Errorf("keeping the partial results: %w", err)
	}
	if err := os.Rename(d.Path, kept); err != nil {
		return d.Path, fmt.Errorf("keeping the partial results in %s: %w", kept, err)
	}
	return kept, nil
}

// Discard removes the staging folder and everything in it.
func (d *Dir) Discard() error {
	active.Lock()
	defer active.Unlock()
	d.done()
	return os.RemoveAll(d.Path)
}

// Suffix returns Interrupted when err comes from an interrupt (it wraps context.Canceled),
// Failed otherwise.
func Suffix(err error) string {
	if errors.Is(err, context.Canceled) {
		return Interrupted
	}
	return Failed
}

// Unstage returns err with the staging folder's path in its message replaced by the target's,
// so that a message names the file the user asked for; errors.Is and As see err as before.
func (d *Dir) Unstage(err error) error {
	if err == nil || !strings.Contains(err.Error(), d.Path) {
		return err
	}
	return &unstaged{err: err, msg: strings.ReplaceAll(err.Error(), d.Path, d.Target)}
}

type unstaged struct {
	err error
	msg string
}

func (u *unstaged) Error() string { return u.msg }
func (u *unstaged) Unwrap() error { return u.err }

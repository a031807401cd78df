// Package atomicfile writes files so that a reader, or a run that fails half-way, sees either
// the old file or the complete new one, never a part: the content goes to a temporary file in
// the same directory, which is synced and then renamed over the destination. Every command of
// adjunto writes its outputs (models, metrics, CSV series, figures) this way, so that results
// already written survive a later failure.
package atomicfile

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Mode is the permission of the files written: readable by all, as os.Create would make them
// under the usual umask (os.CreateTemp makes its files private).
const Mode = 0o644

// Write creates or replaces path with what write writes. On any error the temporary file is
// removed, path is left as it was, and the error names path.
func Write(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			err = fmt.Errorf("writing %s: %w", path, err)
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	if err = f.Chmod(Mode); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// WriteBytes creates or replaces path with data, as Write does.
func WriteBytes(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := io.Copy(w, bytes.NewReader(data))
		return err
	})
}

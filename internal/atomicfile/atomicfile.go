// Package atomicfile writes files whole or not at all: through a temporary file
// beside the target, synced, then renamed into place.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Temp writes data to a new temporary file beside path, with mode perm, synced
// and closed, and returns its name: the caller renames it to path, or removes it.
func Temp(path string, data []byte, perm os.FileMode) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	name := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return name, nil
}

// Write writes data to path, with mode perm, whole or not at all.
func Write(path string, data []byte, perm os.FileMode) error {
	tmp, err := Temp(path, data, perm)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

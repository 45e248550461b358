package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

// A file is written whole with its mode, and a write that cannot happen leaves
// nothing behind.
func TestWriteIsWholeOrNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := Write(path, []byte("a,b\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("written file: %v, %v", info, err)
	}
	if b, _ := os.ReadFile(path); string(b) != "a,b\n" {
		t.Fatalf("content %q", b)
	}
	if err := Write(filepath.Join(dir, "missing", "x.csv"), []byte("x"), 0o600); err == nil {
		t.Fatal("writing into a missing folder succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}

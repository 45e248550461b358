//go:build !linux

package redistest

import "syscall"

// serverAttr: only Linux can tie a child's life to its parent's; elsewhere a
// redis-server outlives a test binary that is killed, as before.
func serverAttr() *syscall.SysProcAttr { return nil }

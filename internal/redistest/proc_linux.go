package redistest

import "syscall"

// serverAttr makes a redis-server die with the test process, however that ends: a
// process group of its own (so a terminal's signals reach it only through us) and
// SIGKILL from the kernel when its parent dies, even when go test kills a timed-out
// test binary. Pdeathsig follows the forking thread, and the Go runtime never ends
// a thread that is not locked to a goroutine, so it fires when the process ends.
func serverAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

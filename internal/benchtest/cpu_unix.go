//go:build unix

package benchtest

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used, in user and system mode.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

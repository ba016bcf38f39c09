//go:build !unix

package benchtest

import "time"

// processCPU is 0 where getrusage is not to be had: the CPU figures then read 0.
func processCPU() time.Duration { return 0 }

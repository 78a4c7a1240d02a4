//go:build !unix

package main

import "time"

// processCPU returns 0: this system offers no portable per-process CPU time.
func processCPU() time.Duration { return 0 }

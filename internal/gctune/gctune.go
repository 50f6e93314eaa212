// Package gctune sets the Go garbage collector for the service: fewer collections, paid for with memory
// that stays within the service's RSS budget.
//
// A GraphQL answer is built from many short-lived objects (one per field, list element and citation), so
// with Go's default GOGC=100 the collector takes a quarter of the service's CPU under load
// (BENCHMARKS.md). Apply raises GOGC to 400 and sets a soft memory limit of 180 MiB: below the limit the
// heap may grow to five times the live data; near it, the limit, not GOGC, paces the collector, so the
// process stays under 200 MB. GOGC and GOMEMLIMIT in the environment take precedence, as they do for any
// Go program.
package gctune

import (
	"os"
	"runtime/debug"
)

// Defaults applied when the environment sets neither GOGC nor GOMEMLIMIT.
const (
	Percent     = 400
	MemoryLimit = 180 << 20
)

// Apply sets GOGC and the memory limit to the defaults above, each unless the environment sets it.
func Apply() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(Percent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(MemoryLimit)
	}
}

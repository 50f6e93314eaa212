package gctune

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestApply(t *testing.T) {
	tests := []struct {
		name, gogc, memlimit string
		wantPercent          int
		wantLimit            int64
	}{
		{"defaults", "", "", Percent, MemoryLimit},
		{"environment wins", "150", "300MiB", 150, 300 << 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GOGC", tc.gogc)
			t.Setenv("GOMEMLIMIT", tc.memlimit)
			// What the runtime reads from the environment at start-up, set by hand here.
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(math.MaxInt64)
			if tc.gogc != "" {
				debug.SetGCPercent(150)
				debug.SetMemoryLimit(300 << 20)
			}
			Apply()
			if got := debug.SetGCPercent(100); got != tc.wantPercent {
				t.Errorf("GOGC %d, want %d", got, tc.wantPercent)
			}
			if got := debug.SetMemoryLimit(-1); got != tc.wantLimit {
				t.Errorf("memory limit %d, want %d", got, tc.wantLimit)
			}
		})
	}
}

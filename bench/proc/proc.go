// Package proc reads the memory and CPU time of processes from /proc (Linux), for the benchmark's RSS and
// CPU figures.
package proc

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Status returns a field of /proc/PID/status in bytes (VmRSS: resident now, VmHWM: peak resident).
func Status(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, field+":") {
			continue
		}
		parts := strings.Fields(line[len(field)+1:])
		if len(parts) == 0 {
			break
		}
		kb, err := strconv.ParseInt(parts[0], 10, 64)
		return kb * 1024, err
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// RSS is the resident set size of pid now, in bytes (0 when it cannot be read).
func RSS(pid int) int64 {
	n, _ := Status(pid, "VmRSS")
	return n
}

// CPUSeconds is the user + system CPU time of pid so far, in seconds (0 when it cannot be read).
func CPUSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]) // fields from 3 (state) on
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ
}

// PidFile reads a pid from a file (the Neo4j launcher's neo4j.pid).
func PidFile(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// Sampler records the peak RSS of a set of processes, sampling every interval until Stop.
type Sampler struct {
	pids []int
	stop chan struct{}
	done sync.WaitGroup
	mu   sync.Mutex
	peak map[int]int64
}

// Sample starts sampling the given pids (0s are ignored).
func Sample(interval time.Duration, pids ...int) *Sampler {
	s := &Sampler{stop: make(chan struct{}), peak: map[int]int64{}}
	for _, p := range pids {
		if p > 0 {
			s.pids = append(s.pids, p)
		}
	}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			s.once()
			select {
			case <-s.stop:
				s.once()
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *Sampler) once() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.pids {
		if r := RSS(p); r > s.peak[p] {
			s.peak[p] = r
		}
	}
}

// Stop ends sampling and returns the peak RSS of each pid, in bytes.
func (s *Sampler) Stop() map[int]int64 {
	close(s.stop)
	s.done.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int]int64, len(s.peak))
	for k, v := range s.peak {
		out[k] = v
	}
	return out
}

// MiB formats bytes as MiB.
func MiB(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

package procstat

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// TimefnWrappers installs the timefn binary (tests/bench/timefn) under each function's name
// in a folder "wrappers" under dir, and returns the folder: first on kpt's PATH, each
// function then runs under timefn, which logs its wall time and peak memory.
func TimefnWrappers(dir, timefn string, functions []string) (string, error) {
	wrappers := filepath.Join(dir, "wrappers")
	if err := os.MkdirAll(wrappers, 0o755); err != nil {
		return "", err
	}
	b, err := os.ReadFile(timefn)
	if err != nil {
		return "", fmt.Errorf("reading timefn (make bench builds it): %w", err)
	}
	for _, f := range functions {
		if err := os.WriteFile(filepath.Join(wrappers, f), b, 0o755); err != nil {
			return "", err
		}
	}
	return wrappers, nil
}

// TimefnCall is one function run timefn logged.
type TimefnCall struct {
	Name   string
	Wall   time.Duration
	MaxRSS int64 // KiB
}

// ReadTimefnLog reads the calls timefn logged ("NAME SECONDS KIB" per line).
func ReadTimefnLog(path string) ([]TimefnCall, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading timefn's log: %w", err)
	}
	var calls []TimefnCall
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var c TimefnCall
		var secs float64
		if _, err := fmt.Sscanf(line, "%s %f %d", &c.Name, &secs, &c.MaxRSS); err != nil {
			return nil, fmt.Errorf("timefn log line %q: %w", line, err)
		}
		c.Wall = time.Duration(secs * float64(time.Second))
		calls = append(calls, c)
	}
	return calls, nil
}

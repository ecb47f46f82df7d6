// Package procstat runs a program once and measures what the run cost: CPU time (user and
// system), wall time and peak resident memory, as the benchmarks report them; Median
// summarises several runs.
package procstat

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"
)

// Sample is what one run cost.
type Sample struct {
	CPU    time.Duration // user and system time
	Wall   time.Duration
	MaxRSS int64 // peak resident memory, KiB
}

// Run runs path with args once, standard input read from the file stdin ("" for none) and
// standard output written to stdout. A failed run's error carries its standard error.
func Run(path string, args []string, stdin string, stdout io.Writer) (Sample, error) {
	cmd := exec.Command(path, args...)
	if stdin != "" {
		in, err := os.Open(stdin)
		if err != nil {
			return Sample{}, err
		}
		defer in.Close()
		cmd.Stdin = in
	}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	s := Sample{Wall: time.Since(start)}
	if err != nil {
		return s, fmt.Errorf("%s: %v\n%s", filepath.Base(path), err, stderr.String())
	}
	s.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.MaxRSS = ru.Maxrss
	}
	return s, nil
}

// RunToFile runs the program path on the file input and writes its output to the file
// output.
func RunToFile(path, input, output string) error {
	out, err := os.Create(output)
	if err != nil {
		return err
	}
	if _, err := Run(path, nil, input, out); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Median is the median of the samples, each quantity on its own.
func Median(ss []Sample) Sample {
	mid := func(get func(Sample) int64) int64 {
		v := make([]int64, len(ss))
		for i, s := range ss {
			v[i] = get(s)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return Sample{
		CPU:    time.Duration(mid(func(s Sample) int64 { return int64(s.CPU) })),
		Wall:   time.Duration(mid(func(s Sample) int64 { return int64(s.Wall) })),
		MaxRSS: mid(func(s Sample) int64 { return s.MaxRSS }),
	}
}

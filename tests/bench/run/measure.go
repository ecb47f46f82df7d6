package main

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

// measurement is one run of a binary.
type measurement struct {
	cpu, wall time.Duration // cpu: user and system time
	maxRSS    int64         // KiB
}

// measure runs the binary once on the input, discarding its output.
func measure(binary, input string) (measurement, error) {
	return runOn(binary, input, io.Discard)
}

// runToFile writes the binary's output on the input to a file.
func runToFile(binary, input, output string) error {
	out, err := os.Create(output)
	if err != nil {
		return err
	}
	if _, err := runOn(binary, input, out); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// runOn runs the binary once with the input file on standard input and its output to
// stdout, and returns what it cost.
func runOn(binary, input string, stdout io.Writer) (measurement, error) {
	in, err := os.Open(input)
	if err != nil {
		return measurement{}, err
	}
	defer in.Close()
	cmd := exec.Command(binary)
	cmd.Stdin = in
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	start := time.Now()
	err = cmd.Run()
	m := measurement{wall: time.Since(start)}
	if err != nil {
		return m, fmt.Errorf("%s: %v\n%s", filepath.Base(binary), err, stderr.String())
	}
	m.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.maxRSS = ru.Maxrss
	}
	return m, nil
}

// median is the median of the runs, each quantity on its own.
func median(ms []measurement) measurement {
	mid := func(get func(measurement) int64) int64 {
		v := make([]int64, len(ms))
		for i, m := range ms {
			v[i] = get(m)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return measurement{
		cpu:    time.Duration(mid(func(m measurement) int64 { return int64(m.cpu) })),
		wall:   time.Duration(mid(func(m measurement) int64 { return int64(m.wall) })),
		maxRSS: mid(func(m measurement) int64 { return m.maxRSS }),
	}
}

// report prints the medians of one package size, with ratios to the baseline (when
// measured) and to the module's kyaml no-op.
func report(n int, subjects []subject, results [][]measurement) {
	meds := make([]measurement, len(results))
	for i := range results {
		meds[i] = median(results[i])
	}
	base, kyaml := -1, -1
	for i, s := range subjects {
		switch {
		case base < 0 && len(s.name) > 9 && s.name[:9] == "baseline ":
			base = i
		case kyaml < 0 && len(s.name) > 10 && s.name[:10] == "kyamlnoop ":
			kyaml = i
		}
	}
	fmt.Printf("\n%d Deployments, median of %d alternating runs\n", n, len(results[0]))
	fmt.Printf("%-26s %10s %10s %10s %11s %11s %13s %13s\n", "binary", "CPU", "CPU/deploy", "wall", "peak RSS",
		"CPU/base", "CPU/kyamlnoop", "RSS/kyamlnoop")
	for i, s := range subjects {
		m := meds[i]
		ratio := func(j int, a, b float64) string {
			if j < 0 || b == 0 {
				return "-"
			}
			return fmt.Sprintf("%.2fx", a/b)
		}
		fmt.Printf("%-26s %10s %10s %10s %7d MiB %11s %13s %13s\n", s.name, m.cpu.Round(10*time.Millisecond),
			(m.cpu / time.Duration(n)).Round(time.Microsecond), m.wall.Round(10*time.Millisecond), m.maxRSS>>10,
			ratio(base, float64(m.cpu), float64(meds[max(base, 0)].cpu)),
			ratio(kyaml, float64(m.cpu), float64(meds[max(kyaml, 0)].cpu)),
			ratio(kyaml, float64(m.maxRSS), float64(meds[max(kyaml, 0)].maxRSS)))
	}
}

// Command timefn stands in for a function binary in the pipeline benchmark: installed
// under a function's name, it runs the real binary of that name from MESHFN_TIMEFN_BIN
// with the same arguments and standard streams, then appends the function's wall time
// and peak resident memory to MESHFN_TIMEFN_LOG ("NAME SECONDS KIB" per line). That is
// the function's own processing time, apart from what kpt spends around it.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	name := filepath.Base(os.Args[0])
	cmd := exec.Command(filepath.Join(os.Getenv("MESHFN_TIMEFN_BIN"), name), os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		fmt.Fprintln(os.Stderr, "timefn:", err)
		os.Exit(1)
	}
	var maxRSS int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		maxRSS = ru.Maxrss
	}
	if log, err := os.OpenFile(os.Getenv("MESHFN_TIMEFN_LOG"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		fmt.Fprintf(log, "%s %f %d\n", name, wall.Seconds(), maxRSS)
		log.Close()
	}
	os.Exit(cmd.ProcessState.ExitCode())
}

package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/meshfn/meshfn/tests/bench/procstat"
)

// report prints the medians of one package size, with ratios to the baseline (when
// measured) and to the module's kyaml no-op.
func report(n int, subjects []subject, results [][]procstat.Sample) {
	meds := make([]procstat.Sample, len(results))
	for i := range results {
		meds[i] = procstat.Median(results[i])
	}
	base, kyaml := -1, -1
	for i, s := range subjects {
		switch {
		case base < 0 && strings.HasPrefix(s.name, "baseline "):
			base = i
		case kyaml < 0 && strings.HasPrefix(s.name, "kyamlnoop "):
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
		fmt.Printf("%-26s %10s %10s %10s %7d MiB %11s %13s %13s\n", s.name, m.CPU.Round(10*time.Millisecond),
			(m.CPU / time.Duration(n)).Round(time.Microsecond), m.Wall.Round(10*time.Millisecond), m.MaxRSS>>10,
			ratio(base, float64(m.CPU), float64(meds[max(base, 0)].CPU)),
			ratio(kyaml, float64(m.CPU), float64(meds[max(kyaml, 0)].CPU)),
			ratio(kyaml, float64(m.MaxRSS), float64(meds[max(kyaml, 0)].MaxRSS)))
	}
}

// Command write writes a synthetic mesh repository made from the blueprints (package
// tests/bench/fleet) for measuring renders by hand.
//
//	go run ./tests/bench/fleet/write -workloads 10000 -packages 10 -exec DIR
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/meshfn/meshfn/tests/bench/fleet"
)

func main() {
	r := fleet.Repository{Blueprints: "blueprints"}
	flag.IntVar(&r.Workloads, "workloads", 10000, "Deployments")
	flag.IntVar(&r.Packages, "packages", 10, "namespace packages")
	flag.BoolVar(&r.Exec, "exec", false, "name the functions by exec: instead of by image")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: write [-workloads N] [-packages N] [-exec] DIR")
		os.Exit(2)
	}
	if err := r.Write(flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

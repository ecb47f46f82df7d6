// Command render-exec renders a kpt package whose pipelines name meshfn's function
// images with the function binaries built from source (exec mode), for machines without a
// container runtime. `make render` runs it on the repository's root package.
//
//	go run ./hack/render-exec [-bin DIR] [PACKAGE] [-- KPT-RENDER-FLAGS...]
//
// The package is rendered in a temporary copy whose Kptfiles say `exec: NAME` instead of
// `image: ghcr.io/meshfn/NAME:VERSION`; the files kpt changed are written back with the
// image references kept. The exit code is 1 when kpt fails, and then nothing is changed.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/meshfn/meshfn/internal/kptexec"
)

func main() {
	bin := flag.String("bin", "bin", "folder holding the function binaries (put first on kpt's PATH)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: render-exec [-bin DIR] [PACKAGE] [-- KPT-RENDER-FLAGS...]\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	pkg, kptArgs := ".", flag.Args()
	if len(kptArgs) > 0 && kptArgs[0] != "--" {
		pkg, kptArgs = kptArgs[0], kptArgs[1:]
	}
	if len(kptArgs) > 0 && kptArgs[0] == "--" {
		kptArgs = kptArgs[1:]
	}
	binDir, err := filepath.Abs(*bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "render-exec:", err)
		os.Exit(1)
	}
	err = kptexec.Render(pkg, kptexec.Options{
		Args:   kptArgs,
		Env:    append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH")),
		Stdout: os.Stdout,
		Stderr: os.Stderr,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "render-exec:", err)
		os.Exit(1)
	}
}

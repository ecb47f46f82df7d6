// Command render-exec renders a kpt package whose pipelines name meshfn's function
// images with the function binaries built from source (exec mode), for machines without a
// container runtime. `make render` runs it on the repository's root package.
//
//	render-exec [-bin DIR] [-allow-package-exec] [PACKAGE] [-- KPT-RENDER-FLAGS...]
//
// The function binaries are taken from the folder render-exec itself is in (bin/ after
// `make build`), so it works from any folder; -bin names another one.
//
// The package is rendered in a temporary copy whose Kptfiles say `exec: NAME` instead of
// `image: ghcr.io/meshfn/NAME:VERSION`, for meshfn's functions only (not hsm-tool, not
// render-exec). Those are the only programs it runs: a package whose Kptfiles (its
// subpackages' included) name a program of their own in an `exec:` entry is refused
// before kpt starts, unless -allow-package-exec says to run them too, as you, with your
// files; other images are left to kpt, which runs them as containers.
//
// The files kpt changed are written back with the image references kept, each
// atomically, never through a symlink (a package holding one is refused). The exit code
// is 1 when kpt fails, and then nothing is changed; an interrupt (SIGINT, SIGTERM) before
// the write-back also changes nothing.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/meshfn/meshfn/internal/kptexec"
)

func main() {
	bin := flag.String("bin", ownFolder(), "folder holding the function binaries (put first on kpt's PATH)")
	allowPackageExec := flag.Bool("allow-package-exec", false,
		"also run the programs the package's own Kptfiles name in exec: entries (any program, as you, with your files);\n"+
			"without it such a package is refused before anything runs")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: render-exec [-bin DIR] [-allow-package-exec] [PACKAGE] [-- KPT-RENDER-FLAGS...]\n\n")
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := kptexec.Render(ctx, pkg, kptexec.Options{
		Args:             kptArgs,
		Bin:              *bin,
		Stdout:           os.Stdout,
		Stderr:           os.Stderr,
		AllowPackageExec: *allowPackageExec,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "render-exec:", err)
		stop()
		os.Exit(1)
	}
}

// ownFolder is the folder of the render-exec executable (symlinks resolved), where
// `make build` puts the function binaries too; "bin" if it cannot be found.
func ownFolder() string {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return "bin"
	}
	return filepath.Dir(exe)
}

// Package kptexec renders kpt packages whose pipelines name meshfn's function images
// with the function binaries built from source instead.
//
// The blueprints reference images (ghcr.io/meshfn/NAME:VERSION), the form users consume
// and Porch or Config Sync require. Developers and CI machines without a container runtime
// render the same packages in exec mode: a temporary copy of the package whose Kptfiles
// say `exec: NAME` instead, rendered with `kpt fn render --allow-exec` and written back
// with the image references restored. Only files kpt changed are written back.
//
// --allow-exec lets kpt run any exec entry, so render-exec makes sure first that the only
// ones are those it made from meshfn's images (Functions): a package naming programs of
// its own is refused unless Options.AllowPackageExec.
package kptexec

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// ImagePrefix is the registry path of meshfn's function images.
const ImagePrefix = "ghcr.io/meshfn/"

// functions are the names of meshfn's function binaries, sorted: the only programs
// render-exec runs in place of an image. The other programs built with them (hsm-tool,
// render-exec itself) are not functions: render-exec as a function would render its own
// copy without end.
var functions = []string{"apply-setters", "generate-ca-secrets", "generate-revision", "generate-waypoint",
	"inject-sidecar", "set-namespace-revision", "validate-mesh"}

// Functions returns the names of meshfn's functions (binary, image and folder under
// functions/), sorted.
func Functions() []string { return slices.Clone(functions) }

// IsFunction reports whether name is one of meshfn's functions.
func IsFunction(name string) bool {
	_, ok := slices.BinarySearch(functions, name)
	return ok
}

// imageLine matches a pipeline entry's image reference to one of meshfn's functions,
// keeping the indentation and list marker in front of it.
var imageLine = regexp.MustCompile(`^(\s*(?:- )?)image: ` + regexp.QuoteMeta(ImagePrefix) + `([a-z0-9-]+):([A-Za-z0-9._-]+)[ \t]*$`)

// execLine matches a pipeline entry that runs a binary by name.
var execLine = regexp.MustCompile(`^(\s*(?:- )?)exec: ([a-z0-9-]+)[ \t]*$`)

// Images maps a function name to the image reference a Kptfile gave it.
type Images map[string]string

// ToExec rewrites every meshfn image reference in a Kptfile into an exec entry naming
// the function's binary, and returns which references it replaced. An image under
// ImagePrefix that names no function (hsm-tool, render-exec, sh) is an error: only the
// function binaries are run. A function that the Kptfile already runs by exec, or names
// with two different images, is an error too: the rewrite could not be undone exactly.
func ToExec(kptfile []byte) ([]byte, Images, error) {
	images := Images{}
	var execs []string
	var err error
	out := mapLines(kptfile, func(line string) string {
		if m := execLine.FindStringSubmatch(line); m != nil {
			execs = append(execs, m[2])
			return line
		}
		m := imageLine.FindStringSubmatch(line)
		if m == nil {
			return line
		}
		ref := ImagePrefix + m[2] + ":" + m[3]
		if !IsFunction(m[2]) {
			if err == nil {
				err = fmt.Errorf("image %s names no function of meshfn (%s): render-exec runs only those",
					ref, strings.Join(functions, ", "))
			}
			return line
		}
		if prev, ok := images[m[2]]; ok && prev != ref && err == nil {
			err = fmt.Errorf("function %s is named by two images, %s and %s", m[2], prev, ref)
		}
		images[m[2]] = ref
		return m[1] + "exec: " + m[2]
	})
	if err != nil {
		return nil, nil, err
	}
	for _, name := range execs {
		if _, ok := images[name]; ok {
			return nil, nil, fmt.Errorf("function %s is run both by exec and as image %s", name, images[name])
		}
	}
	return out, images, nil
}

// ToImages undoes ToExec: every exec entry naming a function in images becomes that
// image reference again. The rest of the Kptfile, including what kpt itself rewrote
// while rendering, is kept.
func ToImages(kptfile []byte, images Images) []byte {
	return mapLines(kptfile, func(line string) string {
		if m := execLine.FindStringSubmatch(line); m != nil && images[m[2]] != "" {
			return m[1] + "image: " + images[m[2]]
		}
		return line
	})
}

// mapLines replaces each line of text (without its line break, which is kept) by f's
// result.
func mapLines(text []byte, f func(line string) string) []byte {
	var out strings.Builder
	for _, line := range strings.SplitAfter(string(text), "\n") {
		body, nl := strings.CutSuffix(line, "\n")
		out.WriteString(f(body))
		if nl {
			out.WriteByte('\n')
		}
	}
	return []byte(out.String())
}

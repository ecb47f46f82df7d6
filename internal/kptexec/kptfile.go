// Package kptexec renders kpt packages whose pipelines name meshfn's function images
// with the function binaries built from source instead.
//
// The blueprints reference images (ghcr.io/meshfn/NAME:VERSION), the form users consume
// and Porch or Config Sync require. Developers and CI machines without a container runtime
// render the same packages in exec mode: a temporary copy of the package whose Kptfiles
// say `exec: NAME` instead, rendered with `kpt fn render --allow-exec` and written back
// with the image references restored. Only files kpt changed are written back.
package kptexec

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// ImagePrefix is the registry path of meshfn's function images.
const ImagePrefix = "ghcr.io/meshfn/"

// imageLine matches a pipeline entry's image reference to one of meshfn's functions,
// keeping the indentation and list marker in front of it.
var imageLine = regexp.MustCompile(`^(\s*(?:- )?)image: ` + regexp.QuoteMeta(ImagePrefix) + `([a-z0-9-]+):([A-Za-z0-9._-]+)[ \t]*$`)

// execLine matches a pipeline entry that runs a binary by name.
var execLine = regexp.MustCompile(`^(\s*(?:- )?)exec: ([a-z0-9-]+)[ \t]*$`)

// Images maps a function name to the image reference a Kptfile gave it.
type Images map[string]string

// ToExec rewrites every meshfn image reference in a Kptfile into an exec entry naming
// the function's binary, and returns which references it replaced. A function that the
// Kptfile already runs by exec, or names with two different images, is an error: the
// rewrite could not be undone exactly.
func ToExec(kptfile []byte) ([]byte, Images, error) {
	lines := strings.SplitAfter(string(kptfile), "\n")
	images := Images{}
	var execs []string
	for i, line := range lines {
		body, nl := strings.CutSuffix(line, "\n")
		if m := execLine.FindStringSubmatch(body); m != nil {
			execs = append(execs, m[2])
			continue
		}
		m := imageLine.FindStringSubmatch(body)
		if m == nil {
			continue
		}
		ref := ImagePrefix + m[2] + ":" + m[3]
		if prev, ok := images[m[2]]; ok && prev != ref {
			return nil, nil, fmt.Errorf("function %s is named by two images, %s and %s", m[2], prev, ref)
		}
		images[m[2]] = ref
		lines[i] = m[1] + "exec: " + m[2]
		if nl {
			lines[i] += "\n"
		}
	}
	for _, name := range execs {
		if _, ok := images[name]; ok {
			return nil, nil, fmt.Errorf("function %s is run both by exec and as image %s", name, images[name])
		}
	}
	return []byte(strings.Join(lines, "")), images, nil
}

// ToImages undoes ToExec: every exec entry naming a function in images becomes that
// image reference again. The rest of the Kptfile, including what kpt itself rewrote
// while rendering, is kept.
func ToImages(kptfile []byte, images Images) []byte {
	if len(images) == 0 {
		return kptfile
	}
	lines := bytes.SplitAfter(kptfile, []byte("\n"))
	for i, line := range lines {
		body, nl := bytes.CutSuffix(line, []byte("\n"))
		m := execLine.FindSubmatch(body)
		if m == nil {
			continue
		}
		ref, ok := images[string(m[2])]
		if !ok {
			continue
		}
		out := append([]byte{}, m[1]...)
		out = append(out, "image: "+ref...)
		if nl {
			out = append(out, '\n')
		}
		lines[i] = out
	}
	return bytes.Join(lines, nil)
}

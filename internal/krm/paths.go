package krm

import (
	"path"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// File names are shown from the root of the render. kpt fn render gives each item its
// path relative to its own package and the package's folder (PackagePathAnnotation, an
// absolute path): at the root of a package with subpackages, a subpackage's
// namespace.yaml is "namespace.yaml" like the root's own. So where an item has a package
// folder, File joins the two into an absolute path; the runtime, which sees every item's
// package folder, takes the render's root (the folder they all are in) off the paths in
// the results, messages included, once the function is done. What is left is the path
// from the folder kpt was run on: "blueprints/mesh-namespace/namespace.yaml".

// File returns the file obj came from for messages and results: its path, joined to its
// package's folder when the orchestrator gives one (see above); "" when unknown.
func File(obj *yaml.RNode) string {
	p, _ := Location(obj)
	if p == "" {
		return ""
	}
	if pkg := obj.GetAnnotations()[PackagePathAnnotation]; path.IsAbs(pkg) && !path.IsAbs(p) {
		return path.Join(pkg, p)
	}
	return p
}

// renderRoot is the folder every item's package folder is in, as items are seen.
type renderRoot struct {
	dir  string
	seen bool
}

// add takes obj's package folder into the root.
func (r *renderRoot) add(obj *yaml.RNode) {
	pkg, err := obj.Pipe(yaml.Lookup(yaml.MetadataField, yaml.AnnotationsField, PackagePathAnnotation))
	if err != nil || pkg == nil || !path.IsAbs(pkg.YNode().Value) {
		return
	}
	dir := path.Clean(pkg.YNode().Value)
	if !r.seen {
		r.dir, r.seen = dir, true
		return
	}
	for r.dir != "/" && dir != r.dir && !strings.HasPrefix(dir, r.dir+"/") {
		r.dir = path.Dir(r.dir)
	}
}

// relativize takes the root off the absolute file paths of results, in their files and
// messages.
func (r *renderRoot) relativize(results fn.Results) {
	if !r.seen {
		return
	}
	prefix := strings.TrimSuffix(r.dir, "/") + "/"
	for _, res := range results {
		if res.File != nil {
			res.File.Path = strings.TrimPrefix(res.File.Path, prefix)
		}
		res.Message = strings.ReplaceAll(res.Message, prefix, "")
	}
}

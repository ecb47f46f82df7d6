// Package fleet writes a synthetic mesh repository made from the repository's own
// blueprints, as a user's would be: blueprints/fleet at the root, control-plane packages
// from blueprints/control-plane-revision, and namespace packages from
// blueprints/app-namespace holding synthetic Deployments (tests/bench/synth).
package fleet

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/meshfn/meshfn/tests/bench/synth"
)

// Revision is a control-plane revision of the repository and the proxy tag it injects.
type Revision struct{ Name, Tag string }

// Revisions are the control planes of the synthetic repository; namespace package p is on
// Revisions[p%2].
var Revisions = []Revision{{"asm-1-29", "1.29.6"}, {"asm-1-30", "1.30.3"}}

// Repository describes a synthetic mesh repository.
type Repository struct {
	// Blueprints is the repository's blueprints/ folder.
	Blueprints string
	// Workloads are the Deployments, spread over Packages namespace packages.
	Workloads, Packages int
	// Exec makes the Kptfiles name meshfn's functions by `exec: NAME` instead of by image.
	Exec bool
	// Kptfiles replaces the named Kptfiles' pipelines (the path relative to the root, e.g.
	// "Kptfile" or "ns-0/Kptfile", maps to the text that replaces everything from the line
	// "pipeline:" on); a layout other than the shipped one.
	Kptfiles map[string]string
}

// NamespacePackage is the folder of namespace package p (also the namespace's name).
func NamespacePackage(p int) string { return fmt.Sprintf("ns-%d", p) }

// Write writes the repository into dir, which must not exist yet.
func (r Repository) Write(dir string) error {
	if _, err := os.Lstat(dir); err == nil {
		return fmt.Errorf("writing a fleet into %s: it exists", dir)
	}
	root := filepath.Join(r.Blueprints, "fleet")
	if err := copyPackage(root, dir, nil); err != nil {
		return err
	}
	for _, rev := range Revisions {
		if err := copyPackage(filepath.Join(r.Blueprints, "control-plane-revision"), filepath.Join(dir, "control-plane-"+rev.Name),
			map[string]string{"revision": rev.Name, "tag": rev.Tag}); err != nil {
			return err
		}
	}
	for p := 0; p < r.Packages; p++ {
		ns := NamespacePackage(p)
		if err := copyPackage(filepath.Join(r.Blueprints, "app-namespace"), filepath.Join(dir, ns),
			map[string]string{"namespace": ns, "revision": Revisions[p%len(Revisions)].Name}); err != nil {
			return err
		}
	}
	for i := 0; i < r.Workloads; i++ {
		ns := NamespacePackage(i % r.Packages)
		if err := os.WriteFile(filepath.Join(dir, ns, fmt.Sprintf("app-%d.yaml", i)), []byte(synth.Deployment(i, ns, "")), 0o644); err != nil {
			return err
		}
	}
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() != "Kptfile" {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(b)
		if pipeline, ok := r.Kptfiles[rel]; ok {
			if i := strings.Index(text, "\npipeline:"); i >= 0 {
				text = text[:i+1]
			}
			text += pipeline
		}
		if r.Exec {
			text = imageRef.ReplaceAllString(text, "exec: $1")
		}
		return os.WriteFile(path, []byte(text), 0o644)
	})
}

var imageRef = regexp.MustCompile(`image: ghcr\.io/meshfn/([a-z-]+):\S+`)

// copyPackage copies a blueprint's Kptfile and YAML files (subfolders included; not its
// README, scripts or CI definitions), setting the setters given in the Kptfile's
// apply-setters configMap.
func copyPackage(from, to string, setters map[string]string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && rel != "." || d.Name() == "scripts" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		if d.Name() != "Kptfile" && d.Name() != ".krmignore" && !strings.HasSuffix(d.Name(), ".yaml") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(b)
		if d.Name() == "Kptfile" {
			for name, value := range setters {
				re := regexp.MustCompile(`(?m)^(        ` + name + `: ).*$`)
				if !re.MatchString(text) {
					return fmt.Errorf("%s: no setter %s", path, name)
				}
				text = re.ReplaceAllString(text, "${1}"+value)
			}
		}
		return os.WriteFile(filepath.Join(to, rel), []byte(text), 0o644)
	})
}

// ReadTree reads every file under dir, by its path from dir.
func ReadTree(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = b
		return err
	})
	return files, err
}

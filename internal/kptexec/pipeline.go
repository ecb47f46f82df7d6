package kptexec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// pipeline is what a Kptfile runs, read as kpt reads it: the first YAML document, with
// the YAML library kpt decodes Kptfiles with (flow style, quoted keys, anchors and
// aliases included), so that no entry kpt would run is hidden from the checks.
type pipeline struct {
	Mutators   []function `yaml:"mutators"`
	Validators []function `yaml:"validators"`
}

// function is one pipeline entry: what it runs and where its config is.
type function struct {
	Image      string `yaml:"image"`
	Exec       string `yaml:"exec"`
	ConfigPath string `yaml:"configPath"`
}

func readPipeline(kptfile []byte) (pipeline, error) {
	var doc struct {
		Pipeline pipeline `yaml:"pipeline"`
	}
	err := yaml.NewDecoder(bytes.NewReader(kptfile)).Decode(&doc)
	if err != nil && !errors.Is(err, io.EOF) {
		return pipeline{}, fmt.Errorf("reading its pipeline: %w", err)
	}
	return doc.Pipeline, nil
}

// entry is a pipeline entry with its place in the Kptfile.
type entry struct {
	field string // pipeline.mutators[0]
	function
}

// entries lists the pipeline's mutators, then its validators.
func (p pipeline) entries() []entry {
	var out []entry
	for i, f := range p.Mutators {
		out = append(out, entry{fmt.Sprintf("pipeline.mutators[%d]", i), f})
	}
	for i, f := range p.Validators {
		out = append(out, entry{fmt.Sprintf("pipeline.validators[%d]", i), f})
	}
	return out
}

// execKptfile rewrites the Kptfile at rel (relative to the package) for exec mode with
// ToExec and makes sure, reading both versions as kpt will, that the only programs the
// rewritten Kptfile runs are the function binaries ToExec put in place of meshfn's
// images. A program the package itself names (an `exec:` entry, in any form) is refused
// unless allowPackageExec; so is a configPath that names no file of the package.
func execKptfile(rel string, kptfile []byte, files map[string]file, allowPackageExec bool) ([]byte, Images, error) {
	before, err := readPipeline(kptfile)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range before.entries() {
		if e.Exec != "" && !allowPackageExec {
			return nil, nil, fmt.Errorf("%s runs the program %q (exec): render-exec runs only meshfn's functions, in place of their images; "+
				"the programs a package names run only with -allow-package-exec, as you, with your files", e.field, e.Exec)
		}
		if err := checkConfigPath(rel, e.ConfigPath, files); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", e.field, err)
		}
	}
	out, images, err := ToExec(kptfile)
	if err != nil {
		return nil, nil, err
	}
	after, err := readPipeline(out)
	if err != nil {
		return nil, nil, fmt.Errorf("after the exec-mode rewrite: %w", err)
	}
	b, a := before.entries(), after.entries()
	if len(b) != len(a) || len(before.Mutators) != len(after.Mutators) {
		return nil, nil, errors.New("the exec-mode rewrite changed the pipeline's length")
	}
	for i := range b {
		if !rewritten(b[i].function, a[i].function, images) {
			return nil, nil, fmt.Errorf("%s: the exec-mode rewrite turned {image: %q, exec: %q} into {image: %q, exec: %q}: "+
				"render-exec cannot rewrite this Kptfile faithfully", b[i].field, b[i].Image, b[i].Exec, a[i].Image, a[i].Exec)
		}
	}
	return out, images, nil
}

// rewritten accepts the rewrite of a pipeline entry b into a when it leaves it as it was
// (an image, which kpt runs as a container, or the package's own program once allowed)
// or runs a meshfn function in place of its image.
func rewritten(b, a function, images Images) bool {
	return a == b ||
		b.Exec == "" && a.Image == "" && IsFunction(a.Exec) && images[a.Exec] == b.Image && a.ConfigPath == b.ConfigPath
}

// checkConfigPath accepts an empty configPath or one naming a file of the package, from
// the folder of the Kptfile at rel.
func checkConfigPath(rel, configPath string, files map[string]file) error {
	if configPath == "" {
		return nil
	}
	local := filepath.FromSlash(configPath)
	if _, ok := files[filepath.Join(filepath.Dir(rel), local)]; !ok || !filepath.IsLocal(local) {
		return fmt.Errorf("configPath %q names no file of the package", configPath)
	}
	return nil
}

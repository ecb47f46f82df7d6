package kptexec

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
)

// checkRemovals refuses a write-back that would delete a package. kpt removes the files
// whose resources a function's output left out, so an empty output (or one keeping only
// the Kptfile) would remove every file of the package. A render may remove and rename
// resource files, but never remove a Kptfile or a function config (configPath: without
// it the package no longer renders), and never leave a package (the folder of a Kptfile,
// down to its subpackages) that had resource files, its function configs aside, without
// any.
func checkRemovals(dir string, source, rendered map[string]file) error {
	configs := configFiles(source)
	for _, rel := range slices.Sorted(maps.Keys(source)) {
		if _, ok := rendered[rel]; !ok && filepath.Base(rel) == "Kptfile" {
			return fmt.Errorf("the render would remove %s: a function's output left out the package's Kptfile (an empty output does); nothing was written",
				filepath.Join(dir, rel))
		}
	}
	count := func(files map[string]file) map[string]int {
		n := map[string]int{}
		for rel := range files {
			if isResource(rel) && configs[rel] == "" {
				n[packageOf(rel, source)]++
			}
		}
		return n
	}
	had, kept := count(source), count(rendered)
	for _, pkg := range slices.Sorted(maps.Keys(had)) {
		if kept[pkg] == 0 {
			return fmt.Errorf("the render would remove every resource file of the package %s (%d): a function's output left them all out; nothing was written",
				filepath.Join(dir, pkg), had[pkg])
		}
	}
	for _, rel := range slices.Sorted(maps.Keys(configs)) {
		if _, ok := rendered[rel]; !ok {
			return fmt.Errorf("the render would remove %s, the function config %s names: a function's output left it out; nothing was written",
				filepath.Join(dir, rel), filepath.Join(dir, configs[rel]))
		}
	}
	return nil
}

// configFiles are the files the Kptfiles name as function configs (configPath), each
// with the Kptfile naming it.
func configFiles(files map[string]file) map[string]string {
	configs := map[string]string{}
	for rel, f := range files {
		if filepath.Base(rel) != "Kptfile" {
			continue
		}
		p, _ := readPipeline(f.data) // read before kpt ran: an error there stopped the render
		for _, e := range p.entries() {
			c := filepath.Join(filepath.Dir(rel), filepath.FromSlash(e.ConfigPath))
			if _, ok := files[c]; ok && e.ConfigPath != "" {
				configs[c] = rel
			}
		}
	}
	return configs
}

// checkResourcesOnly refuses a write-back that would create, change or remove a file kpt
// does not read as resources (*.yaml, *.yml, *.json) or a Kptfile: a function's output
// path (config.kubernetes.io/path) naming a script, the Makefile or .krmignore would
// otherwise have it overwritten with YAML.
func checkResourcesOnly(dir string, changed map[string]file, removed []string) error {
	for _, rel := range slices.Sorted(slices.Values(append(slices.Collect(maps.Keys(changed)), removed...))) {
		if !isResource(rel) && filepath.Base(rel) != "Kptfile" {
			return fmt.Errorf("the render would write %s, which kpt does not read as resources: a function's output path named it; nothing was written",
				filepath.Join(dir, rel))
		}
	}
	return nil
}

// isResource reports whether kpt reads the file at rel as resources (what its readers
// match: *.yaml, *.yml, *.json), the Kptfile aside.
func isResource(rel string) bool {
	switch filepath.Ext(rel) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// packageOf is the folder of the package a file belongs to: the nearest folder above it
// holding a Kptfile ("." for the package itself).
func packageOf(rel string, files map[string]file) string {
	for d := filepath.Dir(rel); d != "."; d = filepath.Dir(d) {
		if _, ok := files[filepath.Join(d, "Kptfile")]; ok {
			return d
		}
	}
	return "."
}

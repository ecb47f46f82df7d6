// Package origin finds where a value of a rendered package was set, so that a finding
// about it points at the line to change: a kpt setter, whose value a package's Kptfile
// gives apply-setters, or a function config of the package that wrote it. A rendered
// Namespace's istio.io/rev label, for one, is written by set-namespace-revision from its
// config's spec.revision, whose value is the package's revision setter.
package origin

import (
	"path"
	"strings"

	"github.com/meshfn/meshfn/internal/kptset"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Origin is where a value was set; the zero Origin knows nothing.
type Origin struct {
	// Function wrote the value from the field Field of its config in the file Config.
	Function, Config, Field string
	// Setter is the kpt setter whose value it is (the config's field's, when Config is
	// set), given in SetterFile (a Kptfile, or apply-setters' config file).
	Setter, SetterFile string
}

// String is the origin as a clause of a message, "" for the zero Origin:
// "written by set-namespace-revision from spec.revision in ns/namespace-revision.yaml,
// whose value is the setter revision of ns/Kptfile".
func (o Origin) String() string {
	var b strings.Builder
	if o.Config != "" {
		b.WriteString("written by " + o.Function + " from " + o.Field + " in " + o.Config)
		if o.Setter != "" {
			b.WriteString(", whose value is ")
		}
	}
	if o.Setter != "" {
		if o.Config == "" {
			b.WriteString("set by ")
		}
		b.WriteString("the setter " + o.Setter + " of " + o.SetterFile)
	}
	return b.String()
}

// Packages are the kpt packages the items belong to, with the setters each package's
// Kptfile gives.
type Packages struct {
	pkgs  []pkg
	files map[string]*yaml.RNode // the items by file
}

type pkg struct {
	dir string
	// setters are the setters the package's apply-setters steps give, each with the file
	// that gives its value (the Kptfile, or a configPath file).
	setters map[string]string
}

// Read finds the packages of items: each Kptfile among them is one.
func Read(items []*yaml.RNode) *Packages {
	p := &Packages{files: map[string]*yaml.RNode{}}
	for _, it := range items {
		if f := krm.File(it); f != "" {
			p.files[f] = it
		}
	}
	for _, it := range items {
		if it.GetKind() != "Kptfile" || !strings.HasPrefix(it.GetApiVersion(), "kpt.dev/") {
			continue
		}
		f := krm.File(it)
		if f == "" {
			continue
		}
		k := pkg{dir: path.Dir(f), setters: map[string]string{}}
		p.readSetters(it, f, &k)
		p.pkgs = append(p.pkgs, k)
	}
	return p
}

// readSetters records the setters the Kptfile's apply-setters steps give: the keys of a
// configMap, or of the data of the config file a configPath names.
func (p *Packages) readSetters(kptfile *yaml.RNode, file string, k *pkg) {
	steps, _ := kptfile.Pipe(yaml.Lookup("pipeline", "mutators"))
	if steps == nil || steps.YNode().Kind != yaml.SequenceNode {
		return
	}
	for _, step := range steps.YNode().Content {
		s := yaml.NewRNode(step)
		fn := fieldValue(s, "image") + " " + fieldValue(s, "exec")
		if !strings.Contains(fn, "apply-setters") {
			continue
		}
		data, from := (*yaml.RNode)(nil), file
		if cp := fieldValue(s, "configPath"); cp != "" && p.files[path.Join(k.dir, cp)] != nil {
			from = path.Join(k.dir, cp)
			data, _ = p.files[from].Pipe(yaml.Lookup(yaml.DataField))
		} else {
			data, _ = s.Pipe(yaml.Lookup("configMap"))
		}
		if data == nil || data.YNode().Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i < len(data.YNode().Content); i += 2 {
			k.setters[data.YNode().Content[i].Value] = from
		}
	}
}

func fieldValue(obj *yaml.RNode, field string) string {
	v, _ := obj.Pipe(yaml.Lookup(field))
	if v == nil || v.YNode().Kind != yaml.ScalarNode {
		return ""
	}
	return v.YNode().Value
}

// of returns the package obj belongs to: the one of the deepest folder its file is in.
func (p *Packages) of(obj *yaml.RNode) *pkg {
	f := krm.File(obj)
	var best *pkg
	for i := range p.pkgs {
		k := &p.pkgs[i]
		if (k.dir == "." || strings.HasPrefix(f, k.dir+"/")) && (best == nil || len(k.dir) > len(best.dir)) {
			best = k
		}
	}
	return best
}

// SamePackage reports whether a and b belong to the same package.
func (p *Packages) SamePackage(a, b *yaml.RNode) bool {
	return p.of(a) == p.of(b)
}

// Setter returns the origin of the scalar field node of obj when the field's line comment
// ("# kpt-set: ${name}") references a setter its package's Kptfile gives.
func (p *Packages) Setter(obj *yaml.RNode, node *yaml.Node) (Origin, bool) {
	if node == nil {
		return Origin{}, false
	}
	pattern, ok := kptset.PatternOf(node.LineComment)
	k := p.of(obj)
	if !ok || k == nil {
		return Origin{}, false
	}
	for _, name := range kptset.Refs(pattern) {
		if file, ok := k.setters[name]; ok {
			return Origin{Setter: name, SetterFile: file}, true
		}
	}
	return Origin{}, false
}

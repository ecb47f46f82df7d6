package templatefuncs

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/meshfn/meshfn/internal/istiocorpus"
	"google.golang.org/protobuf/encoding/protojson"
	meshv1 "istio.io/api/mesh/v1alpha1"
	"sigs.k8s.io/yaml"
)

// corpusSettings is one settings directory of the corpus, with the templates of
// its injector config.
type corpusSettings struct {
	istiocorpus.Settings
	templates map[string]string
}

// loadCorpusSettings reads every settings directory and the templates of its
// data.config.
func loadCorpusSettings(t *testing.T) []corpusSettings {
	t.Helper()
	var all []corpusSettings
	for _, s := range istiocorpus.AllSettings(t) {
		var cfg struct {
			Templates map[string]string `json:"templates"`
		}
		if err := yaml.Unmarshal([]byte(s.Config), &cfg); err != nil {
			t.Fatalf("settings %s: data.config: %v", s.ID, err)
		}
		if len(cfg.Templates) == 0 {
			t.Fatalf("settings %s: data.config has no templates", s.ID)
		}
		all = append(all, corpusSettings{Settings: s, templates: cfg.Templates})
	}
	if len(all) == 0 {
		t.Fatalf("no settings under %s", istiocorpus.Dir(t))
	}
	return all
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestCorpusTemplatesParse(t *testing.T) {
	count := 0
	for _, s := range loadCorpusSettings(t) {
		for _, name := range sortedKeys(s.templates) {
			if _, err := Parse(name, s.templates[name], Options{}); err != nil {
				t.Errorf("settings %s, template %s: %v", s.ID, name, err)
			}
			count++
		}
	}
	t.Logf("parsed %d templates", count)
}

// Pieces of template text that can hold identifiers which are not calls.
var (
	actionRE  = regexp.MustCompile(`(?s){{(.*?)}}`)
	commentRE = regexp.MustCompile(`(?s)/\*.*?\*/`)
	literalRE = regexp.MustCompile("(?s)\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`|'(?:[^'\\\\]|\\\\.)*'")
	wordRE    = regexp.MustCompile(`[.$]?[A-Za-z_][A-Za-z0-9_]*`)
)

// builtinWords are text/template's keywords, constants and built-in functions.
var builtinWords = map[string]bool{
	"if": true, "else": true, "end": true, "range": true, "with": true, "define": true,
	"template": true, "block": true, "break": true, "continue": true,
	"nil": true, "true": true, "false": true,
	"and": true, "or": true, "not": true, "call": true, "html": true, "index": true,
	"slice": true, "js": true, "len": true, "print": true, "printf": true, "println": true,
	"urlquery": true, "eq": true, "ne": true, "lt": true, "le": true, "gt": true, "ge": true,
}

// calledFunctions returns the bare identifiers of a template's actions that
// are not text/template keywords or built-ins: the functions it calls.
func calledFunctions(text string) map[string]bool {
	called := map[string]bool{}
	for _, m := range actionRE.FindAllStringSubmatch(text, -1) {
		action := literalRE.ReplaceAllString(commentRE.ReplaceAllString(m[1], " "), " ")
		for _, w := range wordRE.FindAllString(action, -1) {
			if w[0] == '.' || w[0] == '$' || builtinWords[w] {
				continue
			}
			called[w] = true
		}
	}
	return called
}

func TestCalledFunctions(t *testing.T) {
	text := "a {{- if (isset .ObjectMeta.Annotations `x.y/z`) }}{{ $v := index .Values \"toYaml\" }}" +
		"{{/* protoToJSON */}}{{ $v.foo | indent 2 }}{{ end -}} {{ 'c' }} {{ else }}"
	got := sortedKeys(calledFunctions(text))
	if strings.Join(got, ",") != "indent,isset" {
		t.Errorf("calledFunctions = %v, want [indent isset]", got)
	}
}

// TestCorpusTemplateFunctionsExist checks, independently of Parse, that every
// function any corpus template calls is in FuncMap.
func TestCorpusTemplateFunctionsExist(t *testing.T) {
	fm := FuncMap(Options{})
	used := map[string][]string{}
	for _, s := range loadCorpusSettings(t) {
		for _, name := range sortedKeys(s.templates) {
			for fn := range calledFunctions(s.templates[name]) {
				used[fn] = append(used[fn], s.ID+"/"+name)
			}
		}
	}
	crossCheckWithParseTrees(t, used)
	for _, fn := range sortedKeys(used) {
		if fm[fn] == nil {
			where := used[fn]
			t.Errorf("function %q is used by %d templates (first: %s) but is not in FuncMap", fn, len(where), where[0])
		}
	}
	if len(used) == 0 {
		t.Fatal("found no function calls in the corpus templates")
	}
	t.Logf("functions called by the corpus templates: %s", strings.Join(sortedKeys(used), " "))
}

// crossCheckWithParseTrees makes sure the textual scan missed no function:
// every identifier in the parse trees of the corpus templates must have been
// found by it.
func crossCheckWithParseTrees(t *testing.T, scanned map[string][]string) {
	t.Helper()
	seen := map[string]bool{}
	for _, s := range loadCorpusSettings(t) {
		for _, name := range sortedKeys(s.templates) {
			tmpl, err := Parse(name, s.templates[name], Options{})
			if err != nil {
				continue // reported by TestCorpusTemplatesParse
			}
			for _, tt := range tmpl.Templates() {
				for fn := range treeIdentifiers(tt.Tree.Root, map[string]bool{}) {
					seen[fn] = true
					if scanned[fn] == nil {
						t.Errorf("%s/%s calls %q, which the text scan missed", s.ID, name, fn)
					}
				}
			}
		}
	}
	if len(seen) != len(scanned) {
		t.Logf("text scan found %d function names, parse trees %d", len(scanned), len(seen))
	}
}

// treeIdentifiers collects the function identifiers under node into ids.
func treeIdentifiers(node parse.Node, ids map[string]bool) map[string]bool {
	eachNode(node, func(n parse.Node) {
		if id, ok := n.(*parse.IdentifierNode); ok && !builtinWords[id.Ident] && id.Ident != stepFunc && !strings.HasPrefix(id.Ident, printFunc) {
			ids[id.Ident] = true
		}
	})
	return ids
}

// meshEffective decodes a settings directory's complete MeshConfig.
func meshEffective(t *testing.T, s corpusSettings) *meshv1.MeshConfig {
	t.Helper()
	js, err := yaml.YAMLToJSON([]byte(s.MeshEffective))
	if err != nil {
		t.Fatalf("%s: %v", s.Dir, err)
	}
	mc := &meshv1.MeshConfig{}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(js, mc); err != nil {
		t.Fatalf("%s: mesh-effective.yaml: %v", s.Dir, err)
	}
	return mc
}

// proxyConfigEnvValues returns the values of the PROXY_CONFIG variables an
// expected output sets (each a one-line block scalar).
func proxyConfigEnvValues(text string) []string {
	lines := strings.Split(text, "\n")
	var out []string
	for i := 0; i+2 < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == "- name: PROXY_CONFIG" && strings.TrimSpace(lines[i+1]) == "value: |" {
			out = append(out, strings.TrimSpace(lines[i+2]))
		}
	}
	return out
}

// TestCorpusProtoToJSON compares protoToJSON of each settings' default proxy
// config with the PROXY_CONFIG that Istio rendered into the expected outputs
// of the cases using those settings (cases that override the proxy config
// with an annotation are left out).
func TestCorpusProtoToJSON(t *testing.T) {
	compared := 0
	for _, s := range loadCorpusSettings(t) {
		got := protoToJSON(meshEffective(t, s).GetDefaultConfig())
		for _, name := range s.Cases {
			c := istiocorpus.ReadCase(t, name)
			input, err := os.ReadFile(c.InputPath())
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(input), "proxy.istio.io/config") {
				continue
			}
			expected, err := os.ReadFile(c.ExpectedPath())
			if os.IsNotExist(err) {
				continue // the case expects an error
			} else if err != nil {
				t.Fatal(err)
			}
			for _, want := range proxyConfigEnvValues(string(expected)) {
				compared++
				if got != want {
					t.Errorf("settings %s, case %s: protoToJSON = %s, Istio rendered %s", s.ID, name, got, want)
				}
			}
		}
	}
	if compared == 0 {
		t.Fatal("found no PROXY_CONFIG values to compare")
	}
	t.Logf("compared %d PROXY_CONFIG values", compared)
}

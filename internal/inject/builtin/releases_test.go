package builtin

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"text/template"

	"github.com/meshfn/meshfn/internal/inject/annotations"
	"github.com/meshfn/meshfn/internal/inject/templatefuncs"
	"github.com/meshfn/meshfn/internal/istio"
)

func version(t *testing.T, s string) istio.Version {
	t.Helper()
	v, err := istio.ParseVersion(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestEveryReleaseBuilds builds the injector of every patch of every supported line (a
// change that replaces a block no template has, or two changes replacing one block,
// panics), and parses its templates with the template functions of that release.
func TestEveryReleaseBuilds(t *testing.T) {
	for _, l := range lines {
		for p := 0; p <= l.latest; p++ {
			r, err := Lookup(l.patch(p))
			if err != nil {
				t.Fatal(err)
			}
			for name, text := range r.Templates() {
				if _, err := templatefuncs.Parse(name, text, templatefuncs.Options{Missing: r.Rules.MissingFuncs}); err != nil {
					t.Errorf("%s: %s: %v", r.Version, name, err)
				}
			}
		}
	}
}

// TestRulesOfReleases pins the engine rules of the patch releases where they change.
func TestRulesOfReleases(t *testing.T) {
	tests := []struct {
		version                   string
		quantities, interfaces    bool
		missing                   []string
		initImage, scrape, secure bool
	}{
		{"1.28.0", false, false, []string{"omitNil", "otelResourceAttributes"}, false, false, false},
		{"1.28.3", false, false, []string{"omitNil", "otelResourceAttributes"}, false, false, false},
		{"1.28.4", true, false, []string{"omitNil", "otelResourceAttributes"}, false, false, false},
		{"1.28.6", true, false, []string{"otelResourceAttributes"}, false, false, false},
		{"1.28.10", true, false, []string{"otelResourceAttributes"}, false, false, false},
		{"1.29.0", true, false, []string{"omitNil", "otelResourceAttributes"}, false, false, false},
		{"1.29.1", true, false, []string{"otelResourceAttributes"}, false, false, false},
		{"1.29.6", true, false, []string{"otelResourceAttributes"}, false, false, false},
		{"1.30.0", true, true, nil, false, false, false},
		{"1.30.3", true, true, nil, false, false, false},
		{"1.31.0", true, true, nil, true, true, true},
	}
	for _, tt := range tests {
		r, err := Lookup(version(t, tt.version))
		if err != nil {
			t.Fatal(err)
		}
		got := r.Rules
		want := got
		want.Annotations = annotations.Checks{Quantities: tt.quantities, InterfaceNames: tt.interfaces}
		switch {
		case tt.version < "1.29":
			want.Annotations.UnknownProxyConfigFields = []string{"fileFlushInterval", "fileFlushMinSizeKb", "statsCompression", "connectionSettings"}
		case tt.version < "1.31":
			want.Annotations.UnknownProxyConfigFields = []string{"connectionSettings"}
		}
		want.MissingFuncs = tt.missing
		want.ProxyInitImage, want.ScrapeChecks, want.SecurePortAnnotation = tt.initImage, tt.scrape, tt.secure
		if got.Release != tt.version || !reflect.DeepEqual(got, want) {
			t.Errorf("rules of %s = %+v, want %+v", tt.version, got, want)
		}
	}
}

// TestTemplatesOfReleases checks the template changes by what the templates say where
// they change.
func TestTemplatesOfReleases(t *testing.T) {
	tests := []struct {
		version string
		has     []string
		hasNot  []string
	}{
		{"1.28.5", []string{`trimSuffix "-"`, `"istio-ca-crl"`, `{{ toJson . }}`}, []string{`divisor: "1"`, `GODEBUG`, `otelResourceAttributes`, `omitNil`}},
		{"1.28.6", []string{`omitNil`}, []string{`divisor: "1"`, `crlConfigMapName`}},
		{"1.29.0", []string{`divisor: "1"`, `crlConfigMapName`}, []string{`omitNil`, `otelResourceAttributes`}},
		{"1.29.1", []string{`omitNil`}, []string{`otelResourceAttributes`, `trimAll`}},
		{"1.30.3", []string{`otelResourceAttributes`, `trimSuffix "-"`}, []string{`GODEBUG`, `trimAll`}},
		{"1.31.0", []string{`trimAll "-_."`, `GODEBUG`, `GOMAXPROCS`}, []string{`trimSuffix "-"`}},
	}
	for _, tt := range tests {
		sidecar := MustLookup(version(t, tt.version)).Templates()[SidecarTemplate]
		for _, s := range tt.has {
			if !strings.Contains(sidecar, s) {
				t.Errorf("%s: the sidecar template lacks %s", tt.version, s)
			}
		}
		for _, s := range tt.hasNot {
			if strings.Contains(sidecar, s) {
				t.Errorf("%s: the sidecar template has %s", tt.version, s)
			}
		}
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		asked, version, preview string
		beyond                  bool
	}{
		{"1.29", "1.29.6", "", false},
		{"1.29.3", "1.29.3", "", false},
		{"1.29.9", "1.29.6", "", true},
		{"1.28.0", "1.28.0", "", false},
		{"1.31", "1.31.0", "1.31.0-rc.0", false},
	}
	for _, tt := range tests {
		r, err := Lookup(version(t, tt.asked))
		if err != nil {
			t.Fatal(err)
		}
		if r.Version.String() != tt.version || r.Asked.String() != tt.asked || r.Preview != tt.preview || r.Beyond() != tt.beyond {
			t.Errorf("Lookup(%s) = %s (asked %s, preview %q, beyond %t), want %s, %q, %t",
				tt.asked, r.Version, r.Asked, r.Preview, r.Beyond(), tt.version, tt.preview, tt.beyond)
		}
	}
	for asked, why := range map[string]string{
		"1.27.3": "older than the oldest release with a built-in injector (1.28)",
		"1.27":   "older than the oldest",
		"1.32.0": "newer than the newest release with a built-in injector (1.31)",
		"2.0":    "newer than the newest",
		"0.8.0":  "older than the oldest",
	} {
		_, err := Lookup(version(t, asked))
		var unsupported *UnsupportedError
		if !errors.As(err, &unsupported) || !strings.Contains(err.Error(), "Istio "+asked+" is "+why) {
			t.Errorf("Lookup(%s) = %v, want an UnsupportedError saying %q", asked, err, why)
		}
	}
}

func TestDefaultVersionIsReleased(t *testing.T) {
	if got, want := DefaultVersion().String(), "1.30.3"; got != want {
		t.Errorf("DefaultVersion() = %s, want %s (the newest patch of the newest line with a release)", got, want)
	}
	if got := SupportedText(); got != "1.28, 1.29, 1.30 and 1.31" {
		t.Errorf("SupportedText() = %q", got)
	}
}

func TestCheckRelease(t *testing.T) {
	tests := []struct {
		tag, version, err string
	}{
		{"", "", ""},
		{"", "1.29", ""},
		{"1.29.6", "1.29", ""},
		{"1.29.6-distroless", "1.29.6", ""},
		{"custom-build", "1.27.2", ""}, // a release without a built-in injector may come with its ConfigMaps
		{"", "1.29.x", `spec.istioVersion: "1.29.x" is not an Istio release like 1.29 or 1.29.6`},
		{"1.30.3", "1.29", `spec.istioVersion: 1.29 disagrees with the proxy tag "1.30.3", which names Istio 1.30.3`},
		{"1.29.5", "1.29.6", `disagrees`},
	}
	for _, tt := range tests {
		errs := CheckRelease(tt.tag, tt.version, "spec.")
		switch {
		case tt.err == "" && len(errs) > 0:
			t.Errorf("CheckRelease(%q, %q) = %v", tt.tag, tt.version, errs)
		case tt.err != "" && (len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.err)):
			t.Errorf("CheckRelease(%q, %q) = %v, want %q", tt.tag, tt.version, errs, tt.err)
		}
	}
}

// TestBlocksOfTheTemplates checks the block convention replaceBlocks relies on: every
// define of the built-in templates starts a line, its block ends where replaceBlocks
// says, and a block cut out that way parses on its own as the same template.
func TestBlocksOfTheTemplates(t *testing.T) {
	for name, text := range newestTemplates() {
		defined := map[string]bool{}
		whole, err := template.New(name).Funcs(templatefuncs.FuncMap(templatefuncs.Options{})).Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range whole.Templates() {
			if tt.Name() != name {
				defined[tt.Name()] = true
			}
		}
		lines := strings.SplitAfter(text, "\n")
		found := 0
		for i, line := range lines {
			block, ok := blockName(line)
			if !ok {
				continue
			}
			found++
			end, err := blockEndLine(lines, i, block)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			alone := strings.Join(lines[i:end+1], "")
			if _, err := template.New(block).Funcs(templatefuncs.FuncMap(templatefuncs.Options{})).Parse(alone); err != nil {
				t.Errorf("%s: block %s cut at line %d does not parse alone: %v", name, block, end+1, err)
			}
		}
		if found != len(defined) {
			t.Errorf("%s: %d blocks start a line, the template defines %d", name, found, len(defined))
		}
	}
}

func TestReplaceBlocks(t *testing.T) {
	text := "a\n{{- define \"one\" }}{{ 1 }}{{- end }}\n{{- define \"two\" }}\n  {{- if 1 }}x\n  {{- end }}\n{{- end }}\nz"
	replaced := map[string]bool{}
	got, err := replaceBlocks(text, map[string]string{"one": "{{ 2 }}", "two": "\nnew\n"}, replaced)
	if err != nil {
		t.Fatal(err)
	}
	want := "a\n{{- define \"one\" }}{{ 2 }}{{- end }}\n{{- define \"two\" }}\nnew\n{{- end }}\nz"
	if got != want || !replaced["one"] || !replaced["two"] {
		t.Errorf("replaceBlocks = %q (%v), want %q", got, replaced, want)
	}
	if _, err := replaceBlocks("{{- define \"x\" }}\n  y\n", map[string]string{"x": ""}, replaced); err == nil {
		t.Error("a block without its end was replaced")
	}
}

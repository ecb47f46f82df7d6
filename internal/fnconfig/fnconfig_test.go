package fnconfig

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

type level string

func (l *level) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("level must be a string")
	}
	if s != "low" && s != "high" {
		return errors.New("level must be low or high")
	}
	*l = level(s)
	return nil
}

type testSpec struct {
	Name    string   `json:"name"`
	Enabled bool     `json:"enabled,omitempty"`
	Count   int      `json:"count,omitempty"`
	Tags    []string `json:"tags,omitempty"`
	Level   level    `json:"level,omitempty"`
	Extra   []struct {
		Key string `json:"key"`
	} `json:"extra,omitempty"`
}

func (s *testSpec) Default() {
	if s.Count == 0 {
		s.Count = 1
	}
}

func (s *testSpec) Validate() error {
	var errs []error
	if s.Name == "" {
		errs = append(errs, FieldError("spec.name", "required"))
	}
	if s.Count < 0 {
		errs = append(errs, FieldError("spec.count", "must not be negative"))
	}
	return errors.Join(errs...)
}

func TestDecode(t *testing.T) {
	typed := func(spec string) string {
		return "apiVersion: fn.meshfn.dev/v1alpha1\nkind: Test\nmetadata:\n  name: t\nspec:\n" + spec
	}
	configMap := func(data string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n" + data
	}
	tests := []struct {
		name    string
		config  string
		want    testSpec
		wantErr string
	}{
		{name: "typed", config: typed("  name: a\n  enabled: true\n  tags: [x, y]\n  level: high\n"),
			want: testSpec{Name: "a", Enabled: true, Count: 1, Tags: []string{"x", "y"}, Level: "high"}},
		{name: "typed structured", config: typed("  name: a\n  extra:\n  - key: k\n"),
			want: testSpec{Name: "a", Count: 1, Extra: []struct {
				Key string `json:"key"`
			}{{Key: "k"}}}},
		{name: "flat", config: configMap("  name: a\n  enabled: \"true\"\n  count: \"3\"\n  tags: \"x, y,\"\n  level: low\n"),
			want: testSpec{Name: "a", Enabled: true, Count: 3, Tags: []string{"x", "y"}, Level: "low"}},
		{name: "flat list in YAML", config: configMap("  name: a\n  tags: \"[x, 'y,z']\"\n"),
			want: testSpec{Name: "a", Count: 1, Tags: []string{"x", "y,z"}}},
		{name: "flat structured in YAML", config: configMap("  name: a\n  extra: \"- key: k\"\n"),
			want: testSpec{Name: "a", Count: 1, Extra: []struct {
				Key string `json:"key"`
			}{{Key: "k"}}}},
		{name: "missing config", config: "", wantErr: "missing: expected kind Test"},
		{name: "unknown kind", config: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n", wantErr: `unsupported kind "Secret"`},
		{name: "wrong apiVersion", config: "apiVersion: fn.meshfn.dev/v2\nkind: Test\nmetadata:\n  name: t\nspec:\n  name: a\n", wantErr: `unsupported apiVersion "fn.meshfn.dev/v2"`},
		{name: "settings outside spec", config: typed("  name: a\n") + "name: b\n", wantErr: `unknown field "name" (settings go under spec)`},
		{name: "no spec: defaults, then the required fields are named", config: "apiVersion: fn.meshfn.dev/v1alpha1\nkind: Test\nmetadata:\n  name: t\n", wantErr: "spec.name: required"},
		{name: "spec not a mapping", config: typed("  - a\n"), wantErr: "spec: expected a mapping, got a list"},
		{name: "unknown field", config: typed("  name: a\n  nmae: b\n"), wantErr: "unknown field spec.nmae (did you mean name?)"},
		{name: "field in another case", config: typed("  name: a\n  Enabled: true\n"), wantErr: "unknown field spec.Enabled (did you mean enabled?)"},
		{name: "fields in another case, all named", config: typed("  NAME: a\n  extra:\n  - Key: k\n"),
			wantErr: "unknown field spec.NAME (did you mean name?)\nunknown field spec.extra[0].Key (did you mean key?)"},
		{name: "top-level field in another case", config: typed("  name: a\n") + "Spec: {}\n", wantErr: `unknown field "Spec" (did you mean spec?)`},
		{name: "flat key in another case", config: configMap("  name: a\n  Count: \"3\"\n"), wantErr: "unknown key data.Count (did you mean count?)"},
		{name: "flat structured value, field in another case", config: configMap("  name: a\n  extra: \"- KEY: k\"\n"),
			wantErr: "unknown field data.extra[0].KEY (did you mean key?)"},
		{name: "wrong type", config: typed("  name: a\n  count: many\n"), wantErr: "spec.count: expected an integer, got string"},
		{name: "custom type error", config: typed("  name: a\n  level: medium\n"), wantErr: "spec: level must be low or high"},
		{name: "validation", config: typed("  enabled: true\n  count: -1\n"), wantErr: "spec.name: required\nspec.count: must not be negative"},
		{name: "flat unknown key", config: configMap("  name: a\n  colour: red\n"), wantErr: "unknown key data.colour"},
		{name: "flat bad bool", config: configMap("  name: a\n  enabled: sometimes\n"), wantErr: `data.enabled: expected true or false, got "sometimes"`},
		{name: "flat bad int", config: configMap("  name: a\n  count: x\n"), wantErr: `data.count: expected an integer, got "x"`},
		{name: "flat bad YAML", config: configMap("  name: a\n  extra: \"[\"\n"), wantErr: "data.extra: expected YAML for a structured value"},
		{name: "flat value a mapping", config: configMap("  name: {a: b}\n"), wantErr: "data.name: expected a string, got a mapping"},
		{name: "flat value a list", config: configMap("  name: a\n  tags: [x, y]\n"), wantErr: `data.tags: expected a string, got a list (write it as a string: "[x, y]")`},
		{name: "flat value an alias to a mapping", config: configMap("  name: a\n  extra: &e {key: k}\n  level: *e\n"),
			wantErr: "data.extra: expected a string, got a mapping"},
		{name: "flat values not strings, all named", config: configMap("  name: {a: b}\n  tags: [x]\n"),
			wantErr: "data.name: expected a string, got a mapping (write it as a string: \"{a: b}\")\ndata.tags: expected a string, got a list"},
		{name: "flat data a list", config: configMap("  - name\n"), wantErr: "data: expected a mapping, got a list"},
		{name: "flat null value is empty", config: configMap("  name: a\n  tags: ~\n"), want: testSpec{Name: "a", Count: 1}},
		{name: "typed spec with YAML aliases", config: typed("  name: &n a\n  tags: [*n, *n]\n"),
			wantErr: "spec: line 6: YAML anchor &n: anchors and aliases are not allowed"},
		{name: "flat structured value with YAML aliases", config: configMap("  name: a\n  extra: \"[&k {key: k}, *k, *k]\"\n"),
			wantErr: "data.extra: line 1: YAML anchor &k: anchors and aliases are not allowed"},
		{name: "flat alias to a scalar", config: configMap("  name: &n a\n  tags: *n\n"), want: testSpec{Name: "a", Count: 1, Tags: []string{"a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var node *yaml.RNode
			if tt.config != "" {
				node = yaml.MustParse(tt.config)
			}
			var got testSpec
			_, err := Decode(node, "Test", &got)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				var ce *Error
				if !errors.As(err, &ce) {
					t.Errorf("error is %T, want *fnconfig.Error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(tt.want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("decoded %s, want %s", gotJSON, wantJSON)
			}
		})
	}
}

func TestErrorNamesConfigAndFile(t *testing.T) {
	node := yaml.MustParse("apiVersion: fn.meshfn.dev/v1alpha1\nkind: Test\nmetadata:\n  name: t\n  annotations:\n" +
		"    internal.config.kubernetes.io/path: dir/test.yaml\nspec:\n  count: 2\n")
	var s testSpec
	_, err := Decode(node, "Test", &s)
	want := "function config Test/t (dir/test.yaml): spec.name: required"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

// TestDecodeNotAMapping: a config that is not a mapping is an error naming the kind
// expected, not a panic.
func TestDecodeNotAMapping(t *testing.T) {
	for config, want := range map[string]string{
		"- a\n- b\n":                   "expected kind Test",
		"just text\n":                  "expected kind Test",
		"kind: Test\nmetadata:\n- a\n": "metadata: expected a mapping",
		"kind: Test\nmetadata:\n  annotations: [a]\n":                    "metadata.annotations: expected a mapping",
		"kind: Test\nmetadata:\n  annotations:\n    1: 2\n  name: [x]\n": "metadata.name: expected a string",
	} {
		var s testSpec
		_, err := Decode(yaml.MustParse(config), "Test", &s)
		var ce *Error
		if err == nil || !errors.As(err, &ce) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error = %v, want an *Error containing %q", config, err, want)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	known := map[string]bool{"failOn": true, "kubernetesVersion": true, "name": true, "suppress": true, "for": true}
	for name, want := range map[string]string{
		"failon":            " (did you mean failOn?)",
		"FAILON":            " (did you mean failOn?)",
		"kubernetesversion": " (did you mean kubernetesVersion?)",
		"kubernetesVersin":  " (did you mean kubernetesVersion?)",
		"nmae":              " (did you mean name?)",
		"supress":           " (did you mean suppress?)",
		"For":               " (did you mean for?)",
		"fo":                " (did you mean for?)",
		"colour":            "",
		"x":                 "",
		"nodes":             "",
	} {
		if got := DidYouMean(name, known); got != want {
			t.Errorf("DidYouMean(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestDecodeReportsEveryProblem: a config with several problems gets each as its own
// cause of the *Error (krm.ResourceList.ConfigError makes each a result), in both forms:
// every unknown name and every value of the wrong type, and the settings that did decode
// are still validated. Validate's problem with a setting whose value did not decode is
// left out. Before, decoding stopped at the first value of the wrong type, and an unknown
// name hid every problem Validate would have found.
func TestDecodeReportsEveryProblem(t *testing.T) {
	typed := "apiVersion: fn.meshfn.dev/v1alpha1\nkind: Test\nmetadata:\n  name: t\nspec:\n"
	configMap := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n"
	tests := []struct {
		name   string
		config string
		want   []string
	}{
		{"typed: two wrong types, an unknown field, a missing setting",
			typed + "  count: many\n  enabled: maybe\n  nmae: b\n",
			[]string{
				"spec.count: expected an integer, got string",
				"spec.enabled: expected a boolean (true or false), got string",
				"unknown field spec.nmae (did you mean name?)",
				"spec.name: required",
			}},
		{"typed: a field name in another case, a wrong type, an invalid value",
			typed + "  count: -2\n  extra:\n  - Key: k\n  - KEY: k\n  name: a\n  tags: x\n",
			[]string{
				"unknown field spec.extra[0].Key (did you mean key?)",
				"unknown field spec.extra[1].KEY (did you mean key?)",
				"spec.tags: expected a list, got string",
				"spec.count: must not be negative",
			}},
		{"typed: a wrong type is not also reported missing",
			typed + "  name: [a]\n  count: -1\n",
			[]string{
				"spec.name: expected a string, got array",
				"spec.count: must not be negative",
			}},
		{"typed: a field outside spec and a missing setting",
			typed + "  count: 2\nname: b\n",
			[]string{
				`unknown field "name" (settings go under spec)`,
				"spec.name: required",
			}},
		{"flat: an unknown key, two bad values, a missing setting",
			configMap + "  colour: red\n  count: x\n  enabled: sometimes\n",
			[]string{
				"unknown key data.colour",
				`data.count: expected an integer, got "x"`,
				`data.enabled: expected true or false, got "sometimes"`,
				"spec.name: required",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s testSpec
			_, err := Decode(yaml.MustParse(tt.config), "Test", &s)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error = %v, want an *Error", err)
			}
			causes := []error{ce.Err}
			if joined, ok := ce.Err.(interface{ Unwrap() []error }); ok {
				causes = joined.Unwrap()
			}
			var got []string
			for _, c := range causes {
				got = append(got, c.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("causes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

package fnconfig

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// FuzzDecode decodes arbitrary configs: Decode never panics, every error it returns is an
// *Error naming the config, and a config it accepts is defaulted and valid.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		"apiVersion: fn.meshfn.dev/v1alpha1\nkind: Test\nmetadata:\n  name: t\nspec:\n  name: a\n  tags: [x]\n  level: high\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  name: a\n  count: \"3\"\n  extra: \"- key: k\"\n",
		"apiVersion: v1\nkind: ConfigMap\ndata:\n  name: &n a\n  tags: *n\n", "kind: Test\n", "{}", "- a\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, config string) {
		node, err := yaml.Parse(config)
		if err != nil {
			return
		}
		var s testSpec
		src, err := Decode(node, "Test", &s)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "function config "+src.String()) {
				t.Fatalf("error %q (%T) does not name the config %s", err, err, src)
			}
			return
		}
		if s.Count == 0 || s.Validate() != nil {
			t.Fatalf("accepted a spec that is not defaulted and valid: %+v", s)
		}
	})
}

// FuzzDecodeForms gives the same settings as a typed config and as a ConfigMap: both forms
// decode to the same spec, or both fail.
func FuzzDecodeForms(f *testing.F) {
	f.Add("a", true, "3", "x,y", "high")
	f.Add("", false, "-1", "", "medium")
	f.Add("yes", false, "0x10", " x , y ,", "low")
	f.Fuzz(func(t *testing.T, name string, enabled bool, count, tags, level string) {
		typed := map[string]any{"name": name, "enabled": enabled, "level": level, "tags": splitList(tags)}
		flat := map[string]string{"name": name, "enabled": map[bool]string{true: "true", false: "false"}[enabled],
			"level": level, "tags": tags, "count": count}
		if n, ok := jsonInt(count); ok {
			typed["count"] = n
		} else {
			typed["count"] = count
		}
		typedConfig, ok1 := configOf(t, "fn.meshfn.dev/v1alpha1", "Test", "spec", typed)
		flatConfig, ok2 := configOf(t, "v1", "ConfigMap", "data", flat)
		if !ok1 || !ok2 {
			return // not text a YAML file can hold (control characters)
		}
		var fromTyped, fromFlat testSpec
		_, errTyped := Decode(typedConfig, "Test", &fromTyped)
		_, errFlat := Decode(flatConfig, "Test", &fromFlat)
		if (errTyped == nil) != (errFlat == nil) {
			t.Fatalf("typed: %v\nConfigMap: %v", errTyped, errFlat)
		}
		if errTyped == nil && !reflect.DeepEqual(fromTyped, fromFlat) {
			t.Fatalf("typed: %+v\nConfigMap: %+v", fromTyped, fromFlat)
		}
	})
}

// jsonInt reads count as the ConfigMap form reads an integer (decimal, blanks around it,
// leading zeros and a sign allowed).
func jsonInt(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n, err == nil
}

// configOf is a config of the kind with the settings under key, false when YAML cannot
// hold them.
func configOf(t *testing.T, apiVersion, kind, key string, settings any) (*yaml.RNode, bool) {
	doc, err := json.Marshal(map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"name": "c"}, key: settings})
	if err != nil {
		t.Fatal(err)
	}
	node, err := yaml.Parse(string(doc))
	return node, err == nil
}

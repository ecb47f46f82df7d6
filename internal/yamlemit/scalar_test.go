package yamlemit

import (
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// FuzzAnalyzeWord checks the fast analysis of common text against the full one.
func FuzzAnalyzeWord(f *testing.F) {
	for _, s := range []string{"web", "--domain", "docker.io/istio/proxyv2:1.31.0", "a,b", "x:", "-", "...x", "a#b", "$(X).svc", "15020"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if v == "" {
			return
		}
		fast, ok := analyzeWord(v)
		if !ok {
			return
		}
		if full, ok := analyzeText(v); !ok || full != fast {
			t.Fatalf("%q: analyzeWord %+v, analyzeText %+v (%v)", v, fast, full, ok)
		}
	})
}

// FuzzResolvedTag checks the shortcuts of resolvedTag against the encoder's resolver.
func FuzzResolvedTag(f *testing.F) {
	for _, s := range []string{"", "true", "True", "yes", "null", "~", "name", "n", "off", "1", "-1", ".5", "<<", "/x", "2001-12-14"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		probe := yaml.Node{Kind: yaml.ScalarNode, Value: v}
		if got, want := resolvedTag(v), probe.ShortTag(); got != want {
			t.Fatalf("%q: resolvedTag %s, the resolver %s", v, got, want)
		}
	})
}

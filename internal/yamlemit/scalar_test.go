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
	for _, s := range []string{"", "true", "True", "yes", "null", "~", "name", "n", "off", "1", "-1", ".5", "<<", "/x", "2001-12-14",
		"--domain", "-p", "100m", "128Mi", "15090,15021", "-_5", "+.inf", "-.Inf", "-Inf", ".nan", "0x1F", "-0x1f", "0o17", "0b101",
		"1e3", "-1.5E-3", "1_000", "+12", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "1:20", "+-5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		probe := yaml.Node{Kind: yaml.ScalarNode, Value: v}
		if got, want := resolvedTag(v), probe.ShortTag(); got != want {
			t.Fatalf("%q: resolvedTag %s, the resolver %s", v, got, want)
		}
		if NotNumber(v) && probe.ShortTag() != "!!str" {
			t.Fatalf("%q: NotNumber, the resolver reads %s", v, probe.ShortTag())
		}
	})
}

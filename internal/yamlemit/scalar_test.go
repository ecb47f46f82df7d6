package yamlemit

import "testing"

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

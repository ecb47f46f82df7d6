package yamlscalar

import "testing"

// benchStrings are strings of the kind meshfn writes: names, images, ports, flags,
// quantities, annotations.
var benchStrings = []string{"istio-proxy", "docker.io/istio/proxyv2:1.31.0", "15090", "--domain", "$(POD_NAMESPACE).svc.cluster.local",
	"100m", "128Mi", "true", "yes", "sidecar.istio.io/inject", `{"a":"b"}`, "0755", "1.10", "-p", "IfNotPresent", "TCP"}

func BenchmarkTag(b *testing.B) {
	for b.Loop() {
		for _, s := range benchStrings {
			Tag(s)
		}
	}
}

func BenchmarkNeedsQuotes(b *testing.B) {
	for b.Loop() {
		for _, s := range benchStrings {
			NeedsQuotes(s)
		}
	}
}

func BenchmarkNotPlainString(b *testing.B) {
	for b.Loop() {
		for _, s := range benchStrings {
			NotPlainString(s)
		}
	}
}

func BenchmarkWord11(b *testing.B) {
	words := make([][]byte, len(benchStrings))
	for i, s := range benchStrings {
		words[i] = []byte(s)
	}
	for b.Loop() {
		for _, w := range words {
			Word11(w)
		}
	}
}

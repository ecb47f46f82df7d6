package fleet

import "testing"

// TestAmbientOf follows the Istio CNI agent's default enablement selectors: the pod's
// label ambient, or the namespace's when the pod's is not none; never on the host network
// or in an excluded namespace.
func TestAmbientOf(t *testing.T) {
	ambientNS := map[string]string{"kubernetes.io/metadata.name": "shop", "istio.io/dataplane-mode": "ambient"}
	plainNS := map[string]string{"kubernetes.io/metadata.name": "shop"}
	tests := []struct {
		name        string
		ns, pod     map[string]string
		hostNetwork bool
		want        Ambient
		says        string
	}{
		{name: "nothing", ns: plainNS, want: Ambient{}, says: "not in ambient mode"},
		{name: "namespace", ns: ambientNS,
			want: Ambient{Captured: true, Label: "namespace label istio.io/dataplane-mode=ambient"},
			says: "ambient mode (namespace label istio.io/dataplane-mode=ambient)"},
		{name: "pod", ns: plainNS, pod: map[string]string{"istio.io/dataplane-mode": "ambient"},
			want: Ambient{Captured: true, ByPod: true, Label: "pod label istio.io/dataplane-mode=ambient"}},
		{name: "pod opts out", ns: ambientNS, pod: map[string]string{"istio.io/dataplane-mode": "none"},
			want: Ambient{ByPod: true, Label: "pod label istio.io/dataplane-mode=none"},
			says: "kept out of ambient mode by its pod label istio.io/dataplane-mode=none"},
		{name: "pod none in a plain namespace says nothing", ns: plainNS, pod: map[string]string{"istio.io/dataplane-mode": "none"}},
		{name: "another value on the namespace", ns: map[string]string{"istio.io/dataplane-mode": "Ambient"}},
		{name: "another value on the pod counts as not none", ns: ambientNS, pod: map[string]string{"istio.io/dataplane-mode": "sidecar"},
			want: Ambient{Captured: true, Label: "namespace label istio.io/dataplane-mode=ambient"}},
		{name: "host network", ns: ambientNS, hostNetwork: true,
			want: Ambient{Label: "namespace label istio.io/dataplane-mode=ambient", Excluded: "the pod uses the host's network, which ztunnel cannot capture"},
			says: "not in ambient mode despite its namespace label istio.io/dataplane-mode=ambient: the pod uses the host's network, which ztunnel cannot capture"},
		{name: "excluded namespace", ns: map[string]string{"kubernetes.io/metadata.name": "kube-system", "istio.io/dataplane-mode": "ambient"},
			want: Ambient{Label: "namespace label istio.io/dataplane-mode=ambient", Excluded: "Istio's CNI agent excludes namespace kube-system"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AmbientOf(tt.ns, tt.pod, tt.hostNetwork)
			if got != tt.want {
				t.Errorf("AmbientOf = %+v, want %+v", got, tt.want)
			}
			if tt.says != "" && got.String() != tt.says {
				t.Errorf("String() = %q, want %q", got.String(), tt.says)
			}
		})
	}
}

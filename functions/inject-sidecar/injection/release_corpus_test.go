package injection

import (
	"testing"

	"github.com/meshfn/meshfn/internal/istiocorpus"
	"github.com/meshfn/meshfn/internal/krmtest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestIstioReleaseCorpora runs the injection cases of each supported Istio release's own
// tests through the function twice: with the release's built-in injector (the proxy tag
// is the release; the expected images are read with that tag), and with the release's
// own ConfigMaps in the package (spec.istioVersion names the release, since their
// development build says none). Both must come out as the release's expected output.
func TestIstioReleaseCorpora(t *testing.T) {
	for _, rel := range istiocorpus.Releases(t) {
		t.Run(rel.Version, func(t *testing.T) {
			configMaps := rel.ConfigMaps(t)
			for _, c := range rel.Cases(t) {
				t.Run("builtin/"+c.Name, func(t *testing.T) {
					spec := map[string]string{"hub": c.Proxy.Hub, "tag": rel.Version}
					runReleaseCase(t, c, nil, spec, c.ImagesTagged(rel.Version))
				})
				t.Run("configmaps/"+c.Name, func(t *testing.T) {
					spec := map[string]string{"istioVersion": rel.Version}
					runReleaseCase(t, c, configMaps, spec, nil)
				})
			}
		})
	}
}

func runReleaseCase(t *testing.T, c istiocorpus.ReleaseCase, settings []*yaml.RNode, spec map[string]string, fix func(any) any) {
	out, ok := krmtest.Run(t, Run, istiocorpus.FunctionInputWith(t, c.Case, settings, spec))
	checkCorpusOutput(t, c.Case, out, ok, fix)
}

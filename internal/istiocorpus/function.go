package istiocorpus

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// FunctionInput is the inject-sidecar function's input for a case: a ResourceList with
// the documents of its input.yaml, then settings (the ConfigMaps to inject with), and a
// SidecarInjection in mode always with the case's revision, native-sidecar decision,
// compliance policy and platform (on OpenShift, the pod's Namespace and its annotations).
func FunctionInput(t testing.TB, c Case, settings []*yaml.RNode) []byte {
	t.Helper()
	return FunctionInputWith(t, c, settings, nil)
}

// FunctionInputWith is FunctionInput with more fields of the SidecarInjection's spec
// (hub, tag, istioVersion), in key order.
func FunctionInputWith(t testing.TB, c Case, settings []*yaml.RNode, spec map[string]string) []byte {
	t.Helper()
	items := append(ReadDocs(t, c.InputPath()), settings...)
	var sb strings.Builder
	sb.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
	for _, it := range items {
		s, err := it.String()
		if err != nil {
			t.Fatal(err)
		}
		sb.WriteString("- " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n")
	}
	fmt.Fprintf(&sb, "functionConfig:\n  apiVersion: fn.meshfn.dev/v1alpha1\n  kind: SidecarInjection\n  metadata:\n    name: corpus\n"+
		"  spec:\n    mode: always\n    revision: %q\n    nativeSidecars: \"%t\"\n", c.Revision, c.NativeSidecars)
	for _, k := range slices.Sorted(maps.Keys(spec)) {
		fmt.Fprintf(&sb, "    %s: %q\n", k, spec[k])
	}
	if p := c.Environment["COMPLIANCE_POLICY"]; p != "" {
		fmt.Fprintf(&sb, "    compliancePolicy: %s\n", p)
	}
	if c.Environment["PLATFORM"] == "openshift" {
		ns := c.Environment["namespace"]
		fmt.Fprintf(&sb, "    platform: openshift\n    defaultNamespace: %s\n    namespaces:\n    - name: %s\n      annotations:\n", ns, ns)
		for _, k := range slices.Sorted(maps.Keys(c.Environment)) {
			if a, ok := strings.CutPrefix(k, "namespaceAnnotation."); ok {
				fmt.Fprintf(&sb, "        %s: %q\n", a, c.Environment[k])
			}
		}
	}
	return []byte(sb.String())
}

// Items are the items of an output ResourceList.
func Items(t testing.TB, out []byte) []*yaml.RNode {
	t.Helper()
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		t.Fatal(err)
	}
	var items []*yaml.RNode
	for _, it := range rl.Items {
		items = append(items, it.CopyToResourceNode())
	}
	return items
}

// ItemsYAML is an output ResourceList without its results, as YAML: what a second run
// must leave as it is.
func ItemsYAML(t testing.TB, out []byte) string {
	t.Helper()
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		t.Fatal(err)
	}
	rl.Results = nil
	b, err := rl.ToYAML()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Results are the results of an output ResourceList, one a line, sorted; the whole
// output if it is not a ResourceList.
func Results(out []byte) string {
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		return string(out)
	}
	var lines []string
	for _, r := range rl.Results {
		lines = append(lines, r.String())
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

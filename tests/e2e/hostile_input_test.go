package e2e

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// hostileConfigs is a config for each function under which it reads every item.
var hostileConfigs = map[string]string{
	"apply-setters":          "{apiVersion: v1, kind: ConfigMap, metadata: {name: setters}, data: {revision: canary}}",
	"generate-ca-secrets":    "{apiVersion: fn.meshfn.dev/v1alpha1, kind: CASecrets, metadata: {name: ca}, spec: {}}",
	"generate-revision":      "{apiVersion: fn.meshfn.dev/v1alpha1, kind: ControlPlaneRevision, metadata: {name: rev}, spec: {revision: default}}",
	"generate-waypoint":      "{apiVersion: fn.meshfn.dev/v1alpha1, kind: Waypoint, metadata: {name: w}, spec: {name: wp, namespace: shop, enrollNamespace: true}}",
	"inject-sidecar":         "{apiVersion: fn.meshfn.dev/v1alpha1, kind: SidecarInjection, metadata: {name: inject}, spec: {mode: always}}",
	"set-namespace-revision": "{apiVersion: fn.meshfn.dev/v1alpha1, kind: NamespaceRevision, metadata: {name: ns}, spec: {revision: stable, namespaces: [shop]}}",
	"validate-mesh":          "{apiVersion: fn.meshfn.dev/v1alpha1, kind: MeshValidation, metadata: {name: v}, spec: {failOn: never}}",
}

// hostileItems are items of the kinds the functions read, with something broken; refused
// says the runtime refuses them for every function, with an error result naming "bad".
var hostileItems = []struct {
	name, items string
	refused     bool
}{
	{"labels a list", workload("{name: bad, namespace: shop, labels: [a]}", "[{name: c, image: nginx}]", ""), true},
	{"annotations a list", workload("{name: bad, namespace: shop, annotations: [a]}", "[{name: c, image: nginx}]", ""), true},
	{"a List member's annotations a list", "- apiVersion: v1\n  kind: List\n  metadata: {name: bad}\n  items:\n" +
		"  - apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: d, namespace: shop, annotations: [a]}\n" +
		"    spec: {template: {spec: {containers: [{name: c, image: nginx}]}}}\n", true},
	{"items sharing an anchor", "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: z, namespace: shop}\n  data: &d {k: v}\n" +
		"- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: bad, namespace: shop}\n  data: *d\n", true},
	{"null containers", workload("{name: d, namespace: shop}", "[null]", ""), false},
	{"null init containers", workload("{name: d, namespace: shop}", "[{name: c, image: nginx}]", "[null]"), false},
	{"a null source in an AuthorizationPolicy", "- apiVersion: security.istio.io/v1\n  kind: AuthorizationPolicy\n" +
		"  metadata: {name: ap, namespace: shop}\n  spec: {rules: [{from: [null]}]}\n", false},
	{"results: continuing a quoted scalar", "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: cm, namespace: shop}\n" +
		"  data:\n    k: \"one\nresults: two\"\n", false},
	{"a pod template's metadata a list", "- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: d, namespace: shop}\n" +
		"  spec: {template: {metadata: [a], spec: {containers: [{name: c, image: nginx}]}}}\n", false},
	{"a null earlier result", "- {apiVersion: v1, kind: ConfigMap, metadata: {name: cm, namespace: shop}}\nresults: [null]\n", false},
}

// workload is a Deployment with the metadata, containers and init containers ("" for none).
func workload(meta, containers, initContainers string) string {
	s := "- apiVersion: apps/v1\n  kind: Deployment\n  metadata: " + meta + "\n  spec:\n    selector: {matchLabels: {app: d}}\n" +
		"    template:\n      metadata: {labels: {app: d}}\n      spec:\n        containers: " + containers + "\n"
	if initContainers != "" {
		s += "        initContainers: " + initContainers + "\n"
	}
	return s
}

// TestHostileInputNeverCrashes feeds every function binary items that crashed one or
// more of them (issue 18: kyaml's accessors on labels: [a], Istio's analyzer on a null
// source, validate-mesh's pod view on a null container, the runtime on a null result)
// or made them write no YAML with exit 0 (items sharing an anchor, sorted; a line
// continuing a quoted scalar taken for the results). Each function exits 0 or 1, never
// crashes, and writes a ResourceList holding the input's items; input no function may
// read is an error result naming it.
func TestHostileInputNeverCrashes(t *testing.T) {
	for _, f := range functions {
		for _, tc := range hostileItems {
			t.Run(f+"/"+tc.name, func(t *testing.T) {
				input := "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" +
					"- {apiVersion: v1, kind: Namespace, metadata: {name: shop, labels: {istio-injection: enabled}}}\n" +
					tc.items + "functionConfig: " + hostileConfigs[f] + "\n"
				cmd := exec.Command(filepath.Join(functionBin(t), f))
				cmd.Stdin = strings.NewReader(input)
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				var exit *exec.ExitError
				if err != nil && (!errors.As(err, &exit) || exit.ExitCode() != 1) || strings.Contains(stderr.String(), "goroutine ") {
					t.Fatalf("%v:\n%s", err, stderr.String())
				}
				out, perr := fn.ParseResourceList(stdout.Bytes())
				if perr != nil {
					t.Fatalf("the output is no ResourceList (%v):\n%s", perr, stdout.String())
				}
				if tc.refused {
					if err == nil || !slices.ContainsFunc(out.Results, func(r *fn.Result) bool {
						return r.Severity == fn.Error && r.ResourceRef != nil && r.ResourceRef.Name == "bad"
					}) {
						t.Errorf("exit %v; no error result names the resource:\n%s", err, stdout.String())
					}
					checkItemsKept(t, input, stdout.Bytes())
				}
				if f == "validate-mesh" {
					checkItemsKept(t, input, stdout.Bytes())
				}
			})
		}
	}
}

// checkItemsKept checks the output holds the input's items (aliases expanded), whatever
// their order.
func checkItemsKept(t *testing.T, input string, output []byte) {
	t.Helper()
	items := func(text []byte) []string {
		var doc struct {
			Items []any `yaml:"items"`
		}
		if err := yaml.Unmarshal(text, &doc); err != nil {
			t.Fatalf("%v:\n%s", err, text)
		}
		var s []string
		for _, it := range doc.Items {
			b, err := yaml.Marshal(it)
			if err != nil {
				t.Fatal(err)
			}
			s = append(s, string(b))
		}
		slices.Sort(s)
		return s
	}
	if g, w := items(output), items([]byte(input)); !slices.Equal(g, w) {
		t.Errorf("the items changed:\n%s\nwant\n%s", strings.Join(g, "---\n"), strings.Join(w, "---\n"))
	}
}

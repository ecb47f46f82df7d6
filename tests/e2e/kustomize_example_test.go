package e2e

import (
	"bytes"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/internal/krmtest"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestKustomizeExample builds examples/kustomize as its README tells users to, with
// standalone kustomize. exec/ runs the functions as exec plugins and must build the
// example's expected.yaml; container/ runs the same functions from their images through
// the `docker` CLI that kustomize calls (podman behind a `docker` link when podman is the
// runtime) and must build the same bytes.
func TestKustomizeExample(t *testing.T) {
	kustomize := kustomizePath(t)
	example := filepath.Join(repoRoot(t), "examples", "kustomize")
	golden := filepath.Join(example, "expected.yaml")

	t.Run("exec", func(t *testing.T) {
		dir := copyExample(t, example, "exec")
		if err := os.Symlink(functionBin(t), filepath.Join(dir, "bin")); err != nil {
			t.Fatal(err)
		}
		out := kustomizeBuild(t, kustomize, dir, toolEnv(t), "--enable-exec")
		checkExampleBuild(t, out, filepath.Join(example, "base", "cabundle-c1.yaml"))
		if t.Failed() && krmtest.Update() {
			t.Fatalf("%s not rewritten from a build that fails the checks", golden)
		}
		krmtest.CompareGolden(t, golden, out)
	})

	t.Run("container", func(t *testing.T) {
		runtime := containerRuntime(t)
		out := kustomizeBuild(t, kustomize, filepath.Join(example, "container"), dockerEnv(t, runtime))
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(want, out) {
			t.Errorf("container/ built other objects than %s (exec/):\n%s", golden, krmtest.Diff(string(want), string(out)))
		}
	})
}

// TestKustomizeDropsSetterComments pins down why the kustomize example has no
// apply-setters step: kustomize hands a KRM plugin each resource re-encoded from JSON, so
// the `# kpt-set:` comments apply-setters works from never reach it, and the field stays
// as written. The same Deployment run through apply-setters directly is set. Should
// kustomize start passing comments on, this test fails and the example can use setters.
func TestKustomizeDropsSetterComments(t *testing.T) {
	kustomize := kustomizePath(t)
	deployment := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1 # kpt-set: ${replicas}\n"
	setters := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: setters\n" +
		"  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ./bin/apply-setters\n" +
		"data:\n  replicas: \"3\"\n"

	direct := exec.Command(filepath.Join(functionBin(t), "apply-setters"))
	direct.Stdin = strings.NewReader("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- " +
		strings.ReplaceAll(strings.TrimSuffix(deployment, "\n"), "\n", "\n  ") + "\nfunctionConfig:\n  " +
		strings.ReplaceAll(strings.TrimSuffix(setters, "\n"), "\n", "\n  ") + "\n")
	out, err := direct.Output()
	if err != nil || !strings.Contains(string(out), "replicas: 3 # kpt-set: ${replicas}") {
		t.Fatalf("apply-setters run directly did not set replicas (%v):\n%s", err, out)
	}

	dir := t.TempDir()
	writeFile(t, dir, "kustomization.yaml", "resources: [deployment.yaml]\ntransformers: [setters.yaml]\n")
	writeFile(t, dir, "deployment.yaml", deployment)
	writeFile(t, dir, "setters.yaml", setters)
	if err := os.Symlink(functionBin(t), filepath.Join(dir, "bin")); err != nil {
		t.Fatal(err)
	}
	built := kustomizeBuild(t, kustomize, dir, toolEnv(t), "--enable-exec")
	if !strings.Contains(string(built), "replicas: 1\n") {
		t.Errorf("apply-setters set a field through kustomize: kustomize now keeps comments, and the example can use setters:\n%s", built)
	}
}

// copyExample copies the example's base/ and one of its forms into a temporary folder,
// and returns the form's folder. Only files are copied from the form: bin/ there is the
// link a user makes to run exec/ in place.
func copyExample(t *testing.T, example, form string) string {
	t.Helper()
	root := t.TempDir()
	copyTree(t, filepath.Join(example, "base"), filepath.Join(root, "base"))
	dir := filepath.Join(root, form)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(example, form))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			writeFile(t, dir, e.Name(), readFile(t, filepath.Join(example, form), e.Name()))
		}
	}
	return dir
}

// kustomizeBuild runs `kustomize build --enable-alpha-plugins` in dir and returns what it
// writes to standard output; it fails the test, with standard error, when the build fails.
func kustomizeBuild(t *testing.T, kustomize, dir string, env []string, flags ...string) []byte {
	t.Helper()
	args := append([]string{"build", "--enable-alpha-plugins"}, flags...)
	cmd := exec.Command(kustomize, append(args, ".")...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("kustomize %s in %s failed: %v\n%s", strings.Join(args, " "), dir, err, stderr.String())
	}
	return stdout.Bytes()
}

// dockerEnv is the environment under which kustomize's `docker run` reaches the runtime:
// kustomize always runs `docker`, so for another runtime (podman) a temporary folder
// holding a `docker` link to it goes first on PATH.
func dockerEnv(t *testing.T, runtime string) []string {
	t.Helper()
	if filepath.Base(runtime) == "docker" {
		return os.Environ()
	}
	path, err := exec.LookPath(runtime)
	if err != nil {
		t.Fatal(err)
	}
	shim := t.TempDir()
	if err := os.Symlink(path, filepath.Join(shim, "docker")); err != nil {
		t.Fatal(err)
	}
	return append(os.Environ(), "PATH="+shim+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// checkExampleBuild checks what the example is for, so that a golden file rewritten from
// a broken build does not pass: the objects each function contributes, and nothing else.
func checkExampleBuild(t *testing.T, out []byte, cabundle string) {
	t.Helper()
	nodes, err := kio.FromBytes(out)
	if err != nil {
		t.Fatalf("kustomize output does not parse: %v", err)
	}
	objects := map[string]*yaml.RNode{}
	var ids []string
	for _, n := range nodes {
		id := n.GetKind() + "/" + n.GetName()
		objects[id] = n
		ids = append(ids, id)
	}
	want := []string{
		"Deployment/frontend", "Deployment/orders", "Namespace/shop", "Service/frontend", "Service/orders",
		"Service/istiod-asm-1-29", "Service/istiod-revision-tag-prod-stable",
		"MutatingWebhookConfiguration/istio-sidecar-injector-asm-1-29",
		"MutatingWebhookConfiguration/istio-revision-tag-prod-stable",
		"ValidatingWebhookConfiguration/istio-validator-asm-1-29-istio-system",
		"Secret/istio-ca-cert",
	}
	slices.Sort(ids)
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("the build holds %v, want %v (generated webhooks and Services, the CA Secret, the app; no CABundle or function config)", ids, want)
	}

	field := func(id string, path ...string) string {
		n := objects[id]
		if n == nil {
			return ""
		}
		v, err := n.Pipe(yaml.Lookup(path...))
		if err != nil || v == nil {
			return ""
		}
		return yaml.GetValue(v)
	}
	labels := objects["Namespace/shop"].GetLabels()
	if len(labels) != 1 || labels["istio.io/rev"] != "prod-stable" {
		t.Errorf("Namespace shop is labelled %v, want only istio.io/rev=prod-stable (set-namespace-revision)", labels)
	}
	if got := field("Deployment/frontend", "spec", "replicas"); got != "3" {
		t.Errorf("frontend has %q replicas, want 3 (the base's replicas setting)", got)
	}
	for _, app := range []string{"frontend", "orders"} {
		id := "Deployment/" + app
		if got, want := field(id, "spec", "template", "spec", "containers", "[name="+app+"]", "image"), "registry.example.com/shop/"+app+":1.4.2"; got != want {
			t.Errorf("%s runs image %q, want %q (the base's images setting)", id, got, want)
		}
		status := field(id, "spec", "template", "metadata", "annotations", "sidecar.istio.io/status")
		if !strings.Contains(status, `"revision":"asm-1-29"`) {
			t.Errorf("%s is not injected by revision asm-1-29 (inject-sidecar): sidecar.istio.io/status %q", id, status)
		}
		// The namespace names the tag, so only the generated tag webhook leads to asm-1-29.
		caAddr := field(id, "spec", "template", "spec", "initContainers", "[name=istio-proxy]", "env", "[name=CA_ADDR]", "value")
		if caAddr != "istiod-asm-1-29.istio-system.svc:15012" {
			t.Errorf("%s's istio-proxy (a native sidecar) has CA_ADDR %q, want the revision's istiod", id, caAddr)
		}
	}
	if got := field("MutatingWebhookConfiguration/istio-revision-tag-prod-stable", "webhooks", "[name=rev.namespace.sidecar-injector.istio.io]", "clientConfig", "service", "name"); got != "istiod-asm-1-29" {
		t.Errorf("the tag prod-stable's injector webhook calls %q, want istiod-asm-1-29 (generate-revision)", got)
	}
	chain, err := yaml.MustParse(readFile(t, filepath.Dir(cabundle), filepath.Base(cabundle))).Pipe(yaml.Lookup("spec", "certChain"))
	if err != nil || chain == nil {
		t.Fatalf("%s has no spec.certChain: %v", cabundle, err)
	}
	secret, err := base64.StdEncoding.DecodeString(field("Secret/istio-ca-cert", "data", "cert-chain.pem"))
	if err != nil || string(secret) != yaml.GetValue(chain) || field("Secret/istio-ca-cert", "metadata", "namespace") != "istio-system" {
		t.Errorf("Secret istio-system/istio-ca-cert does not hold the CABundle's certChain (generate-ca-secrets; %v)", err)
	}
}

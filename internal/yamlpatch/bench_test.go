package yamlpatch

import (
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// deploymentTemplate is the pod template of a typical Deployment, as a user writes it.
const deploymentTemplate = `# pod template of the shop frontend
metadata:
  labels:
    app: frontend # selected by the Service
    version: v2
  annotations:
    prometheus.io/scrape: "true"
    prometheus.io/port: '9090'
spec:
  serviceAccountName: frontend
  # the application container
  containers:
  - name: frontend
    image: registry.example.com/shop/frontend:2.4.1 # pinned by CI
    imagePullPolicy: IfNotPresent
    args: ["--port=8080", "--metrics-port=9090", "--log-level=info"]
    ports:
    - name: http
      containerPort: 8080
    - name: metrics
      containerPort: 9090
    env:
    - name: MODE
      value: "production"
    - name: CACHE_TTL
      value: "300"
    - name: POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    resources:
      requests: {cpu: 100m, memory: 128Mi}
      limits:
        memory: 256Mi # OOM guard
    readinessProbe:
      httpGet:
        path: /healthz
        port: 8080
      periodSeconds: 5
    volumeMounts:
    - name: config
      mountPath: /etc/frontend
      readOnly: true
  volumes:
  - name: config # rendered by the config operator
    configMap:
      name: frontend-config
`

const sidecarJSON = `{"name":"istio-proxy","image":"docker.io/istio/proxyv2:1.24.0",
 "args":["proxy","sidecar","--domain","$(POD_NAMESPACE).svc.cluster.local","--proxyLogLevel=warning","--proxyComponentLogLevel=misc:error","--log_output_level=default:info"],
 "ports":[{"name":"http-envoy-prom","containerPort":15090,"protocol":"TCP"}],
 "env":[{"name":"PILOT_CERT_PROVIDER","value":"istiod"},{"name":"CA_ADDR","value":"istiod.istio-system.svc:15012"},
  {"name":"POD_NAME","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}},
  {"name":"POD_NAMESPACE","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}},
  {"name":"INSTANCE_IP","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"status.podIP"}}},
  {"name":"SERVICE_ACCOUNT","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"spec.serviceAccountName"}}},
  {"name":"HOST_IP","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"status.hostIP"}}},
  {"name":"ISTIO_CPU_LIMIT","valueFrom":{"resourceFieldRef":{"divisor":"0","resource":"limits.cpu"}}},
  {"name":"PROXY_CONFIG","value":"{}\n"},{"name":"ISTIO_META_POD_PORTS","value":"[\n    {\"name\":\"http\",\"containerPort\":8080}\n]"},
  {"name":"ISTIO_META_APP_CONTAINERS","value":"frontend"},{"name":"GOMEMLIMIT","valueFrom":{"resourceFieldRef":{"divisor":"0","resource":"limits.memory"}}},
  {"name":"GOMAXPROCS","valueFrom":{"resourceFieldRef":{"divisor":"0","resource":"limits.cpu"}}},
  {"name":"ISTIO_META_CLUSTER_ID","value":"Kubernetes"},{"name":"ISTIO_META_NODE_NAME","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"spec.nodeName"}}},
  {"name":"ISTIO_META_INTERCEPTION_MODE","value":"REDIRECT"},{"name":"ISTIO_META_WORKLOAD_NAME","value":"frontend"},
  {"name":"ISTIO_META_OWNER","value":"kubernetes://apis/apps/v1/namespaces/shop/deployments/frontend"},
  {"name":"ISTIO_META_MESH_ID","value":"cluster.local"},{"name":"TRUST_DOMAIN","value":"cluster.local"}],
 "resources":{"limits":{"cpu":"2","memory":"1Gi"},"requests":{"cpu":"100m","memory":"128Mi"}},
 "volumeMounts":[{"name":"workload-socket","mountPath":"/var/run/secrets/workload-spiffe-uds"},
  {"name":"credential-socket","mountPath":"/var/run/secrets/credential-uds"},{"name":"workload-certs","mountPath":"/var/run/secrets/workload-spiffe-credentials"},
  {"name":"istiod-ca-cert","mountPath":"/var/run/secrets/istio"},{"name":"istio-data","mountPath":"/var/lib/istio/data"},
  {"name":"istio-envoy","mountPath":"/etc/istio/proxy"},{"name":"istio-token","mountPath":"/var/run/secrets/tokens"},
  {"name":"istio-podinfo","mountPath":"/etc/istio/pod"}],
 "readinessProbe":{"httpGet":{"path":"/healthz/ready","port":15021},"failureThreshold":4,"periodSeconds":15,"timeoutSeconds":3},
 "securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]},"privileged":false,
  "readOnlyRootFilesystem":true,"runAsGroup":1337,"runAsNonRoot":true,"runAsUser":1337}}`

const initJSON = `{"name":"istio-init","image":"docker.io/istio/proxyv2:1.24.0",
 "args":["istio-iptables","-p","15001","-z","15006","-u","1337","-m","REDIRECT","-i","*","-x","","-b","*","-d","15090,15021,15020","--log_output_level=default:info"],
 "resources":{"limits":{"cpu":"2","memory":"1Gi"},"requests":{"cpu":"100m","memory":"128Mi"}},
 "securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"add":["NET_ADMIN","NET_RAW"],"drop":["ALL"]},
  "privileged":false,"readOnlyRootFilesystem":false,"runAsGroup":0,"runAsNonRoot":false,"runAsUser":0}}`

const volumesJSON = `[{"name":"workload-socket","emptyDir":{}},{"name":"credential-socket","emptyDir":{}},{"name":"workload-certs","emptyDir":{}},
 {"name":"istio-envoy","emptyDir":{"medium":"Memory"}},{"name":"istio-data","emptyDir":{}},
 {"name":"istio-podinfo","downwardAPI":{"items":[{"path":"labels","fieldRef":{"fieldPath":"metadata.labels"}},{"path":"annotations","fieldRef":{"fieldPath":"metadata.annotations"}}]}},
 {"name":"istio-token","projected":{"sources":[{"serviceAccountToken":{"audience":"istio-ca","expirationSeconds":43200,"path":"istio-token"}}]}},
 {"name":"istiod-ca-cert","configMap":{"name":"istio-ca-root-cert"}}]`

// sidecarFixture returns the template node and the before and after values of injecting
// a sidecar, an init container, volumes, labels and annotations into it.
func sidecarFixture(tb testing.TB) (node *yaml.RNode, before, after any) {
	tb.Helper()
	data, err := sigsyaml.YAMLToJSON([]byte(deploymentTemplate))
	if err != nil {
		tb.Fatal(err)
	}
	before = decodeJSON(tb, string(data), false)
	before.(map[string]any)["metadata"].(map[string]any)["creationTimestamp"] = nil // typed noise
	after = decodeJSON(tb, string(data), false)
	meta := after.(map[string]any)["metadata"].(map[string]any)
	meta["creationTimestamp"] = nil
	meta["labels"].(map[string]any)["security.istio.io/tlsMode"] = "istio"
	meta["labels"].(map[string]any)["service.istio.io/canonical-name"] = "frontend"
	meta["labels"].(map[string]any)["service.istio.io/canonical-revision"] = "v2"
	annotations := meta["annotations"].(map[string]any)
	annotations["kubectl.kubernetes.io/default-container"] = "frontend"
	annotations["istio.io/rev"] = "default"
	annotations["prometheus.io/port"] = "15020"
	annotations["prometheus.io/path"] = "/stats/prometheus"
	annotations["sidecar.istio.io/status"] = `{"initContainers":["istio-init"],"containers":["istio-proxy"],` +
		`"volumes":["workload-socket","credential-socket","workload-certs","istio-envoy","istio-data","istio-podinfo","istio-token","istiod-ca-cert"],` +
		`"imagePullSecrets":null,"revision":"default"}`
	spec := after.(map[string]any)["spec"].(map[string]any)
	spec["containers"] = append(spec["containers"].([]any), decodeJSON(tb, sidecarJSON, false))
	spec["initContainers"] = []any{decodeJSON(tb, initJSON, false)}
	spec["volumes"] = append(spec["volumes"].([]any), decodeJSON(tb, volumesJSON, false).([]any)...)
	return yaml.MustParse(deploymentTemplate), before, after
}

func TestApplySidecarFixture(t *testing.T) {
	node, before, after := sidecarFixture(t)
	if err := Apply(node, before, after); err != nil {
		t.Fatal(err)
	}
	text := node.MustString()
	data, err := sigsyaml.YAMLToJSON([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stripNil(decodeJSON(t, string(data), false)), stripNil(after); !reflect.DeepEqual(got, want) {
		t.Errorf("result does not read back as after:\n%s", text)
	}
	for _, keep := range []string{
		"# pod template of the shop frontend\n", "app: frontend # selected by the Service\n",
		"prometheus.io/port: '15020'\n", "  # the application container\n  containers:\n  - name: frontend\n",
		"frontend:2.4.1 # pinned by CI\n", `args: ["--port=8080", "--metrics-port=9090", "--log-level=info"]`,
		"requests: {cpu: 100m, memory: 128Mi}\n", "memory: 256Mi # OOM guard\n",
		"- name: config # rendered by the config operator\n", "  - name: istio-proxy\n    image: docker.io/istio/proxyv2:1.24.0\n",
		"      runAsUser: 1337\n", "    - \"\"\n", "  initContainers:\n  - name: istio-init\n",
	} {
		if !strings.Contains(text, keep) {
			t.Errorf("result lacks %q:\n%s", keep, text)
		}
	}
	if strings.Contains(text, "creationTimestamp") {
		t.Errorf("typed noise written:\n%s", text)
	}
}

// BenchmarkApplySidecar measures Apply on a Deployment's pod template getting a sidecar,
// an init container, volumes, labels and annotations. The node copies Apply works on are
// made in batches with the timer stopped.
func BenchmarkApplySidecar(b *testing.B) {
	node, before, after := sidecarFixture(b)
	const batch = 256
	nodes := make([]*yaml.RNode, batch)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%batch == 0 {
			b.StopTimer()
			for j := range nodes {
				nodes[j] = node.Copy()
			}
			b.StartTimer()
		}
		if err := Apply(nodes[i%batch], before, after); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyUnchanged measures Apply when before and after are equal.
func BenchmarkApplyUnchanged(b *testing.B) {
	node, before, _ := sidecarFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := Apply(node, before, before); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseApplyString puts Apply in context: parsing the template, applying the
// change and writing the YAML out, as a function does for each workload.
func BenchmarkParseApplyString(b *testing.B) {
	_, before, after := sidecarFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		n, err := yaml.Parse(deploymentTemplate)
		if err != nil {
			b.Fatal(err)
		}
		if err := Apply(n, before, after); err != nil {
			b.Fatal(err)
		}
		if _, err := n.String(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFromJSON measures building the sidecar container from JSON.
func BenchmarkFromJSON(b *testing.B) {
	data := []byte(sidecarJSON)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FromJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}

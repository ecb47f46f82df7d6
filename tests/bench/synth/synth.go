// Package synth writes synthetic packages for benchmarks: Deployments spread over
// namespaces labelled for injection, as one ResourceList.
package synth

import (
	"fmt"
	"io"
)

// Package describes a synthetic package.
type Package struct {
	Deployments int
	Namespaces  int
	// Settings are extra items (YAML documents, without "---") such as injector ConfigMaps.
	Settings []string
	// Config is the function config (a YAML mapping).
	Config string
	// TwoContainers gives every other Deployment a second container (a log shipper).
	TwoContainers bool
}

// Write writes the package as a ResourceList.
func (p Package) Write(w io.Writer) error {
	bw := &errWriter{w: w}
	bw.printf("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
	for _, s := range p.Settings {
		bw.item(s)
	}
	for n := 0; n < p.Namespaces; n++ {
		bw.item(fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-%d\n  labels:\n    istio-injection: enabled\n"+
			"  annotations:\n    config.kubernetes.io/path: ns-%d/namespace.yaml\n", n, n))
	}
	for i := 0; i < p.Deployments; i++ {
		ns := i % p.Namespaces
		d := Deployment(i, fmt.Sprintf("ns-%d", ns), fmt.Sprintf("ns-%d/app-%d.yaml", ns, i))
		if p.TwoContainers && i%2 == 1 {
			d += fmt.Sprintf(secondContainer, i)
		}
		bw.item(d)
	}
	bw.printf("functionConfig:\n")
	bw.indent(p.Config, "  ")
	return bw.err
}

// Deployment is the manifest of synthetic Deployment app-I in a namespace, annotated
// with its file path when path is not empty (as in a ResourceList).
func Deployment(i int, namespace, path string) string {
	meta := fmt.Sprintf("  name: app-%d\n  namespace: %s\n", i, namespace)
	if path != "" {
		meta += "  annotations:\n    config.kubernetes.io/path: " + path + "\n"
	}
	return fmt.Sprintf(deployment, meta, i, i, i, i)
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
%sspec:
  replicas: 2 # two replicas
  selector:
    matchLabels:
      app: app-%d
  template:
    metadata:
      labels:
        app: app-%d
        version: v1
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "9090"
    spec:
      serviceAccountName: app-%d
      containers:
      - name: app
        image: registry.example.com/app:%d
        ports:
        - containerPort: 8080
          name: http
        readinessProbe:
          httpGet:
            path: /ready
            port: 8080
        livenessProbe:
          httpGet:
            path: /healthz
            port: http
        resources:
          requests:
            cpu: 100m
            memory: 128Mi
`

// secondContainer follows a Deployment's container, as the last lines of its manifest.
const secondContainer = `      - name: logs
        image: registry.example.com/log-shipper:%d
        args: ["--from", "/var/log/app", "--to", "stdout"]
        livenessProbe:
          tcpSocket:
            port: 9880
        resources:
          requests:
            cpu: 10m
            memory: 32Mi
          limits:
            memory: 64Mi
`

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

func (e *errWriter) item(doc string) {
	e.printf("- ")
	first := true
	for _, line := range splitLines(doc) {
		if !first {
			e.printf("  ")
		}
		e.printf("%s\n", line)
		first = false
	}
}

func (e *errWriter) indent(doc, pad string) {
	for _, line := range splitLines(doc) {
		e.printf("%s%s\n", pad, line)
	}
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

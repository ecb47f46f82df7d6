package sidecar

import (
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

const benchDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: ns
spec:
  template:
    metadata:
      labels:
        app: app
      annotations:
        prometheus.io/scrape: "true"
    spec:
      containers:
      - name: app
        image: registry.example.com/app:1
        ports:
        - containerPort: 8080
          name: http
        readinessProbe:
          httpGet:
            path: /ready
            port: 8080
        resources:
          requests:
            cpu: 100m
            memory: 128Mi
`

func BenchmarkReadPod(b *testing.B) {
	ws, err := findWorkloads(yaml.MustParse(benchDeployment))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("values", func(b *testing.B) {
		for b.Loop() {
			if _, ok := ws[0].podFromValues(); !ok {
				b.Fatal("not converted")
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			if _, err := ws[0].podFromJSON(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

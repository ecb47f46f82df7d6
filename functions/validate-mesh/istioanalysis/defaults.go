package istioanalysis

import (
	"fmt"

	meshv1 "istio.io/api/mesh/v1alpha1"
	"istio.io/istio/pilot/pkg/config/file"
	"istio.io/istio/pkg/config/schema/gvk"
)

// defaultsDocument names Istio's default resources in messages (Document "" for callers).
const defaultsDocument = "istio-defaults"

// addDefaults adds the stand-in for the ingress gateway that Istio's analysis assumes
// when it is not given one (a Service named after the mesh config's ingressService and a
// pod with a proxy behind it, both labelled istio=ingressgateway), unless the mesh config
// turns ingress off. Unlike istioctl, a Service of that name in the documents is kept: it
// is the package's own gateway.
func addDefaults(src *file.KubeSource, istioNamespace string, meshCfg *meshv1.MeshConfig) error {
	if meshCfg.GetIngressControllerMode() == meshv1.MeshConfig_OFF {
		return nil
	}
	name := meshCfg.GetIngressService()
	var docs string
	if src.Get(gvk.Pod, name+"-dummypod", istioNamespace) == nil {
		docs += fmt.Sprintf(ingressPod, name, istioNamespace)
	}
	if src.Get(gvk.Service, name, istioNamespace) == nil {
		docs += fmt.Sprintf(ingressService, name, istioNamespace)
	}
	if docs == "" {
		return nil
	}
	if err := src.ApplyContent(defaultsDocument, docs); err != nil {
		return fmt.Errorf("adding Istio's default ingress gateway: %w", err)
	}
	return nil
}

// ingressPod and ingressService take the ingress service's name and the namespace.
const (
	ingressPod = `---
apiVersion: v1
kind: Pod
metadata:
  name: %[1]s-dummypod
  namespace: %[2]s
  labels:
    istio: ingressgateway
spec:
  containers:
  - name: istio-proxy
`
	ingressService = `---
apiVersion: v1
kind: Service
metadata:
  name: %[1]s
  namespace: %[2]s
spec:
  selector:
    istio: ingressgateway
  ports:
  - {name: http2, port: 80, targetPort: 80, nodePort: 31380, protocol: TCP}
  - {name: https, port: 443, targetPort: 443, nodePort: 31390, protocol: TCP}
  - {name: tcp, port: 31400, targetPort: 31400, nodePort: 31400, protocol: TCP}
  - {name: tls, port: 15443, targetPort: 15443, nodePort: 31447, protocol: TCP}
`
)

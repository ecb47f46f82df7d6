package inject

import (
	"fmt"

	"github.com/meshfn/meshfn/internal/inject/meshconfig"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"
	meshv1 "istio.io/api/mesh/v1alpha1"
	networking "istio.io/api/networking/v1beta1"
	"k8s.io/apimachinery/pkg/labels"
)

// ProxyConfigResource is a networking.istio.io ProxyConfig resource: proxy settings for
// the whole mesh (in the mesh's root namespace), for a namespace, or for the workloads
// of a namespace its selector matches.
type ProxyConfigResource struct {
	Namespace            string
	Selector             map[string]string // empty: the whole namespace
	Concurrency          *wrapperspb.Int32Value
	EnvironmentVariables map[string]string
	Image                *networking.ProxyImage
}

// asProxyConfig is the resource as the ProxyConfig fields it sets.
func (r ProxyConfigResource) asProxyConfig() *meshv1.ProxyConfig {
	return &meshv1.ProxyConfig{Concurrency: r.Concurrency, ProxyMetadata: r.EnvironmentVariables, Image: r.Image}
}

// webhookProxyConfig is the proxy config Istio's webhook injects a pod with: the mesh's
// defaultConfig, then the first ProxyConfig without selector of the root namespace, then
// that of the pod's namespace, then the pod's proxy.istio.io/config annotation, then the
// first ProxyConfig of the namespace whose selector matches the pod (resources are taken in
// the order given: Istio sorts them by creation time). Later ones win field by field;
// proxyMetadata is merged key by key.
func (s *Settings) webhookProxyConfig(req Request, res *Result) *meshv1.ProxyConfig {
	root := s.Mesh.GetRootNamespace()
	pc := proto.Clone(s.Mesh.GetDefaultConfig()).(*meshv1.ProxyConfig)
	if pc == nil {
		pc = &meshv1.ProxyConfig{}
	}
	if r := findProxyConfig(req.ProxyConfigs, root, nil); r != nil {
		overlayProxyConfig(pc, r.asProxyConfig())
	}
	if req.Namespace != root {
		if r := findProxyConfig(req.ProxyConfigs, req.Namespace, nil); r != nil {
			overlayProxyConfig(pc, r.asProxyConfig())
		}
	}
	if pca, ok := req.Pod.Annotations[annotationProxyConfig]; ok {
		withPod, err := meshconfig.ApplyProxyConfig(pca, &meshv1.MeshConfig{DefaultConfig: pc})
		if err != nil {
			// The webhook ignores an annotation it cannot read.
			res.Warnings = append(res.Warnings, fmt.Sprintf("annotation %s is ignored, as Istio ignores it: %v", annotationProxyConfig, err))
		} else {
			pc = withPod.GetDefaultConfig()
		}
	}
	if r := findProxyConfig(req.ProxyConfigs, req.Namespace, req.Pod.Labels); r != nil {
		overlayProxyConfig(pc, r.asProxyConfig())
	}
	return pc
}

// findProxyConfig returns the first resource of the namespace: without selector when
// podLabels is nil, else with a selector that podLabels satisfy.
func findProxyConfig(rs []ProxyConfigResource, namespace string, podLabels map[string]string) *ProxyConfigResource {
	for i := range rs {
		r := &rs[i]
		if r.Namespace != namespace {
			continue
		}
		if podLabels == nil && len(r.Selector) == 0 {
			return r
		}
		if podLabels != nil && len(r.Selector) > 0 && labels.SelectorFromSet(r.Selector).Matches(labels.Set(podLabels)) {
			return r
		}
	}
	return nil
}

// overlayProxyConfig sets on pc the fields a ProxyConfig resource sets, merging proxyMetadata.
func overlayProxyConfig(pc, overlay *meshv1.ProxyConfig) {
	if overlay.Concurrency != nil {
		pc.Concurrency = overlay.Concurrency
	}
	if overlay.Image != nil {
		pc.Image = overlay.Image
	}
	if len(overlay.ProxyMetadata) > 0 {
		merged := make(map[string]string, len(pc.ProxyMetadata)+len(overlay.ProxyMetadata))
		for k, v := range pc.ProxyMetadata {
			merged[k] = v
		}
		for k, v := range overlay.ProxyMetadata {
			merged[k] = v
		}
		pc.ProxyMetadata = merged
	}
}

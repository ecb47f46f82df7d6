package sidecar

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/meshfn/meshfn/internal/inject"
	"github.com/meshfn/meshfn/internal/krm"
	"google.golang.org/protobuf/types/known/wrapperspb"
	networking "istio.io/api/networking/v1beta1"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// readProxyConfigs collects the package's networking.istio.io ProxyConfig resources, in
// package order (the cluster orders them by creation time, which Git does not have).
func readProxyConfigs(items []*yaml.RNode, defaultNamespace string) ([]inject.ProxyConfigResource, error) {
	var out []inject.ProxyConfigResource
	for _, it := range items {
		if it.GetKind() != "ProxyConfig" || !strings.HasPrefix(it.GetApiVersion(), "networking.istio.io/") || krm.IsPackageMeta(it) {
			continue
		}
		r, err := parseProxyConfig(it)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", krm.Describe(it), err)
		}
		if r.Namespace == "" {
			r.Namespace = defaultNamespace
		}
		out = append(out, r)
	}
	return out, nil
}

func parseProxyConfig(it *yaml.RNode) (inject.ProxyConfigResource, error) {
	var obj struct {
		Spec struct {
			Selector *struct {
				MatchLabels map[string]string `json:"matchLabels"`
			} `json:"selector"`
			Concurrency          *int32            `json:"concurrency"`
			EnvironmentVariables map[string]string `json:"environmentVariables"`
			Image                *struct {
				ImageType string `json:"imageType"`
			} `json:"image"`
		} `json:"spec"`
	}
	b, err := it.MarshalJSON()
	if err != nil {
		return inject.ProxyConfigResource{}, err
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return inject.ProxyConfigResource{}, fmt.Errorf("reading spec: %w", err)
	}
	r := inject.ProxyConfigResource{Namespace: it.GetNamespace(), EnvironmentVariables: obj.Spec.EnvironmentVariables}
	if obj.Spec.Selector != nil {
		r.Selector = obj.Spec.Selector.MatchLabels
	}
	if obj.Spec.Concurrency != nil {
		r.Concurrency = wrapperspb.Int32(*obj.Spec.Concurrency)
	}
	if obj.Spec.Image != nil {
		r.Image = &networking.ProxyImage{ImageType: obj.Spec.Image.ImageType}
	}
	return r, nil
}

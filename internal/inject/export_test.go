package inject

import (
	"github.com/meshfn/meshfn/internal/inject/annotations"
	corev1 "k8s.io/api/core/v1"
)

// newestRules are the rules of the newest release, for the engine's own tests (the
// release table is builtin's, which imports this package).
var newestRules = Rules{Annotations: annotations.AllChecks, ProxyInitImage: true, ScrapeChecks: true, SecurePortAnnotation: true}

// InjectStages is Inject, calling onPod and onText with what each stage made (see stages),
// for the stage goldens of the external test package.
func (s *Settings) InjectStages(req Request, onPod func(stage string, pod *corev1.Pod), onText func(stage string, text []byte)) (*Result, error) {
	return s.inject(req, &stages{onPod: onPod, onText: onText})
}

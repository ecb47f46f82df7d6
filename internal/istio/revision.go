// Package istio holds the names Istio gives to revisions, labels and annotations, so every
// function spells them the same way.
package istio

import (
	"fmt"
	"slices"

	"istio.io/api/label"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Labels and keys Istio's injection selectors use.
var (
	// RevisionLabel selects a control-plane revision (or tag) on namespaces and pods.
	RevisionLabel = label.IoIstioRev.Name
	// TagLabel marks the webhook configuration of a revision tag.
	TagLabel = label.IoIstioTag.Name
)

// InjectionLabel is the legacy namespace label (enabled / disabled) of the default injector.
const InjectionLabel = "istio-injection"

// DefaultNamespace is where Istio installs its control plane unless told otherwise.
const DefaultNamespace = "istio-system"

// DefaultRevision is the value of the revision label that selects the default revision.
const DefaultRevision = "default"

// SystemNamespaces are Kubernetes' own namespaces, never relabelled unless named
// explicitly (and never injected, see IgnoredNamespaces).
var SystemNamespaces = []string{"kube-system", "kube-public", "kube-node-lease"}

// IsDefaultRevision reports whether rev names the default revision ("" or "default").
func IsDefaultRevision(rev string) bool { return rev == "" || rev == DefaultRevision }

// RevisionLabelValue is what istio.io/rev holds for rev: "default" for the default revision.
func RevisionLabelValue(rev string) string {
	if IsDefaultRevision(rev) {
		return DefaultRevision
	}
	return rev
}

// Suffixed appends "-rev" to name, except for the default revision: istiod, istiod-canary.
func Suffixed(name, rev string) string {
	if IsDefaultRevision(rev) {
		return name
	}
	return name + "-" + rev
}

// ValidateRevision checks that rev can be a revision or tag name: a DNS-1123 label (lower
// case alphanumerics and '-', at most 63 characters), as Istio requires.
func ValidateRevision(rev string) error {
	if len(validation.IsDNS1123Label(rev)) > 0 {
		return fmt.Errorf("%q is not a valid name: use at most 63 lower-case letters, digits and '-', "+
			"starting and ending with a letter or digit", rev)
	}
	return nil
}

// IsSystemNamespace reports whether ns is one of Kubernetes' own namespaces.
func IsSystemNamespace(ns string) bool { return slices.Contains(SystemNamespaces, ns) }

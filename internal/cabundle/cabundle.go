// Package cabundle defines CABundle: the public half of an Istio CA, as `hsm-tool bundle
// export` writes it into a kpt package and generate-ca-secrets renders it into the Secrets
// istiod reads. It holds certificates only; the CA's private key stays in the HSM
// (flow hsm-plugin) or in a secret store that the cluster reads at deploy time (flow
// plugged-in), never in Git.
//
// Both sides use this package: hsm-tool builds a CABundle and writes it with Node;
// generate-ca-secrets reads it with Parse and validates it with Check.
package cabundle

import (
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Identity of the resource.
const (
	APIVersion = "meshfn.dev/v1alpha1"
	Kind       = "CABundle"
)

// The two ways istiod gets its signing key.
const (
	// FlowHSMPlugin: istiod signs through an HSM plugin; the key never leaves the HSM.
	// istiod waits for Secret istio-ca-cert with the certificate chain.
	FlowHSMPlugin = "hsm-plugin"
	// FlowPluggedIn: Istio's plugged-in CA, Secret cacerts. The certificates come from
	// Git; the key is merged in at deploy time from a secret store (caKey).
	FlowPluggedIn = "plugged-in"
)

// Flows lists the supported flows.
var Flows = []string{FlowHSMPlugin, FlowPluggedIn}

// CABundle is the resource hsm-tool exports. It is local config
// (config.kubernetes.io/local-config: "true"): an input to functions, never applied.
type CABundle struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Metadata   ObjectMeta `json:"metadata"`
	Spec       Spec       `json:"spec"`
}

// ObjectMeta is the part of Kubernetes' object metadata a CABundle may carry.
type ObjectMeta struct {
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Spec is the CA of one cluster's control plane.
type Spec struct {
	// Cluster the CA belongs to (informational, usually metadata.name).
	Cluster string `json:"cluster"`
	// Namespace is the control-plane namespace the Secrets are rendered into.
	Namespace string `json:"namespace"`
	// Flow is FlowHSMPlugin or FlowPluggedIn.
	Flow string `json:"flow"`
	// CACert is the PEM certificate istiod signs workload certificates with (the
	// intermediate).
	CACert string `json:"caCert"`
	// CertChain is PEM: CACert, any further intermediates, then RootCert.
	CertChain string `json:"certChain"`
	// RootCert is the PEM root certificate.
	RootCert string `json:"rootCert"`
	// CAKey says where the private key lives (plugged-in only); never the key itself.
	CAKey *CAKey `json:"caKey,omitempty"`
	// Fingerprints are informational; when present they must match the certificates.
	Fingerprints *Fingerprints `json:"fingerprints,omitempty"`
	// NotAfter is CACert's expiry (RFC 3339), informational; when present it must match.
	NotAfter string `json:"notAfter,omitempty"`
}

// CAKey points at the CA's private key.
type CAKey struct {
	// ExternalSecret is rendered into an external-secrets.io ExternalSecret that merges
	// ca-key.pem into Secret cacerts.
	ExternalSecret *ExternalSecretRef `json:"externalSecret,omitempty"`
}

// ExternalSecretRef is where the External Secrets Operator reads the key from, with the
// operator's own field names.
type ExternalSecretRef struct {
	SecretStoreRef SecretStoreRef `json:"secretStoreRef"`
	RemoteRef      RemoteRef      `json:"remoteRef"`
}

// SecretStoreRef names a SecretStore or ClusterSecretStore.
type SecretStoreRef struct {
	Name string `json:"name"`
	// Kind is SecretStore (the operator's default when empty) or ClusterSecretStore.
	Kind string `json:"kind,omitempty"`
}

// RemoteRef names the secret in the store.
type RemoteRef struct {
	Key      string `json:"key"`
	Property string `json:"property,omitempty"`
	Version  string `json:"version,omitempty"`
}

// Fingerprints are the SHA-256 fingerprints of the certificates, as Fingerprint writes them.
type Fingerprints struct {
	CACert   string `json:"caCert,omitempty"`
	RootCert string `json:"rootCert,omitempty"`
}

// FieldError is a problem with one field of a CABundle.
type FieldError struct {
	Field string // e.g. "spec.caCert"
	Msg   string
	err   error // what it wraps, if anything (certchain.ErrPrivateKey)
}

// Unwrap returns what the error wraps: certchain.ErrPrivateKey for key material.
func (e *FieldError) Unwrap() error { return e.err }

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Fingerprint is the SHA-256 fingerprint of cert as `openssl x509 -fingerprint -sha256`
// prints it: upper-case hex bytes separated by colons.
func Fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	var b strings.Builder
	for i, c := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", c)
	}
	return b.String()
}

// FillInformational sets Fingerprints and NotAfter from the certificates, as hsm-tool does
// before writing a bundle.
func (b *CABundle) FillInformational() error {
	ca, err := ParseCertificates("spec.caCert", b.Spec.CACert)
	if err != nil {
		return err
	}
	root, err := ParseCertificates("spec.rootCert", b.Spec.RootCert)
	if err != nil {
		return err
	}
	b.Spec.Fingerprints = &Fingerprints{CACert: Fingerprint(ca[0]), RootCert: Fingerprint(root[0])}
	b.Spec.NotAfter = FormatTime(ca[0].NotAfter)
	return nil
}

// FormatTime writes a certificate time as notAfter holds it: RFC 3339 in UTC.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Node returns the bundle as YAML, keys in the documented order, PEM as literal blocks,
// and marked local-config (whatever Metadata.Annotations says), for hsm-tool to write.
func (b *CABundle) Node() *yaml.RNode {
	apiVersion, kind := b.APIVersion, b.Kind
	if apiVersion == "" {
		apiVersion = APIVersion
	}
	if kind == "" {
		kind = Kind
	}
	annotations := []krm.Field{krm.F(krm.LocalConfigAnnotation, "true")}
	for _, k := range slices.Sorted(maps.Keys(b.Metadata.Annotations)) {
		if k != krm.LocalConfigAnnotation {
			annotations = append(annotations, krm.F(k, b.Metadata.Annotations[k]))
		}
	}
	var labels []krm.Field
	for _, k := range slices.Sorted(maps.Keys(b.Metadata.Labels)) {
		labels = append(labels, krm.F(k, b.Metadata.Labels[k]))
	}
	meta := []krm.Field{krm.F("name", b.Metadata.Name), krm.F("namespace", optional(b.Metadata.Namespace))}
	if len(labels) > 0 {
		meta = append(meta, krm.F("labels", krm.Map(labels...)))
	}
	meta = append(meta, krm.F("annotations", krm.Map(annotations...)))

	s := b.Spec
	var caKey, fingerprints any
	if s.CAKey != nil {
		var es any
		if ref := s.CAKey.ExternalSecret; ref != nil {
			es = krm.Map(
				krm.F("secretStoreRef", krm.Map(
					krm.F("name", ref.SecretStoreRef.Name),
					krm.F("kind", optional(ref.SecretStoreRef.Kind)))),
				krm.F("remoteRef", krm.Map(
					krm.F("key", ref.RemoteRef.Key),
					krm.F("property", optional(ref.RemoteRef.Property)),
					krm.F("version", optional(ref.RemoteRef.Version)))))
		}
		caKey = krm.Map(krm.F("externalSecret", es))
	}
	if f := s.Fingerprints; f != nil {
		fingerprints = krm.Map(krm.F("caCert", optional(f.CACert)), krm.F("rootCert", optional(f.RootCert)))
	}
	return krm.Map(
		krm.F("apiVersion", apiVersion),
		krm.F("kind", kind),
		krm.F("metadata", krm.Map(meta...)),
		krm.F("spec", krm.Map(
			krm.F("cluster", s.Cluster),
			krm.F("namespace", s.Namespace),
			krm.F("flow", s.Flow),
			krm.F("caCert", literal(s.CACert)),
			krm.F("certChain", literal(s.CertChain)),
			krm.F("rootCert", literal(s.RootCert)),
			krm.F("caKey", caKey),
			krm.F("fingerprints", fingerprints),
			krm.F("notAfter", optional(s.NotAfter)),
		)),
	)
}

// literal is a string scalar in literal block style (PEM reads as it is in a file).
func literal(s string) *yaml.RNode {
	if !strings.Contains(s, "\n") {
		return krm.Str(s)
	}
	n := yaml.NewStringRNode(s)
	n.YNode().Style = yaml.LiteralStyle
	return n
}

// optional leaves a key out of krm.Map when s is empty.
func optional(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// IsCABundle reports whether obj claims to be a CABundle: kind CABundle in the meshfn.dev
// group, any version (Parse rejects versions it does not know).
func IsCABundle(obj *yaml.RNode) bool {
	group, _, _ := strings.Cut(obj.GetApiVersion(), "/")
	return obj.GetKind() == Kind && group == "meshfn.dev"
}

// joinErrs is errors.Join that keeps a nil for no errors.
func joinErrs(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}

package casecrets

import (
	"encoding/base64"

	"github.com/meshfn/meshfn/internal/cabundle"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Names of what istiod reads, as Istio spells them.
const (
	// HSMSecret is the Secret istiod's HSM plugin flow waits for: the certificate chain
	// of the CA whose key stays in the HSM.
	HSMSecret = "istio-ca-cert"
	// PluggedInSecret is Istio's plugged-in CA Secret, mounted at /etc/cacerts.
	PluggedInSecret = "cacerts"
	// KeyExternalSecret merges the CA key into PluggedInSecret at deploy time.
	KeyExternalSecret = "cacerts-ca-key"
)

// The plugged-in CA's file names (Istio's security/pkg/pki/ca constants).
const (
	CACertFile    = "ca-cert.pem"
	CAKeyFile     = "ca-key.pem"
	CertChainFile = "cert-chain.pem"
	RootCertFile  = "root-cert.pem"
)

// Labels on every generated object (the generator adds meshfn.dev/generated-by).
const (
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedBy      = "meshfn"
	BundleLabel    = "meshfn.dev/ca-bundle"
)

// External Secrets Operator's API, as its documentation writes it.
const (
	ExternalSecretAPIVersion = "external-secrets.io/v1"
	ExternalSecretKind       = "ExternalSecret"
)

// Objects returns what a checked bundle renders to, in its namespace. The Secrets carry
// the certificates re-encoded from DER (cabundle.Canonical): nothing else that was in
// the bundle's PEM text (a header, a comment) reaches them.
func Objects(b *cabundle.CABundle) ([]*yaml.RNode, error) {
	caCert, certChain, rootCert, err := b.Canonical()
	if err != nil {
		return nil, err
	}
	switch b.Spec.Flow {
	case cabundle.FlowHSMPlugin:
		return []*yaml.RNode{secret(b, HSMSecret, krm.F(CertChainFile, b64(certChain)))}, nil
	case cabundle.FlowPluggedIn:
		return []*yaml.RNode{
			secret(b, PluggedInSecret,
				krm.F(CACertFile, b64(caCert)),
				krm.F(CertChainFile, b64(certChain)),
				krm.F(RootCertFile, b64(rootCert))),
			keyExternalSecret(b),
		}, nil
	}
	return nil, nil
}

func metadata(b *cabundle.CABundle, name string) *yaml.RNode {
	return krm.Map(
		krm.F("name", name),
		krm.F("namespace", b.Spec.Namespace),
		krm.F("labels", krm.Map(
			krm.F(ManagedByLabel, ManagedBy),
			krm.F(BundleLabel, b.Metadata.Name))))
}

func secret(b *cabundle.CABundle, name string, data ...krm.Field) *yaml.RNode {
	return krm.Map(
		krm.F("apiVersion", "v1"),
		krm.F("kind", "Secret"),
		krm.F("metadata", metadata(b, name)),
		krm.F("type", "Opaque"),
		krm.F("data", krm.Map(data...)))
}

// keyExternalSecret has the External Secrets Operator read the CA key from the store the
// bundle names and merge it, as ca-key.pem, into Secret cacerts, which comes from Git
// with the certificates: creationPolicy Merge expects the Secret to exist and adds only
// its own key. deletionPolicy Retain (the operator's default, and the one Merge allows
// besides Merge) keeps the key in cacerts if the store loses it, so a running istiod
// keeps a complete CA.
func keyExternalSecret(b *cabundle.CABundle) *yaml.RNode {
	ref := b.Spec.CAKey.ExternalSecret
	return krm.Map(
		krm.F("apiVersion", ExternalSecretAPIVersion),
		krm.F("kind", ExternalSecretKind),
		krm.F("metadata", metadata(b, KeyExternalSecret)),
		krm.F("spec", krm.Map(
			krm.F("refreshInterval", "1h"),
			krm.F("secretStoreRef", krm.Map(
				krm.F("name", ref.SecretStoreRef.Name),
				krm.F("kind", optional(ref.SecretStoreRef.Kind)))),
			krm.F("target", krm.Map(
				krm.F("name", PluggedInSecret),
				krm.F("creationPolicy", "Merge"),
				krm.F("deletionPolicy", "Retain"))),
			krm.F("data", krm.List(krm.Map(
				krm.F("secretKey", CAKeyFile),
				krm.F("remoteRef", krm.Map(
					krm.F("key", ref.RemoteRef.Key),
					krm.F("property", optional(ref.RemoteRef.Property)),
					krm.F("version", optional(ref.RemoteRef.Version))))))))))
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// optional leaves a key out of krm.Map when s is empty.
func optional(s string) any {
	if s == "" {
		return nil
	}
	return s
}

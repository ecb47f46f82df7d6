package casecrets

import (
	"encoding/base64"

	"github.com/meshfn/meshfn/internal/cabundle"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// KeyExternalSecret merges the CA key into cabundle.PluggedInSecret at deploy time.
const KeyExternalSecret = "cacerts-ca-key"

// Labels on every generated object (the generator adds meshfn.dev/generated-by), besides
// cabundle.BundleLabel.
const (
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedBy      = "meshfn"
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
		return []*yaml.RNode{secret(b, cabundle.HSMSecret, krm.F(cabundle.CertChainFile, b64(certChain)))}, nil
	case cabundle.FlowPluggedIn:
		return []*yaml.RNode{
			secret(b, cabundle.PluggedInSecret,
				krm.F(cabundle.CACertFile, b64(caCert)),
				krm.F(cabundle.CertChainFile, b64(certChain)),
				krm.F(cabundle.RootCertFile, b64(rootCert))),
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
			krm.F(cabundle.BundleLabel, b.Metadata.Name))))
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
				krm.F("name", cabundle.PluggedInSecret),
				krm.F("creationPolicy", "Merge"),
				krm.F("deletionPolicy", "Retain"))),
			krm.F("data", krm.List(krm.Map(
				krm.F("secretKey", cabundle.CAKeyFile),
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

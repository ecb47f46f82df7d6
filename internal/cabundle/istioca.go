package cabundle

// Names of the Secrets istiod reads its CA from, as Istio spells them.
const (
	// HSMSecret is the Secret istiod's HSM plugin flow waits for: the certificate chain
	// of the CA whose key stays in the HSM.
	HSMSecret = "istio-ca-cert"
	// PluggedInSecret is Istio's plugged-in CA Secret, mounted at /etc/cacerts.
	PluggedInSecret = "cacerts"
)

// The plugged-in CA's file names (Istio's security/pkg/pki/ca constants).
const (
	CACertFile    = "ca-cert.pem"
	CAKeyFile     = "ca-key.pem"
	CertChainFile = "cert-chain.pem"
	RootCertFile  = "root-cert.pem"
)

// BundleLabel names, on each object generate-ca-secrets renders from a CABundle, that
// bundle: validate-mesh checks the bundle and leaves out the Secrets made from it.
const BundleLabel = "meshfn.dev/ca-bundle"

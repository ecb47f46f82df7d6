// Package ca holds the certificate profiles and signing policy hsm-tool uses
// to issue a per-cluster intermediate CA for istiod from an offline root whose
// key stays in an HSM (reached through a crypto.Signer), and the chain checks
// istiod applies to what it is given.
//
// The profiles follow Istio's own certificate tooling, tools/certs in
// github.com/istio/istio (common.mk, Makefile.selfsigned.mk):
//
//   - Root: subject O=Istio, CN=Root CA; basicConstraints critical CA:TRUE
//     with no path length; valid 3650 days (ROOTCA_DAYS); SKI "hash".
//   - Intermediate, one per cluster: subject O=Istio, CN=Intermediate CA,
//     L=<cluster>; basicConstraints critical CA:TRUE, pathlen:0; SAN
//     DNS:istiod.istio-system.svc (INTERMEDIATE_SAN_DNS); valid 730 days
//     (INTERMEDIATE_DAYS); SKI "hash"; no extendedKeyUsage. cert-chain.pem is
//     the intermediate followed by the root (cat ca-cert.pem root-cert.pem).
//
// Where this package departs from those files, it is on purpose:
//
//   - keyUsage. Istio's .conf files ask for digitalSignature, nonRepudiation,
//     keyEncipherment and keyCertSign on both CAs. Here the root gets
//     keyCertSign and cRLSign, and the intermediate keyCertSign, cRLSign and
//     digitalSignature (RFC 5280 §4.2.1.3: a CA that signs certificates or
//     CRLs asserts keyCertSign / cRLSign; key encipherment and
//     non-repudiation have no use in a CA). Go marks keyUsage and
//     basicConstraints critical.
//   - The root key stays on the HSM, so the root is a template signed by a
//     crypto.Signer rather than an openssl command.
//   - Key sizes: Istio generates 4096-bit RSA; the policy here accepts RSA of
//     at least 2048 bits, or ECDSA on P-256 or P-384.
//   - The intermediate's SKI is the SHA-1 of the subjectPublicKey bit string
//     (RFC 5280 §4.2.1.2 method 1, what openssl's "hash" computes); its AKI
//     is the root's SKI. RootTemplate does not know the root's key, so the
//     root's SKI is the one x509.CreateCertificate derives for CA templates
//     (since Go 1.25 the leftmost 160 bits of a SHA-256, RFC 7093 §2 method 1).
//
// [VerifyChain] applies internal/certchain, the chain check generate-ca-secrets
// uses too (strict PEM, the key policy, path lengths counting the CA
// certificate, keyUsage keyCertSign required), and through it the check
// istiod makes when it loads cacerts (security/pkg/pki/util: Verify builds x509.VerifyOptions with the root as
// the only root and the chain as intermediates, and no other option), so it
// uses Go's default extended key usage, server auth: an intermediate whose
// extendedKeyUsage excludes it would be refused by istiod, and is here.
package ca

// Package cabundletest makes certificates and CABundles for tests and demos: a root, the
// intermediates a mesh CA signs with, and the broken certificates the checks must reject.
// Keys are ECDSA P-256 (or RSA when asked) and stay in memory; nothing here writes a
// private key anywhere (PKCS8Base64 hands one to tests that check it is refused).
package cabundletest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"strings"
	"time"

	"github.com/meshfn/meshfn/internal/cabundle"
)

// Cert is a certificate with its key (in memory only) and its PEM encoding.
type Cert struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	PEM  string
}

// Options describe a certificate to make.
type Options struct {
	Organization string // default "meshfn test"
	CommonName   string
	NotBefore    time.Time
	NotAfter     time.Time
	// CA sets basicConstraints CA:TRUE and, unless KeyUsage is set, keyUsage
	// keyCertSign, cRLSign and digitalSignature.
	CA bool
	// KeyUsage overrides the default key usage; a leaf's default is digitalSignature and
	// keyEncipherment.
	KeyUsage x509.KeyUsage
	// ExtKeyUsage, when set, restricts what the certificate may be used for.
	ExtKeyUsage []x509.ExtKeyUsage
	// PathLenZero sets basicConstraints pathlen:0 on a CA.
	PathLenZero bool
	// NoKeyUsage leaves the keyUsage extension out.
	NoKeyUsage bool
	// RSABits makes an RSA key of that size instead of ECDSA P-256.
	RSABits int
	// Edit, when set, changes the template last (name constraints, say).
	Edit func(*x509.Certificate)
}

// Years returns the validity window [from, from + n years).
func Years(from time.Time, n int) (time.Time, time.Time) {
	return from, from.AddDate(n, 0, 0)
}

// New makes a certificate signed by parent, or self-signed when parent is nil.
func New(o Options, parent *Cert) (*Cert, error) {
	var key crypto.Signer
	var err error
	if o.RSABits > 0 {
		key, err = rsa.GenerateKey(rand.Reader, o.RSABits)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return nil, err
	}
	org := o.Organization
	if org == "" {
		org = "meshfn test"
	}
	usage := o.KeyUsage
	if usage == 0 {
		usage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
		if o.CA {
			usage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
		}
	}
	sn, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          sn.Add(sn, big.NewInt(1)), // positive
		Subject:               pkix.Name{Organization: []string{org}, CommonName: o.CommonName},
		NotBefore:             o.NotBefore.UTC(),
		NotAfter:              o.NotAfter.UTC(),
		KeyUsage:              usage,
		BasicConstraintsValid: true,
		IsCA:                  o.CA,
		ExtKeyUsage:           o.ExtKeyUsage,
		MaxPathLenZero:        o.PathLenZero,
	}
	if o.NoKeyUsage {
		tmpl.KeyUsage = 0
	}
	if o.Edit != nil {
		o.Edit(tmpl)
	}
	signer, signerCert := key, tmpl
	if parent != nil {
		signer, signerCert = parent.Key, parent.Cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, key.Public(), signer)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &Cert{Cert: cert, Key: key, PEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}, nil
}

// PKCS8Base64 is c's private key as PKCS#8 DER in one line of base64, without PEM
// armour: how a key pasted by hand slips past a reader that looks for PEM headers.
func PKCS8Base64(c *Cert) string {
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

// Must panics on an error; for test set-up.
func Must(c *Cert, err error) *Cert {
	if err != nil {
		panic(err)
	}
	return c
}

// PEM concatenates the certificates' PEM, in order.
func PEM(certs ...*Cert) string {
	var b strings.Builder
	for _, c := range certs {
		b.WriteString(c.PEM)
	}
	return b.String()
}

// Bundle is a CABundle for cluster name in namespace: caCert ca, certChain ca, the
// intermediates and root, rootCert root, with fingerprints and notAfter filled in. A
// plugged-in bundle gets a caKey pointing at ClusterSecretStore vault, key asm-NAME/ca,
// property ca-key.pem.
func Bundle(name, namespace, flow string, ca *Cert, intermediates []*Cert, root *Cert) *cabundle.CABundle {
	chain := append(append([]*Cert{ca}, intermediates...), root)
	b := &cabundle.CABundle{
		APIVersion: cabundle.APIVersion,
		Kind:       cabundle.Kind,
		Metadata:   cabundle.ObjectMeta{Name: name},
		Spec: cabundle.Spec{
			Cluster:   name,
			Namespace: namespace,
			Flow:      flow,
			CACert:    ca.PEM,
			CertChain: PEM(chain...),
			RootCert:  root.PEM,
		},
	}
	if flow == cabundle.FlowPluggedIn {
		b.Spec.CAKey = &cabundle.CAKey{ExternalSecret: &cabundle.ExternalSecretRef{
			SecretStoreRef: cabundle.SecretStoreRef{Name: "vault", Kind: "ClusterSecretStore"},
			RemoteRef:      cabundle.RemoteRef{Key: "asm-" + name + "/ca", Property: "ca-key.pem"},
		}}
	}
	if err := b.FillInformational(); err != nil {
		panic(err)
	}
	return b
}

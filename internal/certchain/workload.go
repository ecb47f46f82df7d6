package certchain

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"time"
)

// DefaultTrustDomain is the SPIFFE trust domain of a mesh that does not set one: Istio's
// meshConfig.trustDomain default.
const DefaultTrustDomain = "cluster.local"

// WorkloadID is the identity the workload check gives the certificate it issues: a
// service account's SPIFFE ID in trustDomain, as istiod writes it into a workload
// certificate's URI SAN.
func WorkloadID(trustDomain string) string {
	return "spiffe://" + trustDomain + "/ns/default/sa/default"
}

// CheckTrustDomain refuses what cannot be a SPIFFE trust domain: empty, longer than 255
// characters, or with characters other than lower-case letters, digits, '.', '-', '_'.
func CheckTrustDomain(td string) error {
	switch {
	case td == "":
		return fmt.Errorf("the trust domain is empty")
	case len(td) > 255:
		return fmt.Errorf("the trust domain is longer than 255 characters")
	}
	for _, r := range td {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return fmt.Errorf("the trust domain %q has %q: SPIFFE allows lower-case letters, digits, '.', '-' and '_'", td, r)
		}
	}
	return nil
}

// Workload usages: a workload certificate is the client of the connections its proxy
// opens and the server of those it accepts, and each peer verifies it for its side.
var workloadUsages = []struct {
	name  string
	usage x509.ExtKeyUsage
}{{"client auth", x509.ExtKeyUsageClientAuth}, {"server auth", x509.ExtKeyUsageServerAuth}}

// checkWorkloads judges the chain as the peers of a workload will: it issues, under the
// CA certificate, the certificate istiod gives a workload (URI SAN WorkloadID, extended
// key usages client and server auth) and verifies it with Go's x509 for each usage on its
// own, so that name constraints and extended key usages anywhere in the chain count.
//
// The CA's key is not at hand, so it verifies under a copy of the chain: every
// certificate re-issued with its own subject, serial, validity and extensions, byte for
// byte (key identifiers aside), under a fresh key. chain must end with root, each
// certificate signed by the next.
func checkWorkloads(chain []*x509.Certificate, now time.Time, trustDomain string) error {
	id, err := url.Parse(WorkloadID(trustDomain))
	if err != nil {
		return err
	}
	copies, key, err := copyChain(chain)
	if err != nil {
		return err
	}
	ca := copies[0]
	notAfter := now.Add(time.Hour)
	if ca.NotAfter.Before(notAfter) {
		notAfter = ca.NotAfter
	}
	leafPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	leaf, err := issue(&x509.Certificate{
		SerialNumber: big.NewInt(1), NotBefore: now.Add(-time.Minute), NotAfter: notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		URIs:        []*url.URL{id}, BasicConstraintsValid: true,
	}, ca, leafPub, key)
	if err != nil {
		return err
	}
	roots, intermediates := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(copies[len(copies)-1])
	for _, c := range copies[:len(copies)-1] {
		intermediates.AddCert(c)
	}
	var failed, reasons []string
	for _, u := range workloadUsages {
		_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: intermediates, CurrentTime: now,
			KeyUsages: []x509.ExtKeyUsage{u.usage}})
		if err != nil {
			failed = append(failed, u.name)
			reasons = append(reasons, err.Error())
		}
	}
	switch {
	case len(failed) == 0:
		return nil
	case len(failed) == 2 && reasons[0] == reasons[1]:
		return fmt.Errorf("a workload certificate it issues (URI SAN %s) does not verify: %s", id, reasons[0])
	}
	var b strings.Builder
	for i := range failed {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "for %s: %s", failed[i], reasons[i])
	}
	return fmt.Errorf("a workload certificate it issues (URI SAN %s) does not verify %s", id, b.String())
}

// copyChain re-issues every certificate of chain under fresh keys, root (the last)
// first, and returns the copies in the chain's order and the key of the first.
func copyChain(chain []*x509.Certificate) ([]*x509.Certificate, ed25519.PrivateKey, error) {
	copies := make([]*x509.Certificate, len(chain))
	var parentKey ed25519.PrivateKey
	for i := len(chain) - 1; i >= 0; i-- {
		pub, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		tmpl := copyTemplate(chain[i], pub)
		parent, signer := tmpl, key // the root signs itself
		if i < len(chain)-1 {
			parent, signer = copies[i+1], parentKey
		}
		if copies[i], err = issue(tmpl, parent, pub, signer); err != nil {
			return nil, nil, fmt.Errorf("failed to copy %s to judge the chain: %w", Name(chain[i]), err)
		}
		parentKey = key
	}
	return copies, parentKey, nil
}

// Key identifier extensions, which a copy gets from its own keys.
var (
	oidSubjectKeyID   = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidAuthorityKeyID = asn1.ObjectIdentifier{2, 5, 29, 35}
)

// copyTemplate is c as a template: its subject, serial, validity and extensions as they
// are encoded, for a certificate of key pub.
func copyTemplate(c *x509.Certificate, pub ed25519.PublicKey) *x509.Certificate {
	sum := sha256.Sum256(pub)
	t := &x509.Certificate{
		SerialNumber: c.SerialNumber, RawSubject: c.RawSubject, NotBefore: c.NotBefore, NotAfter: c.NotAfter,
		SubjectKeyId: sum[:20],
	}
	for _, e := range c.Extensions {
		if !e.Id.Equal(oidSubjectKeyID) && !e.Id.Equal(oidAuthorityKeyID) {
			t.ExtraExtensions = append(t.ExtraExtensions, pkix.Extension{Id: e.Id, Critical: e.Critical, Value: e.Value})
		}
	}
	return t
}

// issue creates and parses a certificate.
func issue(tmpl, parent *x509.Certificate, pub ed25519.PublicKey, signer ed25519.PrivateKey) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

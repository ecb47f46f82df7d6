package certchain

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"time"
)

// Role is what a certificate is in a chain.
type Role int

// The roles of a chain's certificates.
const (
	// CA is the certificate istiod signs with (ca-cert.pem), the chain's first.
	CA Role = iota
	// Intermediate is a certificate between the CA certificate and the root.
	Intermediate
	// Root is the trust anchor (root-cert.pem), the chain's last.
	Root
	// Order is the chain as a whole: its order and signatures.
	Order
)

// Problem is one reason istiod would not load a chain, about one certificate (Index is
// its position in the chain) or about the chain as a whole (Role Order).
type Problem struct {
	Role  Role
	Index int
	Msg   string
}

func (p Problem) Error() string { return p.Msg }

// Labelled is a certificate of a chain with its role and position.
type Labelled struct {
	Role  Role
	Index int
	Cert  *x509.Certificate
}

// Certificates lists each certificate of the chain once: the CA certificate, the
// intermediates, the root (also when the chain does not hold it).
func Certificates(chain []*x509.Certificate, root *x509.Certificate) []Labelled {
	out := []Labelled{{CA, 0, chain[0]}}
	for i, c := range chain {
		if i > 0 && !c.Equal(chain[0]) && !c.Equal(root) {
			out = append(out, Labelled{Intermediate, i, c})
		}
	}
	if !root.Equal(chain[0]) {
		out = append(out, Labelled{Root, len(chain) - 1, root})
	}
	return out
}

// Name is how messages name a certificate: its subject's CN, else the whole subject.
func Name(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return fmt.Sprintf("%q", "CN="+c.Subject.CommonName)
	}
	return fmt.Sprintf("%q", c.Subject.String())
}

// FormatTime writes a certificate time as RFC 3339 in UTC.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Check applies what istiod checks before it loads a CA, and a little more, to chain:
// the CA certificate istiod signs with first, then the intermediates, then root.
//
//   - the CA certificate is a CA (basicConstraints CA:TRUE) with keyUsage keyCertSign;
//   - root is a self-signed CA certificate;
//   - every key passes keys (DefaultKeys when zero);
//   - the chain ends with root and each certificate is signed by the next;
//   - no path length is exceeded, counting the CA certificate itself: it issues
//     certificates, so an intermediate with pathlen:0 cannot be above it;
//   - every certificate is valid at now;
//   - the CA certificate verifies to root through the intermediates with x509 (as
//     istiod's keycertbundle.Verify, which leaves KeyUsages empty: server auth, or no
//     extended key usage at all);
//   - a workload certificate the CA certificate issues verifies as its peers check it:
//     its URI SAN in p's trust domain within every name constraint of the chain, and
//     the chain allowing client auth and server auth, each (see checkWorkloads).
func Check(chain []*x509.Certificate, root *x509.Certificate, now time.Time, p Policy) []Problem {
	if len(chain) == 0 || root == nil {
		return []Problem{{Role: Order, Index: -1, Msg: "no certificate to check"}}
	}
	keys := p.Keys
	var ps []Problem
	add := func(r Role, i int, format string, args ...any) {
		ps = append(ps, Problem{Role: r, Index: i, Msg: fmt.Sprintf(format, args...)})
	}
	ca := chain[0]
	if !ca.BasicConstraintsValid || !ca.IsCA {
		add(CA, 0, "%s is not a CA certificate (basicConstraints CA:TRUE): istiod cannot sign with it", Name(ca))
	}
	if ca.KeyUsage&x509.KeyUsageCertSign == 0 {
		add(CA, 0, "%s lacks keyUsage keyCertSign: istiod cannot sign with it", Name(ca))
	}
	last := len(chain) - 1
	if !root.BasicConstraintsValid || !root.IsCA {
		add(Root, last, "%s is not a CA certificate (basicConstraints CA:TRUE)", Name(root))
	}
	if !bytes.Equal(root.RawIssuer, root.RawSubject) ||
		root.CheckSignature(root.SignatureAlgorithm, root.RawTBSCertificate, root.Signature) != nil {
		add(Root, last, "%s is not self-signed (issuer %s): the root must be", Name(root), root.Issuer)
	}
	certs := Certificates(chain, root)
	for _, l := range certs {
		if err := keys.Check(l.Cert.PublicKey); err != nil {
			add(l.Role, l.Index, "%s: %v", Name(l.Cert), err)
		}
	}
	orderOK := checkOrder(chain, root, add)
	checkPathLengths(chain, add)
	valid := true
	for _, l := range certs {
		switch {
		case now.Before(l.Cert.NotBefore):
			add(l.Role, l.Index, "%s is not valid before %s", Name(l.Cert), FormatTime(l.Cert.NotBefore))
			valid = false
		case now.After(l.Cert.NotAfter):
			add(l.Role, l.Index, "%s expired on %s", Name(l.Cert), FormatTime(l.Cert.NotAfter))
			valid = false
		}
	}
	if valid && orderOK {
		roots, intermediates := x509.NewCertPool(), x509.NewCertPool()
		roots.AddCert(root)
		for _, c := range chain[1:] {
			if !c.Equal(root) {
				intermediates.AddCert(c)
			}
		}
		if _, err := ca.Verify(x509.VerifyOptions{Roots: roots, Intermediates: intermediates, CurrentTime: now}); err != nil {
			add(Order, -1, "the CA certificate does not verify to the root: %v", err)
		} else if len(ps) == 0 {
			if err := checkWorkloads(chain, now, p.trustDomain()); err != nil {
				add(Order, -1, "%v: peers would reject every workload of the mesh", err)
			}
		}
	}
	return ps
}

// Policy is what Check judges a chain against. The zero Policy is meshfn's default.
type Policy struct {
	// Keys is the key policy of every certificate in the chain.
	Keys KeyPolicy
	// TrustDomain is the mesh's SPIFFE trust domain, in which workload certificates
	// are issued; "" means DefaultTrustDomain.
	TrustDomain string
}

func (p Policy) trustDomain() string {
	if p.TrustDomain == "" {
		return DefaultTrustDomain
	}
	return p.TrustDomain
}

// checkOrder requires the chain to end with root and each certificate to be signed by
// the next.
func checkOrder(chain []*x509.Certificate, root *x509.Certificate, add func(Role, int, string, ...any)) bool {
	ok := true
	if last := chain[len(chain)-1]; !last.Equal(root) {
		add(Order, -1, "must end with the root (%s), ends with %s", Name(root), Name(last))
		ok = false
	}
	for i := 0; i+1 < len(chain); i++ {
		if err := chain[i].CheckSignatureFrom(chain[i+1]); err != nil {
			add(Order, -1, "certificate %d (%s) is not signed by certificate %d (%s): %v", i+1, Name(chain[i]), i+2, Name(chain[i+1]), err)
			ok = false
		}
	}
	return ok
}

// checkPathLengths refuses a certificate whose pathlen is smaller than the number of
// CA certificates below it, the CA certificate included: istiod issues workload
// certificates under it, so it counts as an intermediate (x509 verification of the
// CA certificate alone does not count it). Self-issued certificates are not counted
// (RFC 5280 §4.2.1.9).
func checkPathLengths(chain []*x509.Certificate, add func(Role, int, string, ...any)) {
	below := 0
	for i, c := range chain {
		if i > 0 && c.BasicConstraintsValid && (c.MaxPathLen > 0 || c.MaxPathLenZero) && below > c.MaxPathLen {
			role := Intermediate
			if i == len(chain)-1 {
				role = Root
			}
			add(role, i, "%s allows %d CA certificate(s) below it (pathlen:%d), but the chain has %d, the CA certificate istiod signs with included",
				Name(c), c.MaxPathLen, c.MaxPathLen, below)
		}
		if !bytes.Equal(c.RawIssuer, c.RawSubject) {
			below++
		}
	}
}

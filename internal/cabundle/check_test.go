package cabundle_test

import (
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/meshfn/meshfn/internal/cabundle"
	ct "github.com/meshfn/meshfn/internal/cabundle/cabundletest"
	"github.com/meshfn/meshfn/internal/certchain"
)

// now is the time every check runs at; the certificates are made around it.
var now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// A mesh PKI: a root, an intermediate per cluster, and certificates that are wrong in one
// way each.
var (
	root       = ct.Must(ct.New(opts("test root", 2025, 100, true), nil))
	inter      = ct.Must(ct.New(opts("test intermediate", 2025, 50, true), root))
	issuing    = ct.Must(ct.New(opts("test issuing CA", 2025, 20, true), inter)) // root → inter → issuing
	otherRoot  = ct.Must(ct.New(opts("other root", 2025, 100, true), nil))
	otherInter = ct.Must(ct.New(opts("other intermediate", 2025, 50, true), otherRoot))
	leaf       = ct.Must(ct.New(opts("not a CA", 2025, 50, false), root))
	expired    = ct.Must(ct.New(ct.Options{CommonName: "expired CA", NotBefore: date(2000), NotAfter: date(2001), CA: true}, root))
	notYet     = ct.Must(ct.New(ct.Options{CommonName: "future CA", NotBefore: date(2030), NotAfter: date(2040), CA: true}, root))
	soon       = ct.Must(ct.New(ct.Options{CommonName: "expiring CA", NotBefore: date(2025), NotAfter: now.Add(10 * 24 * time.Hour), CA: true}, root))
	noCertSign = ct.Must(ct.New(ct.Options{CommonName: "no certSign", NotBefore: date(2025), NotAfter: date(2075), CA: true,
		KeyUsage: x509.KeyUsageDigitalSignature}, root))
	clientOnly = ct.Must(ct.New(ct.Options{CommonName: "client auth only", NotBefore: date(2025), NotAfter: date(2075), CA: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, root))
	// The hardening cases of issue 11: a pathlen:0 intermediate with a CA below it, a
	// weak key, a CA without keyUsage (hsm-tool verify accepted it).
	pathLen0   = ct.Must(ct.New(ct.Options{CommonName: "pathlen 0", NotBefore: date(2025), NotAfter: date(2075), CA: true, PathLenZero: true}, root))
	belowZero  = ct.Must(ct.New(ct.Options{CommonName: "below pathlen 0", NotBefore: date(2025), NotAfter: date(2070), CA: true}, pathLen0))
	rsa1024    = ct.Must(ct.New(ct.Options{CommonName: "RSA-1024 CA", NotBefore: date(2025), NotAfter: date(2075), CA: true, RSABits: 1024}, root))
	noKeyUsage = ct.Must(ct.New(ct.Options{CommonName: "no keyUsage", NotBefore: date(2025), NotAfter: date(2075), CA: true, NoKeyUsage: true}, root))
)

// withHeader puts a PEM header carrying a PKCS#8 key into the first block of s, where a
// reader that keeps the text would pass it on.
func withHeader(s string) string {
	return strings.Replace(s, "-----BEGIN CERTIFICATE-----\n",
		"-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\nX-Key: MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n\n", 1)
}

func date(year int) time.Time { return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC) }

func opts(cn string, from, years int, ca bool) ct.Options {
	nb, na := ct.Years(date(from), years)
	return ct.Options{CommonName: cn, NotBefore: nb, NotAfter: na, CA: ca}
}

// fakeKey is shaped like a PEM private key; its content is not a key.
const fakeKey = "-----BEGIN PRIVATE KEY-----\nTk9UIEEgS0VZ\n-----END PRIVATE KEY-----\n"

func TestCheck(t *testing.T) {
	tests := []struct {
		name        string
		bundle      func() *cabundle.CABundle
		renewBefore time.Duration
		wantErrs    []string // substrings, each in its own joined error, in order
		wantWarns   []string
	}{
		{name: "hsm-plugin", bundle: hsm(inter, nil, root)},
		{name: "plugged-in", bundle: plugged(inter, nil, root)},
		{name: "two-level chain", bundle: hsm(issuing, []*ct.Cert{inter}, root)},
		{name: "informational fields may be left out", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) {
			b.Spec.Fingerprints, b.Spec.NotAfter = nil, ""
		})},
		{name: "fingerprints in lower case without colons match", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) {
			b.Spec.Fingerprints.CACert = strings.ToLower(strings.ReplaceAll(b.Spec.Fingerprints.CACert, ":", ""))
		})},
		{
			name: "caCert expires within renewBefore", bundle: hsm(soon, nil, root), renewBefore: 720 * time.Hour,
			wantWarns: []string{`spec.caCert: "CN=expiring CA" expires on 2026-01-11T00:00:00Z, within renewBefore (720h)`},
		},
		{
			name: "every certificate within a long renewBefore", bundle: hsm(issuing, []*ct.Cert{inter}, root), renewBefore: 200 * 365 * 24 * time.Hour,
			wantWarns: []string{`spec.caCert: "CN=test issuing CA" expires on 2045`, `spec.certChain[1]: "CN=test intermediate" expires on 2075`,
				`spec.rootCert: "CN=test root" expires on 2125-01-01T00:00:00Z, within renewBefore (1752000h)`},
		},
		{
			name: "expired caCert", bundle: hsm(expired, nil, root),
			wantErrs: []string{`spec.caCert: "CN=expired CA" expired on 2001-01-01T00:00:00Z`},
		},
		{
			name: "caCert not yet valid", bundle: hsm(notYet, nil, root),
			wantErrs: []string{`spec.caCert: "CN=future CA" is not valid before 2030-01-01T00:00:00Z`},
		},
		{
			name: "caCert not a CA", bundle: hsm(leaf, nil, root),
			wantErrs: []string{`spec.caCert: "CN=not a CA" is not a CA certificate`, "lacks keyUsage keyCertSign"},
		},
		{
			name: "caCert without keyCertSign", bundle: hsm(noCertSign, nil, root),
			wantErrs: []string{`spec.caCert: "CN=no certSign" lacks keyUsage keyCertSign`},
		},
		{
			name: "chain does not verify to the root", bundle: hsm(otherInter, nil, root),
			wantErrs: []string{`spec.certChain: certificate 1 ("CN=other intermediate") is not signed by certificate 2 ("CN=test root")`},
		},
		{
			// Signatures are fine; x509 verification (istiod's) refuses the key usage.
			name: "caCert restricted to client auth", bundle: hsm(clientOnly, nil, root),
			wantErrs: []string{"spec.certChain: the CA certificate does not verify to the root: x509: certificate specifies an incompatible key usage"},
		},
		{
			name: "caCert below a pathlen:0 intermediate", bundle: hsm(belowZero, []*ct.Cert{pathLen0}, root),
			wantErrs: []string{`spec.certChain[1]: "CN=pathlen 0" allows 0 CA certificate(s) below it (pathlen:0), but the chain has 1`},
		},
		{
			name: "RSA-1024 caCert", bundle: hsm(rsa1024, nil, root),
			wantErrs: []string{`spec.caCert: "CN=RSA-1024 CA": the RSA key has 1024 bits; the policy requires at least 2048`},
		},
		{
			name: "caCert without keyUsage", bundle: hsm(noKeyUsage, nil, root),
			wantErrs: []string{`spec.caCert: "CN=no keyUsage" lacks keyUsage keyCertSign`},
		},
		{
			name: "a PEM header in certChain", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) {
				b.Spec.CertChain = strings.Replace(b.Spec.CertChain, "-----BEGIN CERTIFICATE-----\n", "-----BEGIN CERTIFICATE-----\nX: y\n\n", 1)
			}),
			wantErrs: []string{"spec.certChain: PEM block 1 has headers"},
		},
		{
			name: "a key in a PEM header in certChain", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) {
				b.Spec.CertChain = withHeader(b.Spec.CertChain)
			}),
			wantErrs: []string{"spec.certChain: holds private key material (a PKCS#8 private key in base64, line 3)"},
		},
		{
			name: "a chain of 50 certificates", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) {
				b.Spec.CertChain = strings.Repeat(inter.PEM, 49) + root.PEM
			}),
			wantErrs: []string{"spec.certChain: holds more than 8 certificates"},
		},
		{
			name: "a chain larger than 64 KiB", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) {
				b.Spec.CertChain = inter.PEM + strings.Repeat(" ", 70<<10) + root.PEM
			}),
			wantErrs: []string{"spec.certChain: is 7"},
		},
		{
			name: "chain does not start with caCert", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) {
				b.Spec.CertChain = ct.PEM(issuing, inter, root)
			}),
			wantErrs: []string{`spec.certChain: must start with caCert ("CN=test intermediate"), starts with "CN=test issuing CA"`},
		},
		{
			name: "chain does not end with rootCert", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) {
				b.Spec.CertChain = inter.PEM
			}),
			wantErrs: []string{`spec.certChain: must end with the root ("CN=test root"), ends with "CN=test intermediate"`},
		},
		{
			name: "rootCert not self-signed", bundle: edit(hsm(issuing, nil, inter), func(b *cabundle.CABundle) {}),
			wantErrs: []string{`spec.rootCert: "CN=test intermediate" is not self-signed (issuer CN=test root,O=meshfn test)`},
		},
		{
			name: "truncated caCert", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) {
				b.Spec.CACert = b.Spec.CACert[:len(b.Spec.CACert)/2]
			}),
			wantErrs: []string{"spec.caCert: PEM block 1 is truncated or corrupt"},
		},
		{
			name: "truncated block in the middle of the chain", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) {
				b.Spec.CertChain = inter.PEM[:len(inter.PEM)/2] + "\n" + root.PEM
			}),
			wantErrs: []string{"spec.certChain: PEM block 1 is truncated or corrupt"},
		},
		{
			name: "truncated certificate with its END line", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) {
				lines := strings.Split(strings.TrimSpace(root.PEM), "\n")
				b.Spec.RootCert = strings.Join(append(lines[:3], lines[len(lines)-1]), "\n") + "\n"
			}),
			wantErrs: []string{"spec.rootCert: PEM block 1 is not a valid certificate"},
		},
		{
			name: "text after the PEM", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) {
				b.Spec.RootCert += "appended by hand\n"
			}),
			wantErrs: []string{"spec.rootCert: text after PEM block 1"},
		},
		{
			name: "not PEM", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) { b.Spec.CACert = "MIIB..." }),
			wantErrs: []string{"spec.caCert: not PEM"},
		},
		{
			name: "missing PEM", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) { b.Spec.RootCert = "" }),
			wantErrs: []string{"spec.rootCert: required"},
		},
		{
			name: "two certificates in caCert", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) {
				b.Spec.CACert = ct.PEM(inter, root)
			}),
			wantErrs: []string{"spec.caCert: holds 2 certificates"},
		},
		{
			name: "two roots", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) {
				b.Spec.RootCert = ct.PEM(root, otherRoot)
			}),
			wantErrs: []string{"spec.rootCert: holds 2 certificates"},
		},
		{
			name: "private key after the certificate", bundle: edit(plugged(inter, nil, root), func(b *cabundle.CABundle) {
				b.Spec.CACert += fakeKey
			}),
			wantErrs: []string{"spec.caCert: holds private key material (a PEM private key header, line 13): private keys never go into Git"},
		},
		{
			name: "EC private key in the chain", bundle: edit(plugged(inter, nil, root), func(b *cabundle.CABundle) {
				b.Spec.CertChain = strings.ReplaceAll(fakeKey, "PRIVATE", "EC PRIVATE") + b.Spec.CertChain
			}),
			wantErrs: []string{"spec.certChain: holds private key material (a PEM private key header, line 1)"},
		},
		{
			name: "private key in an annotation", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) {
				b.Metadata.Annotations = map[string]string{"backup": fakeKey}
			}),
			wantErrs: []string{"metadata.annotations.backup: holds private key material"},
		},
		{
			name: "caCert fingerprint mismatch", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) {
				b.Spec.Fingerprints.CACert = cabundle.Fingerprint(otherInter.Cert)
			}),
			wantErrs: []string{"spec.fingerprints.caCert: " + cabundle.Fingerprint(otherInter.Cert) + " does not match caCert (" +
				cabundle.Fingerprint(inter.Cert) + "): the bundle was edited after export"},
		},
		{
			name: "rootCert fingerprint mismatch", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) {
				b.Spec.Fingerprints.RootCert = "AB:CD"
			}),
			wantErrs: []string{"spec.fingerprints.rootCert: AB:CD does not match rootCert"},
		},
		{
			name: "notAfter mismatch", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) {
				b.Spec.NotAfter = "2099-01-01T00:00:00Z"
			}),
			wantErrs: []string{"spec.notAfter: 2099-01-01T00:00:00Z does not match caCert, which expires on 2075-01-01T00:00:00Z"},
		},
		{
			name: "notAfter not a time", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) { b.Spec.NotAfter = "next year" }),
			wantErrs: []string{`spec.notAfter: "next year" is not an RFC 3339 time`},
		},
		{
			name: "unknown flow", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) { b.Spec.Flow = "vault" }),
			wantErrs: []string{`spec.flow: "vault" is not one of hsm-plugin, plugged-in`},
		},
		{
			name: "plugged-in without caKey", bundle: edit(plugged(inter, nil, root), func(b *cabundle.CABundle) { b.Spec.CAKey = nil }),
			wantErrs: []string{"spec.caKey.externalSecret: required with flow plugged-in"},
		},
		{
			name: "plugged-in with an incomplete externalSecret", bundle: edit(plugged(inter, nil, root), func(b *cabundle.CABundle) {
				b.Spec.CAKey.ExternalSecret = &cabundle.ExternalSecretRef{SecretStoreRef: cabundle.SecretStoreRef{Kind: "Vault"}}
			}),
			wantErrs: []string{"spec.caKey.externalSecret.secretStoreRef.name: required",
				`spec.caKey.externalSecret.secretStoreRef.kind: "Vault" is not SecretStore or ClusterSecretStore`,
				"spec.caKey.externalSecret.remoteRef.key: required"},
		},
		{
			name: "hsm-plugin with caKey", bundle: edit(plugged(inter, nil, root), func(b *cabundle.CABundle) { b.Spec.Flow = cabundle.FlowHSMPlugin }),
			wantErrs: []string{"spec.caKey: not allowed with flow hsm-plugin"},
		},
		{
			name: "identity", bundle: edit(hsm(inter, nil, root), func(b *cabundle.CABundle) {
				b.Metadata.Name, b.Spec.Cluster, b.Spec.Namespace = "", "", "Istio_System"
			}),
			wantErrs: []string{"metadata.name: required", "spec.cluster: required", `spec.namespace: "Istio_System"`},
		},
		{
			name: "every problem at once", bundle: edit(hsm(expired, nil, root), func(b *cabundle.CABundle) {
				b.Spec.Flow = ""
				b.Spec.NotAfter = "2000-01-01T00:00:00Z"
			}),
			wantErrs: []string{"spec.flow: required", `spec.caCert: "CN=expired CA" expired`, "spec.notAfter: 2000-01-01T00:00:00Z does not match"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			warnings, err := cabundle.Check(tt.bundle(), now, tt.renewBefore, certchain.Policy{})
			got := splitErrors(err)
			if len(got) != len(tt.wantErrs) {
				t.Fatalf("errors:\n  %s\nwant %d:\n  %s", strings.Join(got, "\n  "), len(tt.wantErrs), strings.Join(tt.wantErrs, "\n  "))
			}
			for i, want := range tt.wantErrs {
				if !strings.Contains(got[i], want) {
					t.Errorf("error %d = %q, want it to contain %q", i, got[i], want)
				}
			}
			if len(warnings) != len(tt.wantWarns) {
				t.Fatalf("warnings:\n  %s\nwant %d", strings.Join(warnings, "\n  "), len(tt.wantWarns))
			}
			for i, want := range tt.wantWarns {
				if !strings.Contains(warnings[i], want) {
					t.Errorf("warning %d = %q, want it to contain %q", i, warnings[i], want)
				}
			}
		})
	}
}

// TestCheckFieldErrors: every problem is a *cabundle.FieldError naming its field.
func TestCheckFieldErrors(t *testing.T) {
	b := hsm(expired, nil, root)()
	b.Spec.Flow = "vault"
	_, err := cabundle.Check(b, now, 0, certchain.Policy{})
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		fe, ok := e.(*cabundle.FieldError)
		if !ok || fe.Field == "" {
			t.Errorf("%#v is not a FieldError with a field", e)
		}
	}
}

func TestFingerprint(t *testing.T) {
	fp := cabundle.Fingerprint(root.Cert)
	if len(fp) != 32*3-1 || strings.ToUpper(fp) != fp || strings.Count(fp, ":") != 31 {
		t.Errorf("Fingerprint = %q, want 32 upper-case hex bytes separated by colons", fp)
	}
	if fp == cabundle.Fingerprint(inter.Cert) {
		t.Error("two certificates have the same fingerprint")
	}
}

func splitErrors(err error) []string {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, e.Error())
		}
		return out
	}
	return []string{err.Error()}
}

func hsm(ca *ct.Cert, intermediates []*ct.Cert, root *ct.Cert) func() *cabundle.CABundle {
	return func() *cabundle.CABundle {
		return ct.Bundle("c1", "istio-system", cabundle.FlowHSMPlugin, ca, intermediates, root)
	}
}

func plugged(ca *ct.Cert, intermediates []*ct.Cert, root *ct.Cert) func() *cabundle.CABundle {
	return func() *cabundle.CABundle {
		return ct.Bundle("c1", "istio-system", cabundle.FlowPluggedIn, ca, intermediates, root)
	}
}

func edit(f func() *cabundle.CABundle, change func(*cabundle.CABundle)) func() *cabundle.CABundle {
	return func() *cabundle.CABundle {
		b := f()
		change(b)
		return b
	}
}

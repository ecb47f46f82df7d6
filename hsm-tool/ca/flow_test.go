package ca_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/meshfn/meshfn/hsm-tool/ca"
	"github.com/meshfn/meshfn/hsm-tool/csrcrypt"
	"github.com/meshfn/meshfn/internal/certchain"
)

// TestHSMInstallFlow runs the administrator's side of the ASM HSM install
// with software keys: istiod's encrypted CSR is decrypted with the KEK, the
// CSR signed by the offline root, and the chain checked as istiod will.
func TestHSMInstallFlow(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	rootKey, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := ca.RootTemplate(ca.RootOptions{}, now.Add(-time.Hour), big.NewInt(1))
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, rootKey.Public(), rootKey)
	if err != nil {
		t.Fatal(err)
	}
	root, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}

	// istiod's side: a CSR for its signing key, sealed under the KEK.
	istiodKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	csrDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:  pkix.Name{Organization: []string{"Istio"}},
		DNSNames: []string{"istiod.istio-system.svc"},
	}, istiodKey)
	if err != nil {
		t.Fatal(err)
	}
	kekKey := make([]byte, 32)
	if _, err := rand.Read(kekKey); err != nil {
		t.Fatal(err)
	}
	kek, err := csrcrypt.NewSoftwareAEAD(kekKey)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := csrcrypt.Encrypt("kek-1", kek, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csrDER}), "csr-1", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	secretData, err := sealed.Marshal()
	if err != nil {
		t.Fatal(err)
	}

	// The administrator's side.
	parsed, err := csrcrypt.Parse(secretData)
	if err != nil {
		t.Fatal(err)
	}
	csrPEM, err := csrcrypt.Decrypt(parsed, kek)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := ca.ParseCSR(csrPEM)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.SignIntermediate(csr, "cluster-east", root, rootKey, ca.Policy{}, now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, chain, _ := ca.Chain(cert, root)
	if err := ca.VerifyChain(chain, root, now, certchain.Policy{}); err != nil {
		t.Fatal(err)
	}
	if !cert.PublicKey.(*ecdsa.PublicKey).Equal(&istiodKey.PublicKey) {
		t.Fatal("the intermediate does not certify istiod's key")
	}
}

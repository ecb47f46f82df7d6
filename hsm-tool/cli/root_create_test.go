package cli

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/ca"
	"github.com/meshfn/meshfn/hsm-tool/hsm"
)

// failingImport is a store whose certificate import fails, as a full token would.
type failingImport struct{ *hsm.SoftStore }

func (failingImport) ImportCertificate(string, *x509.Certificate) error {
	return errors.New("token full")
}

func TestCreateRoot(t *testing.T) {
	store := hsm.NewSoftStore()
	cert, err := createRoot(store, "root", hsm.ECDSAP256, ca.RootOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !cert.IsCA || cert.Subject.CommonName != ca.DefaultRootCommonName {
		t.Errorf("root certificate: CA=%v CN=%q", cert.IsCA, cert.Subject.CommonName)
	}
	if err := cert.CheckSignatureFrom(cert); err != nil {
		t.Errorf("not self-signed: %v", err)
	}
	if _, err := createRoot(store, "root", hsm.ECDSAP256, ca.RootOptions{}); !errors.Is(err, hsm.ErrExists) {
		t.Errorf("a second root with the same label: %v, want ErrExists", err)
	}
}

// TestCreateRootCleansUp: when the certificate cannot be stored, the new key pair is
// removed, so the label is free for another attempt.
func TestCreateRootCleansUp(t *testing.T) {
	soft := hsm.NewSoftStore()
	_, err := createRoot(failingImport{soft}, "root", hsm.ECDSAP256, ca.RootOptions{})
	if err == nil || !strings.Contains(err.Error(), "token full") {
		t.Fatalf("error = %v", err)
	}
	if _, err := soft.Signer("root"); !errors.Is(err, hsm.ErrNotFound) {
		t.Errorf("the key pair was left on the token: %v", err)
	}
}

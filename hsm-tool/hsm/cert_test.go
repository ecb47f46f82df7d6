package hsm_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/meshfn/meshfn/hsm-tool/hsm"
)

// selfSignedRoot makes a CA certificate for signer, signed by signer.
func selfSignedRoot(t *testing.T, signer crypto.Signer, sigAlg x509.SignatureAlgorithm) *x509.Certificate {
	t.Helper()
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: "meshfn test root CA", Organization: []string{"meshfn"}},
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		SignatureAlgorithm:    sigAlg,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, signer.Public(), signer)
	if err != nil {
		t.Fatalf("CreateCertificate with the store signer: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("ParseCertificate: %v", err)
	}
	return cert
}

func TestCreateCertificateWithStoreSigner(t *testing.T) {
	cases := []struct {
		alg    hsm.KeyAlgorithm
		sigAlg x509.SignatureAlgorithm
	}{
		{hsm.ECDSAP256, x509.ECDSAWithSHA256},
		{hsm.ECDSAP384, x509.ECDSAWithSHA384},
		{hsm.RSA2048, x509.SHA256WithRSA},
		{hsm.RSA3072, x509.SHA384WithRSAPSS},
	}
	forEach(t, func(t *testing.T, s hsm.Store) {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%v", c.alg, c.sigAlg), func(t *testing.T) {
				signer, err := s.GenerateKeyPair("root-"+string(c.alg), c.alg)
				if err != nil {
					t.Fatalf("GenerateKeyPair: %v", err)
				}
				root := selfSignedRoot(t, signer, c.sigAlg)
				if root.SignatureAlgorithm != c.sigAlg {
					t.Fatalf("signature algorithm %v, want %v", root.SignatureAlgorithm, c.sigAlg)
				}
				if err := root.CheckSignatureFrom(root); err != nil {
					t.Fatalf("root does not verify: %v", err)
				}
				verifyLeaf(t, root, signer)
			})
		}
	})
}

// verifyLeaf issues a leaf under root with the store signer and verifies the
// chain with x509.Verify.
func verifyLeaf(t *testing.T, root *x509.Certificate, signer crypto.Signer) {
	t.Helper()
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "istiod.istio-system.svc"},
		DNSNames:     []string{"istiod.istio-system.svc"},
		NotBefore:    root.NotBefore,
		NotAfter:     root.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, root, leafKey.Public(), signer)
	if err != nil {
		t.Fatalf("CreateCertificate(leaf): %v", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(root)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "istiod.istio-system.svc"}); err != nil {
		t.Fatalf("leaf does not verify against the root: %v", err)
	}
}

func TestImportCertificateRoundTrip(t *testing.T) {
	forEach(t, func(t *testing.T, s hsm.Store) {
		signer, err := s.GenerateKeyPair("root", hsm.ECDSAP384)
		if err != nil {
			t.Fatalf("GenerateKeyPair: %v", err)
		}
		root := selfSignedRoot(t, signer, x509.ECDSAWithSHA384)
		// The certificate may share its key pair's label.
		if err := s.ImportCertificate("root", root); err != nil {
			t.Fatalf("ImportCertificate: %v", err)
		}
		got, err := s.Certificate("root")
		if err != nil {
			t.Fatalf("Certificate: %v", err)
		}
		if !got.Equal(root) {
			t.Fatal("Certificate returned a different certificate")
		}
		if err := s.ImportCertificate("root", root); !errors.Is(err, hsm.ErrExists) {
			t.Fatalf("second ImportCertificate = %v, want ErrExists", err)
		}
		if _, err := s.Certificate("missing"); !errors.Is(err, hsm.ErrNotFound) {
			t.Fatalf("Certificate(missing) = %v, want ErrNotFound", err)
		}
		if err := s.ImportCertificate("nil", nil); err == nil {
			t.Fatal("ImportCertificate accepted a nil certificate")
		}
		certObj := findObject(t, s, "root", "CKO_CERTIFICATE")
		keyObj := findObject(t, s, "root", "CKO_PRIVATE_KEY")
		if certObj.ID != keyObj.ID {
			t.Errorf("certificate CKA_ID %s, key pair CKA_ID %s; want equal", certObj.ID, keyObj.ID)
		}
		wantAttrs(t, certObj, map[string]bool{"CKA_TOKEN": true, "CKA_PRIVATE": false})
		if n := countLabel(t, s, "root"); n != 3 {
			t.Fatalf("%d objects labelled root, want 3", n)
		}
		// A certificate whose key is not in the store gets an id of its own.
		other := selfSignedRoot(t, mustSoftSigner(t), x509.ECDSAWithSHA256)
		if err := s.ImportCertificate("other", other); err != nil {
			t.Fatalf("ImportCertificate(other): %v", err)
		}
		if o := findObject(t, s, "other", "CKO_CERTIFICATE"); o.ID == "" || o.ID == keyObj.ID {
			t.Errorf("unrelated certificate CKA_ID = %q", o.ID)
		}
	})
}

// mustSoftSigner returns a throw-away signer outside the store under test.
func mustSoftSigner(t *testing.T) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestObjectsNeverExposeValues(t *testing.T) {
	// Object has no field that could carry key or certificate material.
	typ := reflect.TypeOf(hsm.Object{})
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		names := f.Name == "AllowedMechanisms" && f.Type == reflect.TypeOf([]string{}) // CKM_ names
		if f.Type != reflect.TypeOf("") && f.Type != reflect.TypeOf(map[string]bool{}) && !names {
			t.Errorf("Object.%s has type %v; only strings and boolean attribute maps are allowed", f.Name, f.Type)
		}
	}
	forEach(t, func(t *testing.T, s hsm.Store) {
		signer, err := s.GenerateKeyPair("root", hsm.ECDSAP256)
		if err != nil {
			t.Fatalf("GenerateKeyPair: %v", err)
		}
		if err := s.GenerateKEK("kek"); err != nil {
			t.Fatalf("GenerateKEK: %v", err)
		}
		root := selfSignedRoot(t, signer, x509.ECDSAWithSHA256)
		if err := s.ImportCertificate("root-cert", root); err != nil {
			t.Fatalf("ImportCertificate: %v", err)
		}
		objs, err := s.Objects()
		if err != nil {
			t.Fatalf("Objects: %v", err)
		}
		if len(objs) != 4 {
			t.Fatalf("Objects = %+v, want 4 objects", objs)
		}
		dump := fmt.Sprintf("%+v", objs)
		point, _ := signer.Public().(*ecdsa.PublicKey).Bytes()
		for name, secret := range map[string][]byte{"certificate DER": root.Raw, "public point": point} {
			h := hex.EncodeToString(secret)
			if strings.Contains(dump, h[:32]) || strings.Contains(dump, string(secret[:16])) {
				t.Errorf("Objects exposes the %s: %s", name, dump)
			}
		}
		for _, o := range objs {
			for name := range o.Attributes {
				if !strings.HasPrefix(name, "CKA_") {
					t.Errorf("attribute %q is not a CKA_ name", name)
				}
			}
		}
	})
}

// TestDestroyCertificate: DestroyCertificate removes the certificate this store
// imported under a label, and refuses one it did not import.
func TestDestroyCertificate(t *testing.T) {
	forEach(t, func(t *testing.T, s hsm.Store) {
		signer, err := s.GenerateKeyPair("doomed", hsm.ECDSAP256)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DestroyCertificate("doomed"); err == nil {
			t.Error("DestroyCertificate accepted a label with no imported certificate")
		}
		if err := s.ImportCertificate("doomed", selfSignedRoot(t, signer, x509.ECDSAWithSHA256)); err != nil {
			t.Fatal(err)
		}
		if err := s.DestroyCertificate("doomed"); err != nil {
			t.Fatalf("DestroyCertificate: %v", err)
		}
		if _, err := s.Certificate("doomed"); !errors.Is(err, hsm.ErrNotFound) {
			t.Errorf("the destroyed certificate is still there: %v", err)
		}
		if _, err := s.Signer("doomed"); err != nil {
			t.Errorf("the key pair went with the certificate: %v", err)
		}
		if err := s.DestroyCertificate("doomed"); err == nil {
			t.Error("DestroyCertificate destroyed twice")
		}
	})
}

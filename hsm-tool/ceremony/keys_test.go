package ceremony

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/ca"
	"github.com/meshfn/meshfn/hsm-tool/hsm"
	"github.com/meshfn/meshfn/internal/cabundle"
)

// TestKeyMaterialNeverReachesABundle: bundle export and verify refuse certificate files
// holding private key material however it is written, and bundle export refuses a key
// given as a field; the error names the file or field, never the key, and no bundle is
// written. (Before, a lower-case PEM key or one line of base64 after the certificates
// was "text after PEM block", and a base64 key as --ca-key-remote-key went into the
// bundle.)
func TestKeyMaterialNeverReachesABundle(t *testing.T) {
	ctx := context.Background()
	store := hsm.NewSoftStore()
	f := newFixture(t, store, nil)
	if _, err := f.c.CreateRoot(ctx, RootRequest{Label: "root", Algorithm: hsm.ECDSAP256, Out: f.path("root.pem")}); err != nil {
		t.Fatal(err)
	}
	dir := f.path("c1")
	if _, err := f.c.SignCSR(ctx, SignRequest{CSR: f.writeCSR(t, "istiod.csr", ca.DefaultIstiodDNSSAN), Cluster: "c1", RootLabel: "root", OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(der)
	chain, err := os.ReadFile(filepath.Join(dir, CertChainFile))
	if err != nil {
		t.Fatal(err)
	}
	pkg := f.path("pkg")
	request := func(chainFile string) BundleRequest {
		return BundleRequest{Cluster: "c1", Namespace: "istio-system", Flow: "hsm-plugin", Package: pkg,
			CACert: filepath.Join(dir, CACertFile), CertChain: chainFile, RootCert: filepath.Join(dir, RootCertFile)}
	}
	for name, extra := range map[string]string{
		"a lower-case PEM key":  "-----begin private key-----\n" + b64 + "\n-----end private key-----\n",
		"one line of base64":    b64 + "\n",
		"base64 in two pieces":  b64[:50] + "\n" + b64[50:] + "\n",
		"the PEM key in base64": base64.StdEncoding.EncodeToString([]byte("-----BEGIN PRIVATE KEY-----\n"+b64+"\n")) + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			file := f.path(strings.ReplaceAll(name, " ", "-") + ".pem")
			if err := os.WriteFile(file, append(append([]byte(nil), chain...), extra...), 0o644); err != nil {
				t.Fatal(err)
			}
			_, exportErr := f.c.ExportBundle(ctx, request(file))
			verifyErr := f.c.Verify(ctx, file, "root")
			for step, err := range map[string]error{"bundle export": exportErr, "verify": verifyErr} {
				if err == nil || !strings.Contains(err.Error(), "private key material") || !strings.Contains(err.Error(), file) {
					t.Errorf("%s: %v", step, err)
				}
				if err != nil && strings.Contains(err.Error(), b64[10:40]) {
					t.Errorf("%s prints the key: %v", step, err)
				}
			}
			if _, err := os.Stat(filepath.Join(pkg, "cabundle-c1.yaml")); err == nil {
				t.Error("the bundle was written")
			}
		})
	}
	r := request(filepath.Join(dir, CertChainFile))
	r.Flow = cabundle.FlowPluggedIn
	r.CAKey = &cabundle.CAKey{ExternalSecret: &cabundle.ExternalSecretRef{
		SecretStoreRef: cabundle.SecretStoreRef{Name: "vault"}, RemoteRef: cabundle.RemoteRef{Key: b64}}}
	_, err = f.c.ExportBundle(ctx, r)
	if err == nil || !strings.Contains(err.Error(), "spec.caKey.externalSecret.remoteRef.key: holds private key material") || strings.Contains(err.Error(), b64[10:40]) {
		t.Errorf("a key as the remote key's name: %v", err)
	}
	if _, err := os.Stat(filepath.Join(pkg, "cabundle-c1.yaml")); err == nil {
		t.Error("the bundle was written")
	}
}

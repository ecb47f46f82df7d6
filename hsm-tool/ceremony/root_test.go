package ceremony

import (
	"context"
	"crypto/x509"
	"os"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/hsm"
	"github.com/meshfn/meshfn/hsm-tool/hsm/hsmtest"
)

// blockAfterImport is a token on which, once the certificate is stored, something takes
// the place of the certificate file: the write fails after every token step succeeded.
type blockAfterImport struct {
	hsm.Store
	out string
}

func (b blockAfterImport) ImportCertificate(label string, cert *x509.Certificate) error {
	if err := b.Store.ImportCertificate(label, cert); err != nil {
		return err
	}
	return os.Mkdir(b.out, 0o755)
}

// TestCreateRootRemovesWhatItCreated: on a SoftHSM2 token, a root create whose
// certificate file cannot be written at the end removes the key pair and the
// certificate it created, so the retry succeeds. (Before, they stayed and the retry
// failed with "already exists", contrary to CreateRoot's doc comment.)
func TestCreateRootRemovesWhatItCreated(t *testing.T) {
	module, _ := hsmtest.NewToken(t, "root", "so-pin-1", "user-pin-1")
	tok, err := hsm.Open(hsm.Config{Module: module, TokenLabel: "root", PIN: []byte("user-pin-1")})
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	f := newFixture(t, blockAfterImport{tok, ""}, nil)
	out := f.path("root.pem")
	f.store = blockAfterImport{tok, out}
	ctx := context.Background()
	_, err = f.c.CreateRoot(ctx, RootRequest{Label: "mesh-root", Algorithm: hsm.ECDSAP256, Out: out})
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("CreateRoot with its output taken: %v", err)
	}
	objects, err := tok.Objects()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objects {
		t.Errorf("left on the token: %s %q", o.Class, o.Label)
	}
	if err := os.Remove(out); err != nil {
		t.Fatal(err)
	}
	f.store = tok
	if _, err := f.c.CreateRoot(ctx, RootRequest{Label: "mesh-root", Algorithm: hsm.ECDSAP256, Out: out}); err != nil {
		t.Errorf("the retry: %v", err)
	}
}

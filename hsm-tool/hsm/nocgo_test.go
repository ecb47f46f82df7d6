//go:build !cgo

package hsm_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/hsm"
)

func TestOpenWithoutCgo(t *testing.T) {
	pin := []byte("1234")
	_, err := hsm.Open(hsm.Config{Module: "/usr/lib/softhsm/libsofthsm2.so", TokenLabel: "x", PIN: pin})
	if !errors.Is(err, hsm.ErrNoPKCS11) {
		t.Fatalf("Open = %v, want ErrNoPKCS11", err)
	}
	if err.Error() != "hsm-tool was built without PKCS#11 support (CGO_ENABLED=0)" {
		t.Fatalf("message = %q", err)
	}
	if !bytes.Equal(pin, make([]byte, 4)) {
		t.Fatal("Open did not zero the PIN")
	}
}

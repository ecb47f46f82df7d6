//go:build cgo

package hsm

import (
	"errors"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/hsm/hsmtest"
	"github.com/miekg/pkcs11"
)

func TestOpenLogsInExactlyOnce(t *testing.T) {
	module, _ := hsmtest.NewToken(t, "once", "so-pin-1", "user-pin-1")
	calls := 0
	real := loginUser
	loginUser = func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle, pin []byte) error {
		calls++
		return real(ctx, sh, pin)
	}
	t.Cleanup(func() { loginUser = real })

	_, err := Open(Config{Module: module, TokenLabel: "once", PIN: []byte("not-the-pin")})
	if !errors.Is(err, ErrPINIncorrect) {
		t.Fatalf("Open = %v, want ErrPINIncorrect", err)
	}
	if calls != 1 {
		t.Fatalf("C_Login called %d times for a wrong PIN, want exactly 1", calls)
	}
	if len(modules.byPath) != 0 {
		t.Fatalf("a failed Open left modules loaded: %v", modules.byPath)
	}
}

func TestLoginErrorMapping(t *testing.T) {
	cases := []struct {
		rv    uint
		flags uint
		is    error
		want  string
	}{
		{pkcs11.CKR_PIN_INCORRECT, 0, ErrPINIncorrect, "CKR_PIN_INCORRECT"},
		{pkcs11.CKR_PIN_INCORRECT, pkcs11.CKF_USER_PIN_FINAL_TRY, ErrPINIncorrect, "one try left"},
		{pkcs11.CKR_PIN_INCORRECT, pkcs11.CKF_USER_PIN_COUNT_LOW, ErrPINIncorrect, "few tries left"},
		{pkcs11.CKR_PIN_LOCKED, 0, ErrPINLocked, "CKR_PIN_LOCKED"},
		{pkcs11.CKR_USER_ALREADY_LOGGED_IN, 0, nil, "another session"},
		{pkcs11.CKR_DEVICE_ERROR, 0, pkcs11.Error(pkcs11.CKR_DEVICE_ERROR), "CKR_DEVICE_ERROR"},
	}
	for _, c := range cases {
		err := loginError("root", pkcs11.Error(c.rv), c.flags)
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("0x%X: %v is not %v", c.rv, err, c.is)
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), `"root"`) {
			t.Errorf("0x%X: %q lacks %q or the token label", c.rv, err, c.want)
		}
	}
}

func TestPoliciesUseKnownAttributes(t *testing.T) {
	for _, p := range [][]boolAttr{kekPolicy, privateKeyPolicy, publicKeyPolicy, certificatePolicy, generatedKeyAttrs} {
		for _, a := range p {
			if _, ok := boolAttrTypes[a.name]; !ok {
				t.Errorf("policy attribute %s is not in boolAttrTypes", a.name)
			}
		}
	}
}

func TestNames(t *testing.T) {
	cases := map[string]string{
		mechanismName(pkcs11.CKM_AES_GCM): "CKM_AES_GCM",
		mechanismName(0x7777):             "CKM_0x00007777",
		mechanismName(0x80000001):         "CKM_VENDOR_DEFINED+0x1",
		className(pkcs11.CKO_PRIVATE_KEY): "CKO_PRIVATE_KEY",
		keyTypeName(pkcs11.CKK_EC):        "CKK_EC",
		keyTypeName(0x99):                 "CKK_0x00000099",
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}

//go:build cgo

package hsm_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/hsm"
	"github.com/meshfn/meshfn/hsm-tool/hsm/hsmtest"
)

// mustOpen opens cfg and registers Close.
func mustOpen(t *testing.T, cfg hsm.Config) *hsm.Token {
	t.Helper()
	tok, err := hsm.Open(cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = tok.Close() })
	return tok
}

// slotOf returns the slot id of the token labelled label, via Info.
func slotOf(t *testing.T, tok *hsm.Token, label string) uint {
	t.Helper()
	info, err := tok.Info()
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	for _, s := range info.Slots {
		if s.TokenLabel == label {
			return s.ID
		}
	}
	t.Fatalf("no slot holds %q: %+v", label, info.Slots)
	return 0
}

func TestOpenByLabelAndInfo(t *testing.T) {
	module, _ := hsmtest.NewToken(t, testLabel, testSOPIN, testPIN)
	pin := []byte(testPIN)
	tok := mustOpen(t, hsm.Config{Module: module, TokenLabel: testLabel, PIN: pin})
	info, err := tok.Info()
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	if !strings.Contains(info.ModuleManufacturer, "SoftHSM") || info.LibraryVersion == "" {
		t.Errorf("module info = %+v", info)
	}
	slot := info.Slots[slices.IndexFunc(info.Slots, func(s hsm.SlotInfo) bool { return s.TokenLabel == testLabel })]
	if slot.TokenSerial == "" || slot.TokenModel == "" {
		t.Errorf("slot = %+v, want token model and serial", slot)
	}
	for _, m := range []string{"CKM_AES_GCM", "CKM_AES_KEY_GEN", "CKM_ECDSA", "CKM_EC_KEY_PAIR_GEN",
		"CKM_RSA_PKCS", "CKM_RSA_PKCS_PSS", "CKM_RSA_PKCS_KEY_PAIR_GEN"} {
		if !slices.Contains(slot.Mechanisms, m) {
			t.Errorf("mechanisms lack %s: %v", m, slot.Mechanisms)
		}
	}
	if err := tok.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if !bytes.Equal(pin, make([]byte, len(pin))) {
		t.Error("Close did not zero the PIN")
	}
	if err := tok.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := tok.Objects(); err == nil {
		t.Fatal("Objects worked after Close")
	}
}

func TestOpenBySlot(t *testing.T) {
	module, _ := hsmtest.NewToken(t, testLabel, testSOPIN, testPIN)
	tok := mustOpen(t, hsm.Config{Module: module, TokenLabel: testLabel, PIN: []byte(testPIN)})
	slot := slotOf(t, tok, testLabel)
	if err := tok.GenerateKEK("kek"); err != nil {
		t.Fatalf("GenerateKEK: %v", err)
	}
	if err := tok.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	bySlot := mustOpen(t, hsm.Config{Module: module, Slot: &slot, PIN: []byte(testPIN)})
	if _, err := bySlot.KEK("kek"); err != nil {
		t.Fatalf("KEK on the token opened by slot: %v", err)
	}
	missing := slot + 1
	_, err := hsm.Open(hsm.Config{Module: module, Slot: &missing, PIN: []byte(testPIN)})
	if !errors.Is(err, hsm.ErrTokenNotFound) || !strings.Contains(err.Error(), testLabel) {
		t.Fatalf("Open(slot %d) = %v, want ErrTokenNotFound naming %q", missing, err, testLabel)
	}
}

func TestOpenRejectsLabelAndSlot(t *testing.T) {
	slot := uint(0)
	pin := []byte(testPIN)
	_, err := hsm.Open(hsm.Config{Module: hsmtest.Module, TokenLabel: testLabel, Slot: &slot, PIN: pin})
	if err == nil || !strings.Contains(err.Error(), "TokenLabel") || !strings.Contains(err.Error(), "Slot") {
		t.Fatalf("Open with label and slot = %v, want an error naming both", err)
	}
	if !bytes.Equal(pin, make([]byte, len(pin))) {
		t.Error("a failed Open did not zero the PIN")
	}
}

func TestOpenUnknownLabelListsTokens(t *testing.T) {
	module, _ := hsmtest.NewToken(t, testLabel, testSOPIN, testPIN)
	hsmtest.InitToken(t, otherLabel, testSOPIN, testPIN)
	_, err := hsm.Open(hsm.Config{Module: module, TokenLabel: "no-such-token", PIN: []byte(testPIN)})
	if !errors.Is(err, hsm.ErrTokenNotFound) {
		t.Fatalf("Open = %v, want ErrTokenNotFound", err)
	}
	for _, want := range []string{"no-such-token", testLabel, otherLabel} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	// Both tokens stay reachable by label.
	for _, label := range []string{testLabel, otherLabel} {
		tok := mustOpen(t, hsm.Config{Module: module, TokenLabel: label, PIN: []byte(testPIN)})
		if err := tok.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenWrongPIN(t *testing.T) {
	module, _ := hsmtest.NewToken(t, testLabel, testSOPIN, testPIN)
	pin := []byte(wrongPIN)
	_, err := hsm.Open(hsm.Config{Module: module, TokenLabel: testLabel, PIN: pin})
	if !errors.Is(err, hsm.ErrPINIncorrect) {
		t.Fatalf("Open with a wrong PIN = %v, want ErrPINIncorrect", err)
	}
	for _, secret := range []string{wrongPIN, testPIN, testSOPIN} {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("error %q contains a PIN", err)
		}
	}
	if !bytes.Equal(pin, make([]byte, len(pin))) {
		t.Error("a failed Open did not zero the PIN")
	}
	// The right PIN still works: nothing retried the wrong one into a lock.
	tok := mustOpen(t, hsm.Config{Module: module, TokenLabel: testLabel, PIN: []byte(testPIN)})
	if _, err := tok.Objects(); err != nil {
		t.Fatalf("Objects: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	module, _ := hsmtest.NewToken(t, testLabel, testSOPIN, testPIN)
	if _, err := hsm.Open(hsm.Config{Module: "/nonexistent/libp11.so", TokenLabel: testLabel, PIN: []byte(testPIN)}); err == nil {
		t.Error("Open accepted a missing module")
	}
	if _, err := hsm.Open(hsm.Config{Module: module, TokenLabel: testLabel}); err == nil {
		t.Error("Open accepted an empty PIN")
	}
	tok := mustOpen(t, hsm.Config{Module: module, TokenLabel: testLabel, PIN: []byte(testPIN)})
	// A second login to the same token from this process is refused rather
	// than silently accepted without checking its PIN.
	if second, err := hsm.Open(hsm.Config{Module: module, TokenLabel: testLabel, PIN: []byte(wrongPIN)}); err == nil {
		_ = second.Close()
		t.Fatal("a second Open of a logged-in token succeeded")
	}
	if _, err := tok.Objects(); err != nil {
		t.Fatalf("the first session broke: %v", err)
	}
}

func TestObjectsPersistAcrossSessions(t *testing.T) {
	module, _ := hsmtest.NewToken(t, testLabel, testSOPIN, testPIN)
	cfg := func() hsm.Config { return hsm.Config{Module: module, TokenLabel: testLabel, PIN: []byte(testPIN)} }
	tok := mustOpen(t, cfg())
	signer, err := tok.GenerateKeyPair("root", hsm.ECDSAP384)
	if err != nil {
		t.Fatalf("GenerateKeyPair: %v", err)
	}
	if err := tok.GenerateKEK("kek"); err != nil {
		t.Fatalf("GenerateKEK: %v", err)
	}
	aead, _ := tok.KEK("kek")
	nonce := randomBytes(t, 12)
	ct, err := aead.Seal(nonce, []byte("backup"), nil)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if err := tok.Close(); err != nil {
		t.Fatal(err)
	}
	tok = mustOpen(t, cfg())
	reloaded, err := tok.Signer("root")
	if err != nil {
		t.Fatalf("Signer after reopening: %v", err)
	}
	if !reloaded.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(signer.Public()) {
		t.Fatal("reloaded key differs")
	}
	aead, err = tok.KEK("kek")
	if err != nil {
		t.Fatalf("KEK after reopening: %v", err)
	}
	if pt, err := aead.Open(nonce, ct, nil); err != nil || string(pt) != "backup" {
		t.Fatalf("Open after reopening = %q, %v", pt, err)
	}
}

func TestTokenConcurrentUse(t *testing.T) {
	tok := openTestToken(t)
	signer, err := tok.GenerateKeyPair("root", hsm.ECDSAP256)
	if err != nil {
		t.Fatalf("GenerateKeyPair: %v", err)
	}
	if err := tok.GenerateKEK("kek"); err != nil {
		t.Fatalf("GenerateKEK: %v", err)
	}
	aead, err := tok.KEK("kek")
	if err != nil {
		t.Fatalf("KEK: %v", err)
	}
	digest := digestOf(crypto.SHA256, []byte("m"))
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 8; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			sig, err := signer.Sign(rand.Reader, digest, crypto.SHA256)
			if err == nil && !ecdsa.VerifyASN1(signer.Public().(*ecdsa.PublicKey), digest, sig) {
				err = errors.New("signature does not verify")
			}
			errs <- err
		}()
		go func() {
			defer wg.Done()
			nonce := make([]byte, 12)
			_, _ = rand.Read(nonce)
			ct, err := aead.Seal(nonce, []byte("x"), nil)
			if err == nil {
				_, err = aead.Open(nonce, ct, nil)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

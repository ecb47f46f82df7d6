//go:build cgo

package hsm

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"github.com/miekg/pkcs11"
)

// Token is a logged-in read-write session on one PKCS#11 token. Its methods
// are safe for concurrent use; they are serialized on the session. Signers
// and AEADs it returns stay usable until Close.
type Token struct {
	mu      sync.Mutex
	mod     *module
	ctx     *pkcs11.Ctx
	session pkcs11.SessionHandle
	slot    uint
	label   string
	lock    string // the lock file serializing changes to this token
	pin     []byte
	closed  bool
	// imported are the certificate objects ImportCertificate created, by label,
	// for DestroyCertificate.
	imported map[string]pkcs11.ObjectHandle
}

var _ Store = (*Token)(nil)

// loginUser performs C_Login as CKU_USER. It is a variable so tests can
// observe that Open logs in exactly once.
//
// The PIN reaches C_Login through a string that aliases pin (no Go copy to
// leak); github.com/miekg/pkcs11 copies it into C memory it frees, but does
// not wipe, after the call.
var loginUser = func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle, pin []byte) error {
	return ctx.Login(sh, pkcs11.CKU_USER, unsafe.String(unsafe.SliceData(pin), len(pin)))
}

// Open loads cfg.Module, selects the token by cfg.TokenLabel or cfg.Slot,
// opens a read-write session and logs in as the user with cfg.PIN.
//
// Login is attempted exactly once: a wrong PIN fails with ErrPINIncorrect and
// a locked one with ErrPINLocked. A missing token fails with ErrTokenNotFound,
// naming the tokens that are present. Open takes ownership of cfg.PIN and
// zeroes it on failure; on success Close zeroes it.
func Open(cfg Config) (tok *Token, err error) {
	defer func() {
		if err != nil {
			clear(cfg.PIN)
		}
	}()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	mod, err := acquireModule(cfg.Module)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = mod.release()
		}
	}()
	slot, label, err := selectSlot(mod.ctx, cfg)
	if err != nil {
		return nil, err
	}
	sh, err := mod.ctx.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
	if err != nil {
		return nil, fmt.Errorf("failed to open a read-write session on token %q: %w", label, err)
	}
	ti, err := mod.ctx.GetTokenInfo(slot)
	if err != nil {
		_ = mod.ctx.CloseSession(sh)
		return nil, fmt.Errorf("failed to read token %q: %w", label, err)
	}
	if err := login(mod.ctx, sh, slot, label, cfg.PIN); err != nil {
		_ = mod.ctx.CloseSession(sh)
		return nil, err
	}
	lock := lockPath(cfg.LockDir, ti.ManufacturerID, ti.Model, ti.SerialNumber)
	return &Token{mod: mod, ctx: mod.ctx, session: sh, slot: slot, label: label, lock: lock, pin: cfg.PIN}, nil
}

// Close logs out, closes the session, releases the module and zeroes the PIN.
// Calling it again does nothing.
func (t *Token) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	clear(t.pin)
	t.pin = nil
	var errs []error
	if err := t.ctx.Logout(t.session); err != nil && !isCKR(err, pkcs11.CKR_USER_NOT_LOGGED_IN) {
		errs = append(errs, fmt.Errorf("failed to log out of token %q: %w", t.label, err))
	}
	if err := t.ctx.CloseSession(t.session); err != nil {
		errs = append(errs, fmt.Errorf("failed to close the session on token %q: %w", t.label, err))
	}
	if err := t.mod.release(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// do runs f on the session while holding the token's lock.
func (t *Token) do(f func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return fmt.Errorf("token %q is closed", t.label)
	}
	return f(t.ctx, t.session)
}

// change runs f like do, holding the token's lock file as well: every operation
// that creates or destroys objects goes through it, so that hsm-tool processes
// change a token one at a time.
func (t *Token) change(f func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error) error {
	return t.do(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		release, err := lockFile(t.lock)
		if err != nil {
			return err
		}
		defer release()
		return f(ctx, sh)
	})
}

// presentToken is a slot holding a token, for selection and error messages.
type presentToken struct {
	slot  uint
	label string
}

// selectSlot finds the slot of the token cfg names. Several tokens with the
// requested label are an error: a ceremony must not pick one at random.
func selectSlot(ctx *pkcs11.Ctx, cfg Config) (uint, string, error) {
	ids, err := ctx.GetSlotList(true)
	if err != nil {
		return 0, "", fmt.Errorf("failed to list slots: %w", err)
	}
	present := make([]presentToken, 0, len(ids))
	for _, id := range ids {
		ti, err := ctx.GetTokenInfo(id)
		if err != nil {
			return 0, "", fmt.Errorf("failed to read the token in slot %d: %w", id, err)
		}
		present = append(present, presentToken{slot: id, label: ti.Label})
	}
	var matches []presentToken
	for _, p := range present {
		if (cfg.Slot != nil && p.slot == *cfg.Slot) || (cfg.Slot == nil && p.label == cfg.TokenLabel) {
			matches = append(matches, p)
		}
	}
	switch {
	case len(matches) == 1:
		return matches[0].slot, matches[0].label, nil
	case len(matches) > 1:
		return 0, "", fmt.Errorf("failed to select token: %d tokens are labelled %q (%s); select one by slot",
			len(matches), cfg.TokenLabel, describeTokens(matches))
	case cfg.Slot != nil:
		return 0, "", fmt.Errorf("%w: no token in slot %d; tokens present: %s",
			ErrTokenNotFound, *cfg.Slot, describeTokens(present))
	default:
		return 0, "", fmt.Errorf("%w: no token labelled %q; tokens present: %s",
			ErrTokenNotFound, cfg.TokenLabel, describeTokens(present))
	}
}

// describeTokens renders tokens as `"label" (slot N), ...`.
func describeTokens(tokens []presentToken) string {
	if len(tokens) == 0 {
		return "none"
	}
	parts := make([]string, len(tokens))
	for i, p := range tokens {
		parts[i] = fmt.Sprintf("%q (slot %d)", p.label, p.slot)
	}
	return strings.Join(parts, ", ")
}

// login checks the token's PIN state, then calls C_Login once. It never
// retries: each failed attempt brings a real token closer to locking.
func login(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle, slot uint, label string, pin []byte) error {
	ti, err := ctx.GetTokenInfo(slot)
	if err != nil {
		return fmt.Errorf("failed to read token %q: %w", label, err)
	}
	switch {
	case ti.Flags&pkcs11.CKF_TOKEN_INITIALIZED == 0:
		return fmt.Errorf("failed to log in to token %q: the token is not initialized", label)
	case ti.Flags&pkcs11.CKF_USER_PIN_INITIALIZED == 0:
		return fmt.Errorf("failed to log in to token %q: the user PIN is not initialized", label)
	case ti.Flags&pkcs11.CKF_USER_PIN_LOCKED != 0:
		return fmt.Errorf("failed to log in to token %q: %w", label, ErrPINLocked)
	}
	err = loginUser(ctx, sh, pin)
	if err == nil {
		return nil
	}
	var flags uint
	if after, ierr := ctx.GetTokenInfo(slot); ierr == nil {
		flags = after.Flags
	}
	return loginError(label, err, flags)
}

// loginError maps a C_Login failure to the package's errors. flags are the
// token flags read after the failure, for a warning about remaining tries.
// The PIN is never part of the message.
func loginError(label string, err error, flags uint) error {
	switch {
	case isCKR(err, pkcs11.CKR_PIN_INCORRECT):
		hint := ""
		switch {
		case flags&pkcs11.CKF_USER_PIN_LOCKED != 0:
			hint = "; the token now reports the PIN locked"
		case flags&pkcs11.CKF_USER_PIN_FINAL_TRY != 0:
			hint = "; WARNING: the token reports one try left before it locks"
		case flags&pkcs11.CKF_USER_PIN_COUNT_LOW != 0:
			hint = "; WARNING: the token reports few tries left before it locks"
		}
		return fmt.Errorf("failed to log in to token %q: %w%s", label, ErrPINIncorrect, hint)
	case isCKR(err, pkcs11.CKR_PIN_LOCKED):
		return fmt.Errorf("failed to log in to token %q: %w", label, ErrPINLocked)
	case isCKR(err, pkcs11.CKR_USER_ALREADY_LOGGED_IN):
		return fmt.Errorf("failed to log in to token %q: another session of this process is logged in; close it first", label)
	}
	return fmt.Errorf("failed to log in to token %q: %w", label, err)
}

// isCKR reports whether err is the PKCS#11 return value rv.
func isCKR(err error, rv uint) bool {
	var e pkcs11.Error
	return errors.As(err, &e) && uint(e) == rv
}

package hsm

import "errors"

// Sentinel errors. Functions wrap them with context, so compare with errors.Is.
var (
	// ErrPINIncorrect means the token rejected the user PIN
	// (CKR_PIN_INCORRECT). Open never retries a login: every wrong attempt
	// counts towards the token's lockout.
	ErrPINIncorrect = errors.New("user PIN incorrect (CKR_PIN_INCORRECT)")

	// ErrPINLocked means the user PIN is locked (CKR_PIN_LOCKED); only the
	// security officer can unlock it.
	ErrPINLocked = errors.New("user PIN locked (CKR_PIN_LOCKED)")

	// ErrTokenNotFound means no token matched Config.TokenLabel or Config.Slot.
	ErrTokenNotFound = errors.New("token not found")

	// ErrNotFound means no object with the requested label and kind exists.
	ErrNotFound = errors.New("object not found")

	// ErrExists means an object with the label already exists; nothing was
	// created.
	ErrExists = errors.New("object already exists")

	// ErrDecrypt means AEAD.Open failed to authenticate the ciphertext: it was
	// tampered with, or the nonce, additional data or key are wrong.
	ErrDecrypt = errors.New("message authentication failed")

	// ErrNoPKCS11 is returned by Open in binaries built without cgo.
	ErrNoPKCS11 = errors.New("hsm-tool was built without PKCS#11 support (CGO_ENABLED=0)")
)

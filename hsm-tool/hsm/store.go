package hsm

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
)

// Store is the set of HSM operations hsm-tool uses. *Token implements it over
// PKCS#11; *SoftStore implements it in memory for tests.
//
// Labels identify objects. GenerateKEK and GenerateKeyPair refuse a label used
// by any object; ImportCertificate refuses a label used by another
// certificate (a certificate may share the label of its key pair, as PKCS#11
// tools expect). Lookups fail with ErrNotFound when nothing matches.
//
// Operations that create or destroy objects are serialized across processes
// (Token holds a lock file per token while it changes it) and check after
// creating that their object is the only one with its label, so that of
// concurrent ceremonies creating the same label exactly one wins and the
// others change nothing.
type Store interface {
	// Info describes the module, its slots, tokens and mechanisms.
	Info() (Info, error)
	// Objects lists the objects visible to the logged-in user. It reports
	// labels, ids, kinds and boolean attributes, never key or certificate
	// values.
	Objects() ([]Object, error)
	// GenerateKEK creates an AES-256 key-encryption key usable only for
	// AES-GCM encryption and decryption.
	GenerateKEK(label string) error
	// KEK returns AES-256-GCM with the key-encryption key labelled label.
	KEK(label string) (AEAD, error)
	// GenerateKeyPair creates a signing key pair and returns its signer.
	GenerateKeyPair(label string, alg KeyAlgorithm) (crypto.Signer, error)
	// Signer returns the signer of the key pair labelled label.
	Signer(label string) (crypto.Signer, error)
	// ImportCertificate stores cert under label.
	ImportCertificate(label string, cert *x509.Certificate) error
	// Certificate returns the certificate labelled label.
	Certificate(label string) (*x509.Certificate, error)
	// DestroyKeyPair destroys the private and public key objects that
	// GenerateKeyPair created for signer in this Store, by handle: how a ceremony
	// step that failed half-way cleans up. Objects another process created, even
	// under the same label, are never touched. Any other signer is refused.
	DestroyKeyPair(signer crypto.Signer) error
	// DestroyCertificate destroys, by handle, the certificate object that
	// ImportCertificate created under label in this Store: how a ceremony step
	// that failed after storing a certificate cleans up. A certificate this
	// Store did not import (another process's, or one found by label) is never
	// touched and the call fails.
	DestroyCertificate(label string) error
}

// AEAD is AES-256-GCM computed by the store with a key it holds: 12-byte
// nonces, 16-byte tags, and Seal's output is ciphertext||tag like Go's
// cipher.AEAD. Callers must never reuse a nonce with the same key: draw
// nonces from crypto/rand and rotate the key well before 2^32 messages.
type AEAD interface {
	// NonceSize is the nonce length Seal and Open require (12).
	NonceSize() int
	// Overhead is the tag length added by Seal (16).
	Overhead() int
	// Seal encrypts and authenticates plaintext and additionalData.
	Seal(nonce, plaintext, additionalData []byte) ([]byte, error)
	// Open authenticates and decrypts ciphertext; it fails with ErrDecrypt
	// when the ciphertext, nonce or additional data do not match.
	Open(nonce, ciphertext, additionalData []byte) ([]byte, error)
}

// GCM parameters shared by both implementations.
const (
	gcmNonceSize = 12
	gcmTagSize   = 16
	kekKeyBytes  = 32
)

// Config selects a PKCS#11 module and token and carries the user PIN.
type Config struct {
	// Module is the path of the PKCS#11 module (hsm-tool reads it from P11_LIB).
	Module string
	// TokenLabel selects the token by label (preferred: slot ids can change).
	TokenLabel string
	// Slot selects the token by slot id. Setting both TokenLabel and Slot is
	// an error.
	Slot *uint
	// PIN is the user PIN. It is never logged nor put in errors. Open takes
	// ownership of the slice: it is zeroed when Open fails and by Close.
	PIN []byte
	// LockDir is the folder of the lock files that serialize changes to a token
	// across processes; empty means DefaultLockDir(). Every process that changes
	// the token must use the same folder.
	LockDir string
}

// validate checks the Config without touching the module.
func (c Config) validate() error {
	var problems []string
	if strings.TrimSpace(c.Module) == "" {
		problems = append(problems, "Config.Module (the PKCS#11 module path, P11_LIB) is empty")
	}
	switch {
	case c.TokenLabel != "" && c.Slot != nil:
		problems = append(problems, fmt.Sprintf(
			"both Config.TokenLabel (%q) and Config.Slot (%d) are set; select the token by one of them",
			c.TokenLabel, *c.Slot))
	case c.TokenLabel == "" && c.Slot == nil:
		problems = append(problems, "neither Config.TokenLabel nor Config.Slot is set")
	}
	if len(c.PIN) == 0 {
		problems = append(problems, "Config.PIN is empty")
	}
	if len(problems) > 0 {
		return fmt.Errorf("invalid HSM configuration: %s", strings.Join(problems, "; "))
	}
	return nil
}

// Info describes a PKCS#11 module and its slots.
type Info struct {
	ModuleManufacturer string
	ModuleDescription  string
	LibraryVersion     string // "major.minor"
	Slots              []SlotInfo
}

// SlotInfo describes one slot and the token in it (token fields are empty when
// the slot holds no token).
type SlotInfo struct {
	ID          uint
	Description string
	TokenLabel  string
	TokenModel  string
	TokenSerial string
	// Mechanisms are CKM_ names (CKM_0x... for ones this package does not
	// name), sorted.
	Mechanisms []string
}

// Object describes an object on the token. It deliberately has no field that
// could carry key or certificate material.
type Object struct {
	Label   string
	ID      string // CKA_ID, hex
	Class   string // CKO_ name, e.g. CKO_PRIVATE_KEY
	KeyType string // CKK_ name for keys, e.g. CKK_EC; empty otherwise
	// Attributes holds the boolean attributes the object has, by CKA_ name
	// (CKA_SENSITIVE, CKA_EXTRACTABLE, CKA_SIGN, CKA_DECRYPT, ...).
	Attributes map[string]bool
	// AllowedMechanisms is CKA_ALLOWED_MECHANISMS by CKM_ name; empty when the
	// object has none (any mechanism its usage flags permit).
	AllowedMechanisms []string
}

// KeyAlgorithm names a signing key type GenerateKeyPair can create.
type KeyAlgorithm string

// The key algorithms GenerateKeyPair supports.
const (
	ECDSAP256 KeyAlgorithm = "ecdsa-p256"
	ECDSAP384 KeyAlgorithm = "ecdsa-p384"
	RSA2048   KeyAlgorithm = "rsa-2048"
	RSA3072   KeyAlgorithm = "rsa-3072"
	RSA4096   KeyAlgorithm = "rsa-4096"
)

// KeyAlgorithms lists the supported key algorithms.
func KeyAlgorithms() []KeyAlgorithm {
	return []KeyAlgorithm{ECDSAP256, ECDSAP384, RSA2048, RSA3072, RSA4096}
}

// rsaBits returns the modulus size of an RSA algorithm, or 0 for ECDSA.
func (a KeyAlgorithm) rsaBits() int {
	switch a {
	case RSA2048:
		return 2048
	case RSA3072:
		return 3072
	case RSA4096:
		return 4096
	}
	return 0
}

// validate reports whether a is supported.
func (a KeyAlgorithm) validate() error {
	for _, k := range KeyAlgorithms() {
		if a == k {
			return nil
		}
	}
	return fmt.Errorf("unsupported key algorithm %q (supported: %v)", string(a), KeyAlgorithms())
}

// checkLabel rejects labels that cannot identify an object.
func checkLabel(label string) error {
	if label == "" {
		return errors.New("label is empty")
	}
	return nil
}

package hsm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync"
)

// SoftStore is an in-memory Store: a TEST DOUBLE for unit tests of code that
// depends on Store. Its keys live in ordinary process memory, are generated
// with Go's crypto packages and vanish with the process. It offers none of an
// HSM's protection and must never hold real CA keys.
//
// It mirrors Token's behaviour: the same label rules and ErrExists/ErrNotFound
// refusals, the same attribute policies reported by Objects, the same AES-GCM
// AEAD contract and the same accepted signing options.
type SoftStore struct {
	mu      sync.Mutex
	objects []*softObject
	// imported are the certificates ImportCertificate created, by label.
	imported map[string]*softObject
}

// softObject is one object of a SoftStore.
type softObject struct {
	label   string
	id      []byte
	class   string // CKO_ name
	keyType string // CKK_ name, keys only
	attrs   map[string]bool
	// mechanisms are the allowed mechanisms of a key (CKA_ALLOWED_MECHANISMS)
	mechanisms []string
	secret     []byte            // CKO_SECRET_KEY: the AES key
	signer     crypto.Signer     // CKO_PRIVATE_KEY
	public     crypto.PublicKey  // CKO_PUBLIC_KEY
	cert       *x509.Certificate // CKO_CERTIFICATE
}

var _ Store = (*SoftStore)(nil)

// NewSoftStore returns an empty in-memory test double. See SoftStore.
func NewSoftStore() *SoftStore { return &SoftStore{} }

// Info describes the soft store as a single-slot module.
func (s *SoftStore) Info() (Info, error) {
	return Info{
		ModuleManufacturer: "meshfn",
		ModuleDescription:  "hsm.SoftStore in-memory test double",
		LibraryVersion:     "0.0",
		Slots: []SlotInfo{{
			Description: "in-memory",
			TokenLabel:  "soft",
			TokenModel:  "SoftStore",
			Mechanisms: []string{
				"CKM_AES_GCM", "CKM_AES_KEY_GEN", "CKM_ECDSA", "CKM_EC_KEY_PAIR_GEN",
				"CKM_RSA_PKCS", "CKM_RSA_PKCS_KEY_PAIR_GEN", "CKM_RSA_PKCS_PSS",
			},
		}},
	}, nil
}

// Objects lists the store's objects, sorted by label, class and id.
func (s *SoftStore) Objects() ([]Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Object, 0, len(s.objects))
	for _, o := range s.objects {
		out = append(out, Object{
			Label:             o.label,
			ID:                hex.EncodeToString(o.id),
			Class:             o.class,
			KeyType:           o.keyType,
			Attributes:        maps.Clone(o.attrs),
			AllowedMechanisms: slices.Clone(o.mechanisms),
		})
	}
	sortObjects(out)
	return out, nil
}

// GenerateKEK creates an in-memory AES-256 key under label.
func (s *SoftStore) GenerateKEK(label string) error {
	if err := checkLabel(label); err != nil {
		return fmt.Errorf("failed to generate KEK: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.find(label, "") != nil {
		return fmt.Errorf("failed to generate KEK %q: %w", label, ErrExists)
	}
	key := make([]byte, kekKeyBytes)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("failed to generate KEK %q: %w", label, err)
	}
	s.objects = append(s.objects, &softObject{
		label: label, id: randomID(), class: "CKO_SECRET_KEY", keyType: "CKK_AES",
		attrs: attrMap(kekPolicy, generatedKeyAttrs), mechanisms: kekMechanisms, secret: key,
	})
	return nil
}

// KEK returns AES-256-GCM with the KEK labelled label.
func (s *SoftStore) KEK(label string) (AEAD, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.find(label, "CKO_SECRET_KEY")
	if o == nil {
		return nil, fmt.Errorf("failed to find KEK %q: %w", label, ErrNotFound)
	}
	return newSoftAEAD(o.secret)
}

// GenerateKeyPair creates an in-memory key pair under label.
func (s *SoftStore) GenerateKeyPair(label string, alg KeyAlgorithm) (crypto.Signer, error) {
	if err := checkLabel(label); err != nil {
		return nil, fmt.Errorf("failed to generate key pair: %w", err)
	}
	if err := alg.validate(); err != nil {
		return nil, fmt.Errorf("failed to generate key pair %q: %w", label, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.find(label, "") != nil {
		return nil, fmt.Errorf("failed to generate key pair %q: %w", label, ErrExists)
	}
	key, keyType, err := softGenerate(alg)
	if err != nil {
		return nil, fmt.Errorf("failed to generate key pair %q: %w", label, err)
	}
	id := randomID()
	created := []*softObject{
		{label: label, id: id, class: "CKO_PRIVATE_KEY", keyType: keyType,
			attrs: attrMap(privateKeyPolicy, generatedKeyAttrs), mechanisms: privateMechanisms(keyType), signer: key},
		{label: label, id: id, class: "CKO_PUBLIC_KEY", keyType: keyType,
			attrs: attrMap(publicKeyPolicy, []boolAttr{{"CKA_LOCAL", true}}), public: key.Public()},
	}
	s.objects = append(s.objects, created...)
	return softSigner{key: key, store: s, objects: created}, nil
}

// privateMechanisms are the allowed mechanisms of a private key of keyType.
func privateMechanisms(keyType string) []string {
	if keyType == "CKK_RSA" {
		return rsaPrivateMechanisms
	}
	return ecPrivateMechanisms
}

// softGenerate creates a Go key for alg.
func softGenerate(alg KeyAlgorithm) (crypto.Signer, string, error) {
	switch alg {
	case ECDSAP256:
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		return k, "CKK_EC", err
	case ECDSAP384:
		k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		return k, "CKK_EC", err
	}
	k, err := rsa.GenerateKey(rand.Reader, alg.rsaBits())
	return k, "CKK_RSA", err
}

// Signer returns the signer of the key pair labelled label.
func (s *SoftStore) Signer(label string) (crypto.Signer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.find(label, "CKO_PRIVATE_KEY")
	if o == nil {
		return nil, fmt.Errorf("failed to find private key %q: %w", label, ErrNotFound)
	}
	return softSigner{key: o.signer}, nil
}

// ImportCertificate stores a copy of cert under label, with the CKA_ID of the
// key pair it certifies when the store holds one.
func (s *SoftStore) ImportCertificate(label string, cert *x509.Certificate) error {
	if err := checkLabel(label); err != nil {
		return fmt.Errorf("failed to import certificate: %w", err)
	}
	if cert == nil || len(cert.Raw) == 0 {
		return errors.New("failed to import certificate: no certificate (parse it with x509.ParseCertificate)")
	}
	copied, err := x509.ParseCertificate(cert.Raw)
	if err != nil {
		return fmt.Errorf("failed to import certificate %q: %w", label, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.find(label, "CKO_CERTIFICATE") != nil {
		return fmt.Errorf("failed to import certificate %q: %w", label, ErrExists)
	}
	id := randomID()
	for _, o := range s.objects {
		if o.class == "CKO_PUBLIC_KEY" && publicKeysEqual(o.public, cert.PublicKey) {
			id = o.id
			break
		}
	}
	o := &softObject{label: label, id: id, class: "CKO_CERTIFICATE", attrs: attrMap(certificatePolicy), cert: copied}
	s.objects = append(s.objects, o)
	if s.imported == nil {
		s.imported = map[string]*softObject{}
	}
	s.imported[label] = o
	return nil
}

// DestroyCertificate removes the certificate ImportCertificate created under label.
func (s *SoftStore) DestroyCertificate(label string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.imported[label]
	if !ok {
		return fmt.Errorf("failed to destroy certificate %q: only a certificate this store imported can be destroyed", label)
	}
	s.objects = slices.DeleteFunc(s.objects, func(x *softObject) bool { return x == o })
	delete(s.imported, label)
	return nil
}

// Certificate returns a copy of the certificate labelled label.
func (s *SoftStore) Certificate(label string) (*x509.Certificate, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.find(label, "CKO_CERTIFICATE")
	if o == nil {
		return nil, fmt.Errorf("failed to find certificate %q: %w", label, ErrNotFound)
	}
	cert, err := x509.ParseCertificate(o.cert.Raw)
	if err != nil {
		return nil, fmt.Errorf("failed to parse certificate %q: %w", label, err)
	}
	return cert, nil
}

// DestroyKeyPair removes the two objects GenerateKeyPair created for signer.
func (s *SoftStore) DestroyKeyPair(signer crypto.Signer) error {
	ss, ok := signer.(softSigner)
	if !ok || ss.store != s || len(ss.objects) == 0 {
		return errors.New("failed to destroy a key pair: only a key pair this store generated can be destroyed")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects = slices.DeleteFunc(s.objects, func(o *softObject) bool { return slices.Contains(ss.objects, o) })
	return nil
}

// find returns the first object with label and, unless class is empty, class.
// The caller holds s.mu.
func (s *SoftStore) find(label, class string) *softObject {
	for _, o := range s.objects {
		if o.label == label && (class == "" || o.class == class) {
			return o
		}
	}
	return nil
}

// sortObjects orders objects by label, class and id.
func sortObjects(objs []Object) {
	sort.Slice(objs, func(i, j int) bool {
		a, b := objs[i], objs[j]
		if a.Label != b.Label {
			return a.Label < b.Label
		}
		if a.Class != b.Class {
			return a.Class < b.Class
		}
		return a.ID < b.ID
	})
}

// randomID returns a fresh 16-byte CKA_ID.
func randomID() []byte {
	id := make([]byte, 16)
	_, _ = rand.Read(id) // crypto/rand.Read never fails (Go 1.24+)
	return id
}

// publicKeysEqual reports whether two public keys are the same key.
func publicKeysEqual(a, b crypto.PublicKey) bool {
	eq, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && b != nil && eq.Equal(b)
}

package keyscan

import "bytes"

// DER tags of the structures a private key starts with.
const (
	tagInteger     = 0x02
	tagOctetString = 0x04
	tagOID         = 0x06
	tagSequence    = 0x30
)

// minKeyDER is the least content of a DER private key's outer SEQUENCE (an Ed25519 or
// X25519 PKCS#8 key has 46 bytes): a shorter one is not a key.
const minKeyDER = 40

// Object identifiers, DER-encoded (without tag and length), that mark key structures.
var (
	// pkcs7Data and pkcs7EncryptedData start a PKCS#12 file's authSafe (1.2.840.113549.1.7.1, .6).
	oidPKCS7Prefix = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07}
	// PKCS#5 (PBES1, PBES2: 1.2.840.113549.1.5.*) and PKCS#12 PBE (1.2.840.113549.1.12.1.*)
	// algorithms encrypt a PKCS#8 key.
	oidPKCS5Prefix  = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05}
	oidPKCS12Prefix = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01}
	// Key algorithms of a PKCS#8 key: RSA (1.2.840.113549.1.1.*), EC (1.2.840.10045.2.1),
	// Ed25519, X25519, Ed448, X448 (1.3.101.*), DSA (1.2.840.10040.4.1), DH
	// (1.2.840.113549.1.3.1), and NIST's post-quantum ones (2.16.840.1.101.3.4.3.*, .4.*).
	keyAlgorithmPrefixes = [][]byte{
		{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01},
		{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01},
		{0x2b, 0x65},
		{0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01},
		{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x03, 0x01},
		{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03},
		{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x04},
	}
	opensshMagic = []byte("openssh-key-v1\x00")
)

// findDER looks for the start of a private key at every offset of b. Only the first
// structures are read, so a key cut short is found as well as a whole one.
// It returns what it found and where it starts.
func findDER(b []byte) (string, int, bool) {
	if i := bytes.Index(b, opensshMagic); i >= 0 {
		return "an OpenSSH private key", i, true
	}
	for i := 0; i < len(b); i++ {
		if b[i] != tagSequence {
			continue
		}
		if what, ok := keyAt(b[i:]); ok {
			return what, i, true
		}
	}
	return "", 0, false
}

// element is one DER element as far as b holds it: its tag, its declared length, and
// the part of its content b holds.
type element struct {
	tag     byte
	length  int
	content []byte
	// next is what follows the element in b, when b holds all of it.
	next []byte
}

// readElement reads the element b starts with, leniently: the content may be cut short.
func readElement(b []byte) (element, bool) {
	if len(b) < 2 {
		return element{}, false
	}
	e := element{tag: b[0]}
	n, rest := int(b[1]), b[2:]
	if n >= 0x80 {
		size := n & 0x7f
		if size == 0 || size > 3 || len(rest) < size {
			return element{}, false
		}
		n = 0
		for _, c := range rest[:size] {
			n = n<<8 | int(c)
		}
		rest = rest[size:]
	}
	e.length = n
	if len(rest) >= n {
		e.content, e.next = rest[:n], rest[n:]
	} else {
		e.content = rest
	}
	return e, true
}

// keyAt reports whether b starts with a private key structure: the outer SEQUENCE and
// its first elements, as far as b holds them.
func keyAt(b []byte) (string, bool) {
	outer, ok := readElement(b)
	if !ok || outer.tag != tagSequence || outer.length < minKeyDER {
		return "", false
	}
	first, ok := readElement(outer.content)
	if !ok {
		return "", false
	}
	if first.tag == tagSequence {
		return encryptedPKCS8(first)
	}
	if first.tag != tagInteger || first.length != 1 || len(first.content) != 1 || first.next == nil {
		return "", false
	}
	second, ok := readElement(first.next)
	if !ok {
		return "", false
	}
	switch version := first.content[0]; {
	case version <= 1 && second.tag == tagSequence:
		return plainPKCS8(second)
	case version == 0 && second.tag == tagInteger && second.length >= 64:
		return "a PKCS#1 private key", true // RSA (or DSA): the modulus follows the version
	case version == 1 && second.tag == tagOctetString && second.length >= 16 && second.length <= 80:
		return "a SEC 1 EC private key", true // the private scalar follows the version
	case version == 3 && second.tag == tagSequence:
		if oid, ok := readElement(second.content); ok && oid.tag == tagOID && bytes.HasPrefix(oid.content, oidPKCS7Prefix) {
			return "a PKCS#12 file", true
		}
	}
	return "", false
}

// plainPKCS8 judges a PKCS#8 PrivateKeyInfo from its AlgorithmIdentifier: a key
// algorithm followed by the OCTET STRING of the key (when b holds it).
func plainPKCS8(alg element) (string, bool) {
	oid, ok := readElement(alg.content)
	if !ok || oid.tag != tagOID {
		return "", false
	}
	if alg.next != nil && len(alg.next) > 0 {
		if alg.next[0] == tagOctetString {
			return "a PKCS#8 private key", true
		}
		return "", false
	}
	for _, p := range keyAlgorithmPrefixes {
		if bytes.HasPrefix(oid.content, p) {
			return "a PKCS#8 private key", true
		}
	}
	return "", false
}

// encryptedPKCS8 judges an EncryptedPrivateKeyInfo from its AlgorithmIdentifier: a
// PKCS#5 or PKCS#12 encryption algorithm followed by the OCTET STRING (when b holds it).
func encryptedPKCS8(alg element) (string, bool) {
	oid, ok := readElement(alg.content)
	if !ok || oid.tag != tagOID || !(bytes.HasPrefix(oid.content, oidPKCS5Prefix) || bytes.HasPrefix(oid.content, oidPKCS12Prefix)) {
		return "", false
	}
	if len(alg.next) > 0 && alg.next[0] != tagOctetString {
		return "", false
	}
	return "an encrypted PKCS#8 private key", true
}

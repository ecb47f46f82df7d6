package certchain

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"strings"
)

// KeyPolicy says which keys a CA certificate in the mesh may have.
type KeyPolicy struct {
	// MinRSABits is the smallest RSA modulus accepted; 0 means 2048.
	MinRSABits int
	// AllowedCurves are the ECDSA curves accepted; nil means P-256 and P-384.
	AllowedCurves []elliptic.Curve
}

// DefaultKeys is the key policy of every certificate in a chain, and of the CSRs
// hsm-tool signs unless told otherwise: RSA of at least 2048 bits, ECDSA on P-256 or
// P-384.
var DefaultKeys = KeyPolicy{}

// WithDefaults fills the zero fields.
func (k KeyPolicy) WithDefaults() KeyPolicy {
	if k.MinRSABits == 0 {
		k.MinRSABits = 2048
	}
	if k.AllowedCurves == nil {
		k.AllowedCurves = []elliptic.Curve{elliptic.P256(), elliptic.P384()}
	}
	return k
}

// Check refuses a public key the policy does not allow, naming why.
func (k KeyPolicy) Check(pub any) error {
	k = k.WithDefaults()
	switch key := pub.(type) {
	case *rsa.PublicKey:
		if bits := key.N.BitLen(); bits < k.MinRSABits {
			return fmt.Errorf("the RSA key has %d bits; the policy requires at least %d", bits, k.MinRSABits)
		}
		return nil
	case *ecdsa.PublicKey:
		name := key.Curve.Params().Name
		var allowed []string
		for _, c := range k.AllowedCurves {
			if c.Params().Name == name {
				return nil
			}
			allowed = append(allowed, c.Params().Name)
		}
		return fmt.Errorf("the ECDSA curve %s is not allowed (allowed: %s)", name, strings.Join(allowed, ", "))
	case ed25519.PublicKey:
		return fmt.Errorf("Ed25519 keys are not allowed; use RSA or ECDSA")
	default:
		return fmt.Errorf("keys of type %T are not allowed", pub)
	}
}

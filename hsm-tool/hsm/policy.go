package hsm

// boolAttr is one boolean PKCS#11 attribute set when an object is created.
type boolAttr struct {
	name  string // CKA_ name
	value bool
}

// The attribute policies below are the security contract of the objects this
// package creates. Token writes them into the PKCS#11 templates and SoftStore
// reports them from Objects, so both implementations agree.
//
// Private keys and KEKs are explicitly denied every usage they do not need:
// PKCS#11 modules (SoftHSM2 among them) otherwise default CKA_DECRYPT,
// CKA_UNWRAP and CKA_DERIVE to true. No object can be changed after it is
// created (CKA_MODIFIABLE false) or copied into one with other attributes
// (CKA_COPYABLE false), and keys name the only mechanisms they serve
// (CKA_ALLOWED_MECHANISMS, allowedMechanisms below): a KEK answers AES-GCM,
// not AES-ECB or AES-CBC.
var (
	// kekPolicy: an AES-256 key for AES-GCM data encryption, never exported
	// and never used to wrap, unwrap, sign or derive.
	kekPolicy = []boolAttr{
		{"CKA_TOKEN", true},
		{"CKA_PRIVATE", true},
		{"CKA_MODIFIABLE", false},
		{"CKA_COPYABLE", false},
		{"CKA_SENSITIVE", true},
		{"CKA_EXTRACTABLE", false},
		{"CKA_ENCRYPT", true},
		{"CKA_DECRYPT", true},
		{"CKA_WRAP", false},
		{"CKA_UNWRAP", false},
		{"CKA_SIGN", false},
		{"CKA_VERIFY", false},
		{"CKA_DERIVE", false},
	}

	// privateKeyPolicy: a signing key that never leaves the token and can do
	// nothing but sign.
	privateKeyPolicy = []boolAttr{
		{"CKA_TOKEN", true},
		{"CKA_PRIVATE", true},
		{"CKA_MODIFIABLE", false},
		{"CKA_COPYABLE", false},
		{"CKA_SENSITIVE", true},
		{"CKA_EXTRACTABLE", false},
		{"CKA_SIGN", true},
		{"CKA_SIGN_RECOVER", false},
		{"CKA_DECRYPT", false},
		{"CKA_UNWRAP", false},
		{"CKA_DERIVE", false},
	}

	// publicKeyPolicy: the public half, readable without login, for
	// verification only.
	publicKeyPolicy = []boolAttr{
		{"CKA_TOKEN", true},
		{"CKA_PRIVATE", false},
		{"CKA_MODIFIABLE", false},
		{"CKA_COPYABLE", false},
		{"CKA_VERIFY", true},
		{"CKA_VERIFY_RECOVER", false},
		{"CKA_ENCRYPT", false},
		{"CKA_WRAP", false},
		{"CKA_DERIVE", false},
	}

	// certificatePolicy: a public, persistent certificate object.
	certificatePolicy = []boolAttr{
		{"CKA_TOKEN", true},
		{"CKA_PRIVATE", false},
		{"CKA_MODIFIABLE", false},
	}
)

// generatedKeyAttrs are the attributes a token derives for keys generated on
// it; SoftStore reports them too.
var generatedKeyAttrs = []boolAttr{
	{"CKA_LOCAL", true},
	{"CKA_ALWAYS_SENSITIVE", true},
	{"CKA_NEVER_EXTRACTABLE", true},
}

// attrMap turns attribute lists into the map Object.Attributes uses.
func attrMap(lists ...[]boolAttr) map[string]bool {
	m := make(map[string]bool)
	for _, l := range lists {
		for _, a := range l {
			m[a.name] = a.value
		}
	}
	return m
}

// Mechanisms the keys this package creates may be used with (CKA_ALLOWED_MECHANISMS),
// by CKM_ name: exactly those Token uses.
var (
	kekMechanisms        = []string{"CKM_AES_GCM"}
	ecPrivateMechanisms  = []string{"CKM_ECDSA"}
	rsaPrivateMechanisms = []string{"CKM_RSA_PKCS", "CKM_RSA_PKCS_PSS"}
)

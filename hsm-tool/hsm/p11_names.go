//go:build cgo

package hsm

import (
	"fmt"
	"sort"

	"github.com/miekg/pkcs11"
)

// PKCS#11 v3.0 values missing from github.com/miekg/pkcs11 v1.1.2.
const (
	ckkECEdwards                = 0x00000040
	ckmECEdwardsKeyPairGen      = 0x00001055
	ckmEdDSA                    = 0x00001057
	ckmVendorDefined       uint = 0x80000000
)

// boolAttrTypes are the boolean attributes templates set and Objects reports.
var boolAttrTypes = map[string]uint{
	"CKA_TOKEN":               pkcs11.CKA_TOKEN,
	"CKA_PRIVATE":             pkcs11.CKA_PRIVATE,
	"CKA_MODIFIABLE":          pkcs11.CKA_MODIFIABLE,
	"CKA_COPYABLE":            pkcs11.CKA_COPYABLE,
	"CKA_DESTROYABLE":         pkcs11.CKA_DESTROYABLE,
	"CKA_SENSITIVE":           pkcs11.CKA_SENSITIVE,
	"CKA_ALWAYS_SENSITIVE":    pkcs11.CKA_ALWAYS_SENSITIVE,
	"CKA_EXTRACTABLE":         pkcs11.CKA_EXTRACTABLE,
	"CKA_NEVER_EXTRACTABLE":   pkcs11.CKA_NEVER_EXTRACTABLE,
	"CKA_LOCAL":               pkcs11.CKA_LOCAL,
	"CKA_ENCRYPT":             pkcs11.CKA_ENCRYPT,
	"CKA_DECRYPT":             pkcs11.CKA_DECRYPT,
	"CKA_WRAP":                pkcs11.CKA_WRAP,
	"CKA_UNWRAP":              pkcs11.CKA_UNWRAP,
	"CKA_SIGN":                pkcs11.CKA_SIGN,
	"CKA_SIGN_RECOVER":        pkcs11.CKA_SIGN_RECOVER,
	"CKA_VERIFY":              pkcs11.CKA_VERIFY,
	"CKA_VERIFY_RECOVER":      pkcs11.CKA_VERIFY_RECOVER,
	"CKA_DERIVE":              pkcs11.CKA_DERIVE,
	"CKA_TRUSTED":             pkcs11.CKA_TRUSTED,
	"CKA_WRAP_WITH_TRUSTED":   pkcs11.CKA_WRAP_WITH_TRUSTED,
	"CKA_ALWAYS_AUTHENTICATE": pkcs11.CKA_ALWAYS_AUTHENTICATE,
}

// classNames names CKO_ values.
var classNames = map[uint]string{
	pkcs11.CKO_DATA:              "CKO_DATA",
	pkcs11.CKO_CERTIFICATE:       "CKO_CERTIFICATE",
	pkcs11.CKO_PUBLIC_KEY:        "CKO_PUBLIC_KEY",
	pkcs11.CKO_PRIVATE_KEY:       "CKO_PRIVATE_KEY",
	pkcs11.CKO_SECRET_KEY:        "CKO_SECRET_KEY",
	pkcs11.CKO_HW_FEATURE:        "CKO_HW_FEATURE",
	pkcs11.CKO_DOMAIN_PARAMETERS: "CKO_DOMAIN_PARAMETERS",
	pkcs11.CKO_MECHANISM:         "CKO_MECHANISM",
	pkcs11.CKO_OTP_KEY:           "CKO_OTP_KEY",
}

// keyTypeNames names CKK_ values.
var keyTypeNames = map[uint]string{
	pkcs11.CKK_RSA:            "CKK_RSA",
	pkcs11.CKK_DSA:            "CKK_DSA",
	pkcs11.CKK_DH:             "CKK_DH",
	pkcs11.CKK_EC:             "CKK_EC",
	pkcs11.CKK_GENERIC_SECRET: "CKK_GENERIC_SECRET",
	pkcs11.CKK_DES:            "CKK_DES",
	pkcs11.CKK_DES2:           "CKK_DES2",
	pkcs11.CKK_DES3:           "CKK_DES3",
	pkcs11.CKK_AES:            "CKK_AES",
	ckkECEdwards:              "CKK_EC_EDWARDS",
}

// mechanismNames names the CKM_ values HSMs commonly report.
var mechanismNames = map[uint]string{
	pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN:  "CKM_RSA_PKCS_KEY_PAIR_GEN",
	pkcs11.CKM_RSA_PKCS:               "CKM_RSA_PKCS",
	pkcs11.CKM_RSA_9796:               "CKM_RSA_9796",
	pkcs11.CKM_RSA_X_509:              "CKM_RSA_X_509",
	pkcs11.CKM_MD5_RSA_PKCS:           "CKM_MD5_RSA_PKCS",
	pkcs11.CKM_SHA1_RSA_PKCS:          "CKM_SHA1_RSA_PKCS",
	pkcs11.CKM_RSA_PKCS_OAEP:          "CKM_RSA_PKCS_OAEP",
	pkcs11.CKM_RSA_X9_31_KEY_PAIR_GEN: "CKM_RSA_X9_31_KEY_PAIR_GEN",
	pkcs11.CKM_RSA_PKCS_PSS:           "CKM_RSA_PKCS_PSS",
	pkcs11.CKM_SHA1_RSA_PKCS_PSS:      "CKM_SHA1_RSA_PKCS_PSS",
	pkcs11.CKM_SHA224_RSA_PKCS:        "CKM_SHA224_RSA_PKCS",
	pkcs11.CKM_SHA256_RSA_PKCS:        "CKM_SHA256_RSA_PKCS",
	pkcs11.CKM_SHA384_RSA_PKCS:        "CKM_SHA384_RSA_PKCS",
	pkcs11.CKM_SHA512_RSA_PKCS:        "CKM_SHA512_RSA_PKCS",
	pkcs11.CKM_SHA224_RSA_PKCS_PSS:    "CKM_SHA224_RSA_PKCS_PSS",
	pkcs11.CKM_SHA256_RSA_PKCS_PSS:    "CKM_SHA256_RSA_PKCS_PSS",
	pkcs11.CKM_SHA384_RSA_PKCS_PSS:    "CKM_SHA384_RSA_PKCS_PSS",
	pkcs11.CKM_SHA512_RSA_PKCS_PSS:    "CKM_SHA512_RSA_PKCS_PSS",
	pkcs11.CKM_DSA_KEY_PAIR_GEN:       "CKM_DSA_KEY_PAIR_GEN",
	pkcs11.CKM_DSA:                    "CKM_DSA",
	pkcs11.CKM_DSA_SHA1:               "CKM_DSA_SHA1",
	pkcs11.CKM_DSA_SHA224:             "CKM_DSA_SHA224",
	pkcs11.CKM_DSA_SHA256:             "CKM_DSA_SHA256",
	pkcs11.CKM_DSA_SHA384:             "CKM_DSA_SHA384",
	pkcs11.CKM_DSA_SHA512:             "CKM_DSA_SHA512",
	pkcs11.CKM_DSA_PARAMETER_GEN:      "CKM_DSA_PARAMETER_GEN",
	pkcs11.CKM_DH_PKCS_KEY_PAIR_GEN:   "CKM_DH_PKCS_KEY_PAIR_GEN",
	pkcs11.CKM_DH_PKCS_DERIVE:         "CKM_DH_PKCS_DERIVE",
	pkcs11.CKM_DH_PKCS_PARAMETER_GEN:  "CKM_DH_PKCS_PARAMETER_GEN",
	pkcs11.CKM_MD5:                    "CKM_MD5",
	pkcs11.CKM_MD5_HMAC:               "CKM_MD5_HMAC",
	pkcs11.CKM_SHA_1:                  "CKM_SHA_1",
	pkcs11.CKM_SHA_1_HMAC:             "CKM_SHA_1_HMAC",
	pkcs11.CKM_SHA224:                 "CKM_SHA224",
	pkcs11.CKM_SHA224_HMAC:            "CKM_SHA224_HMAC",
	pkcs11.CKM_SHA256:                 "CKM_SHA256",
	pkcs11.CKM_SHA256_HMAC:            "CKM_SHA256_HMAC",
	pkcs11.CKM_SHA384:                 "CKM_SHA384",
	pkcs11.CKM_SHA384_HMAC:            "CKM_SHA384_HMAC",
	pkcs11.CKM_SHA512:                 "CKM_SHA512",
	pkcs11.CKM_SHA512_HMAC:            "CKM_SHA512_HMAC",
	pkcs11.CKM_GENERIC_SECRET_KEY_GEN: "CKM_GENERIC_SECRET_KEY_GEN",
	pkcs11.CKM_DES_KEY_GEN:            "CKM_DES_KEY_GEN",
	pkcs11.CKM_DES_ECB:                "CKM_DES_ECB",
	pkcs11.CKM_DES_CBC:                "CKM_DES_CBC",
	pkcs11.CKM_DES_CBC_PAD:            "CKM_DES_CBC_PAD",
	pkcs11.CKM_DES2_KEY_GEN:           "CKM_DES2_KEY_GEN",
	pkcs11.CKM_DES3_KEY_GEN:           "CKM_DES3_KEY_GEN",
	pkcs11.CKM_DES3_ECB:               "CKM_DES3_ECB",
	pkcs11.CKM_DES3_CBC:               "CKM_DES3_CBC",
	pkcs11.CKM_DES3_CBC_PAD:           "CKM_DES3_CBC_PAD",
	pkcs11.CKM_DES3_CMAC:              "CKM_DES3_CMAC",
	pkcs11.CKM_DES_ECB_ENCRYPT_DATA:   "CKM_DES_ECB_ENCRYPT_DATA",
	pkcs11.CKM_DES_CBC_ENCRYPT_DATA:   "CKM_DES_CBC_ENCRYPT_DATA",
	pkcs11.CKM_DES3_ECB_ENCRYPT_DATA:  "CKM_DES3_ECB_ENCRYPT_DATA",
	pkcs11.CKM_DES3_CBC_ENCRYPT_DATA:  "CKM_DES3_CBC_ENCRYPT_DATA",
	pkcs11.CKM_EC_KEY_PAIR_GEN:        "CKM_EC_KEY_PAIR_GEN",
	pkcs11.CKM_ECDSA:                  "CKM_ECDSA",
	pkcs11.CKM_ECDSA_SHA1:             "CKM_ECDSA_SHA1",
	pkcs11.CKM_ECDSA_SHA224:           "CKM_ECDSA_SHA224",
	pkcs11.CKM_ECDSA_SHA256:           "CKM_ECDSA_SHA256",
	pkcs11.CKM_ECDSA_SHA384:           "CKM_ECDSA_SHA384",
	pkcs11.CKM_ECDSA_SHA512:           "CKM_ECDSA_SHA512",
	pkcs11.CKM_ECDH1_DERIVE:           "CKM_ECDH1_DERIVE",
	pkcs11.CKM_ECDH1_COFACTOR_DERIVE:  "CKM_ECDH1_COFACTOR_DERIVE",
	ckmECEdwardsKeyPairGen:            "CKM_EC_EDWARDS_KEY_PAIR_GEN",
	ckmEdDSA:                          "CKM_EDDSA",
	pkcs11.CKM_AES_KEY_GEN:            "CKM_AES_KEY_GEN",
	pkcs11.CKM_AES_ECB:                "CKM_AES_ECB",
	pkcs11.CKM_AES_CBC:                "CKM_AES_CBC",
	pkcs11.CKM_AES_MAC:                "CKM_AES_MAC",
	pkcs11.CKM_AES_CBC_PAD:            "CKM_AES_CBC_PAD",
	pkcs11.CKM_AES_CTR:                "CKM_AES_CTR",
	pkcs11.CKM_AES_GCM:                "CKM_AES_GCM",
	pkcs11.CKM_AES_CCM:                "CKM_AES_CCM",
	pkcs11.CKM_AES_CMAC:               "CKM_AES_CMAC",
	pkcs11.CKM_AES_CMAC_GENERAL:       "CKM_AES_CMAC_GENERAL",
	pkcs11.CKM_AES_ECB_ENCRYPT_DATA:   "CKM_AES_ECB_ENCRYPT_DATA",
	pkcs11.CKM_AES_CBC_ENCRYPT_DATA:   "CKM_AES_CBC_ENCRYPT_DATA",
	pkcs11.CKM_AES_KEY_WRAP:           "CKM_AES_KEY_WRAP",
	pkcs11.CKM_AES_KEY_WRAP_PAD:       "CKM_AES_KEY_WRAP_PAD",
}

// mechanismName returns the CKM_ name of m, or its value in hex.
func mechanismName(m uint) string {
	if n, ok := mechanismNames[m]; ok {
		return n
	}
	if m >= ckmVendorDefined {
		return fmt.Sprintf("CKM_VENDOR_DEFINED+0x%X", m-ckmVendorDefined)
	}
	return fmt.Sprintf("CKM_0x%08X", m)
}

// className returns the CKO_ name of c, or its value in hex.
func className(c uint) string {
	if n, ok := classNames[c]; ok {
		return n
	}
	return fmt.Sprintf("CKO_0x%08X", c)
}

// keyTypeName returns the CKK_ name of k, or its value in hex.
func keyTypeName(k uint) string {
	if n, ok := keyTypeNames[k]; ok {
		return n
	}
	return fmt.Sprintf("CKK_0x%08X", k)
}

// sortedBoolAttrNames returns the names of boolAttrTypes in a stable order.
func sortedBoolAttrNames() []string {
	names := make([]string, 0, len(boolAttrTypes))
	for n := range boolAttrTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// policyTemplate turns an attribute policy into PKCS#11 template attributes.
// It panics on a name missing from boolAttrTypes: a programming error the
// tests catch.
func policyTemplate(policy []boolAttr) []*pkcs11.Attribute {
	tmpl := make([]*pkcs11.Attribute, 0, len(policy))
	for _, a := range policy {
		typ, ok := boolAttrTypes[a.name]
		if !ok {
			panic("hsm: unknown boolean attribute " + a.name)
		}
		tmpl = append(tmpl, pkcs11.NewAttribute(typ, a.value))
	}
	return tmpl
}

// mechanismList encodes CKA_ALLOWED_MECHANISMS: CK_MECHANISM_TYPE values, in the
// module's CK_ULONG layout. It panics on a name missing from mechanismNames.
func mechanismList(names []string) *pkcs11.Attribute {
	var v []byte
	for _, n := range names {
		m, ok := mechanismByName(n)
		if !ok {
			panic("hsm: unknown mechanism " + n)
		}
		v = append(v, pkcs11.NewAttribute(pkcs11.CKA_ALLOWED_MECHANISMS, m).Value...)
	}
	return pkcs11.NewAttribute(pkcs11.CKA_ALLOWED_MECHANISMS, v)
}

// mechanismByName finds the CKM_ value of a name.
func mechanismByName(name string) (uint, bool) {
	for m, n := range mechanismNames {
		if n == name {
			return m, true
		}
	}
	return 0, false
}

// Package csrcrypt reads and writes the encrypted certificate signing request
// (CSR) that istiod's HSM plugin publishes in the Secret istio-ca-cert-csr of
// the Anthos Service Mesh HSM install, and that Thales' k8s-kms-plugin
// decrypt-csr command opens. hsm-tool uses it in place of that command.
//
// # Sources
//
// The format below was read from the code, not guessed:
//
//   - [kms] github.com/ThalesGroup/k8s-kms-plugin, cmd/k8s-kms-plugin/cmd/decrypt-csr.go
//     (the decrypt-csr command), pkg/providers/p11.go (GenerateDEK,
//     AuthenticatedEncrypt, AuthenticatedDecrypt, loadKEKbyID), apis/istio/v1
//     (the gRPC messages istiod's plugin uses).
//   - [gose] github.com/ThalesGroup/gose, the JOSE library [kms] uses:
//     jwe_direct_encryptor_aead.go, jwe_direct_decryptor_aead.go,
//     aes_gcm_cryptor.go, jose/jwe.go, jose/jwk.go, jose/types.go, helpers.go
//     (JwkFromSymmetric, CalculateKeyID).
//   - RFC 7516 (JWE compact serialization), RFC 7517 (JWK), RFC 7518 §4.5 and
//     §5.3 (alg "dir", enc "A256GCM").
//
// The istiod side (ASM's closed-source HSM plugin) was not available; what it
// writes is inferred from what [kms] reads and produces for it.
//
// # The document
//
// A JSON object with four members; extra members are ignored:
//
//	{"kek-id": …, "encrypted-dek": …, "csr-id": …, "encrypted-csr": …}
//
// In the form decrypt-csr reads, each value is the standard, padded base64
// (RFC 4648 §4) of the raw bytes ([kms] decrypt-csr.go decodes every member
// with base64.StdEncoding). That is exactly the Secret's .data map, as printed
// by `kubectl get secret istio-ca-cert-csr -o jsonpath='{.data}'`. [Parse] also
// accepts: the same map with the values not base64-encoded (as in a Secret's
// stringData, or json.Marshal of an [EncryptedCSR]); unpadded base64; and a
// whole Secret object (`kubectl get secret -o json`), whose "data" (or
// "stringData") member is then used. The form is decided once for the whole
// document: a compact JWE always contains '.', which base64 never does, so an
// "encrypted-dek" containing '.' means the values are not base64-encoded.
// [EncryptedCSR.Marshal] writes the base64 (.data) form.
//
// The raw values:
//
//   - kek-id: the KEK's identifier on the HSM ([kms] GenerateKEK; a UUID in
//     text form when the administrator does not choose one).
//   - csr-id: opaque bytes chosen by istiod (may be binary); bound to the CSR.
//   - encrypted-dek: ASCII compact JWE (below) sealed with the KEK; its payload
//     is the DEK as a JSON Web Key ([kms] generateDEK marshals a gose JWK, it
//     does not encrypt the 32 raw key bytes).
//   - encrypted-csr: ASCII compact JWE sealed with the DEK; its payload is the
//     CSR exactly as istiod gave it (PEM), returned unchanged by [Decrypt].
//
// # The compact JWEs ([gose] JweDirectEncryptorAead, jose.Jwe.Marshal)
//
//	BASE64URL(header) "." "" "." BASE64URL(IV) "." BASE64URL(ciphertext) "." BASE64URL(tag)
//
// BASE64URL is RFC 4648 §5 without padding (base64.RawURLEncoding in [gose]).
// The encrypted-key part is empty (alg "dir", RFC 7518 §4.5). The IV is the
// 96-bit GCM nonce, carried in its own part (it is not prefixed to the
// ciphertext); the tag is the 128-bit GCM tag, also in its own part. The GCM
// additional data is the ASCII of the first part exactly as transmitted
// (RFC 7516 §5.1 step 14; [gose] passes jwe.MarshalledHeader). The header is
// json.Marshal of gose's JweHeader, so its members appear in this order:
//
//	{"alg":"dir","kid":KID,"_thales_aad":BASE64URL(aad),"enc":"A256GCM"}
//
// The members:
//
//   - alg must be "dir" and enc "A256GCM" ([gose] JweDirectDecryptorAeadImpl
//     refuses anything else for an AES-256-GCM key); "zip" is refused ([gose]
//     ErrZipCompressionNotSupported) and so is "crit" (RFC 7515 §4.1.11: this
//     package understands no extension).
//   - kid names the key: for encrypted-dek it is the kek-id ([kms] loadKEKbyID
//     registers the KEK under string(kekIdentity), and the decryptor looks the
//     key up by the header's kid); for encrypted-csr it is the DEK JWK's kid.
//   - _thales_aad ([gose] JweCustomHeaderFields.OtherAad) carries the caller's
//     "additional data" inside the protected header, so it is authenticated
//     through the GCM additional data above. It is omitted when empty, as it is
//     for encrypted-dek ([kms] generateDEK passes nil). For encrypted-csr it is
//     the csr-id: [kms] AuthenticatedDecrypt opens the JWE, then requires the
//     _thales_aad it carried to equal the csr-id member. That is how "the
//     csr-id is the additional data" of the CSR.
//
// # The DEK JWK ([gose] JwkFromSymmetric(key, A256GCM), jose.OctSecretKey)
//
//	{"key_ops":["encrypt","decrypt","sign","verify"],"alg":"A256GCM","kid":KID,"k":BASE64URL(key),"kty":"oct"}
//
// key is 32 random bytes. KID is the lower-case hex SHA-256 of the ASCII
// string "v1.jwk.oct." + BASE64URL(key) ([gose] CalculateKeyID). On reading,
// this package requires kty "oct", alg "A256GCM", a 32-byte k, a non-empty
// kid, and "decrypt" among key_ops ([gose] LoadSymmetricAEAD requires the
// operation), and does not recompute the kid. The kid in the encrypted-csr
// header must equal it ([gose] looks the DEK up by kid).
//
// # The KEK
//
// The KEK is an AES-256 key that never leaves the HSM, used with AES-GCM,
// 96-bit nonces and 128-bit tags ([kms] generateKEK, handle.NewGCM); both
// directions therefore take it as an [AEAD]. [NewSoftwareAEAD] wraps a key held
// in memory, for tests and for software-only setups. HSMs that insist on
// choosing the GCM IV themselves ([kms] UseGCMIVFromHSM) need an AEAD adapter
// that honours the nonce it is given; this package always chooses the IV.
//
// The versions read: k8s-kms-plugin 5a6998a3f847 (2024-08-30; decrypt-csr and
// the JWE use unchanged since 2020-09) and gose 164fb69d2430 (2025-05-19; the
// AES-GCM JWE code unchanged since 2021).
//
// [kms]: https://github.com/ThalesGroup/k8s-kms-plugin
// [gose]: https://github.com/ThalesGroup/gose
package csrcrypt

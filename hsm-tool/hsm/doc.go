// Package hsm is hsm-tool's view of a hardware security module: the handful of
// PKCS#11 operations an offline CA ceremony needs, behind the Store interface.
//
// Two implementations exist:
//
//   - Token, opened with Open, drives a real PKCS#11 module through
//     github.com/miekg/pkcs11. Keys it generates are created on the token as
//     sensitive, non-extractable objects: private keys can sign and nothing
//     else, and key-encryption keys (KEKs) can AES-GCM encrypt and decrypt and
//     nothing else. Key material never leaves the token. Token needs cgo; a
//     binary built with CGO_ENABLED=0 still compiles, but Open returns
//     ErrNoPKCS11.
//   - SoftStore, from NewSoftStore, keeps everything in process memory. It is
//     a test double for unit tests of code that depends on Store and must never
//     be used to hold real keys.
//
// Both implementations refuse to overwrite: generating a key under a label
// that is already in use, or importing a second certificate under the same
// label, fails with ErrExists before anything is created.
//
// The package hsmtest creates throw-away SoftHSM2 tokens for tests.
package hsm

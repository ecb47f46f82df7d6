//go:build !cgo

package hsmtest

// withCgo says whether this build has cgo, which PKCS#11, and so SoftHSM2, needs.
const withCgo = false

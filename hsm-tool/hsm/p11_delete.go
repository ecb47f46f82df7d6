//go:build cgo

package hsm

import (
	"crypto"
	"errors"
	"fmt"
	"slices"

	"github.com/miekg/pkcs11"
)

// DestroyKeyPair destroys, by handle, the two objects GenerateKeyPair created
// for signer on this Token. Objects with the same label that this Token did
// not create (another process's) are never touched.
func (t *Token) DestroyKeyPair(signer crypto.Signer) error {
	s, ok := signer.(*tokenSigner)
	if !ok || !s.generated || s.tok != t {
		return errors.New("failed to destroy a key pair: only a key pair this session generated can be destroyed")
	}
	return t.change(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		var errs []error
		for _, h := range []pkcs11.ObjectHandle{s.key, s.pubKey} {
			if err := ctx.DestroyObject(sh, h); err != nil {
				errs = append(errs, fmt.Errorf("failed to destroy the new key %q (object %d): %w", s.label, h, err))
			}
		}
		return errors.Join(errs...)
	})
}

// keepIfAlone is the check after creating objects: when other objects with
// label (and class, if non-nil) exist beside the handles just created (mine),
// a concurrent writer that does not honour the lock file got there too, so
// mine are destroyed, by handle, and the result is ErrExists. Every writer
// that runs it leaves at most the objects of one of them.
func keepIfAlone(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle, label string, class *uint, mine ...pkcs11.ObjectHandle) error {
	hs, err := findObjects(ctx, sh, labelTemplate(label, class))
	if err == nil && !slices.ContainsFunc(hs, func(h pkcs11.ObjectHandle) bool { return !slices.Contains(mine, h) }) {
		return nil
	}
	for _, h := range mine {
		_ = ctx.DestroyObject(sh, h)
	}
	if err != nil {
		return err
	}
	return ErrExists
}

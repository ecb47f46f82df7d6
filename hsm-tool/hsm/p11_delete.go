//go:build cgo

package hsm

import (
	"fmt"

	"github.com/miekg/pkcs11"
)

// DeleteKeyPair destroys the private and public keys labelled label on the token.
func (t *Token) DeleteKeyPair(label string) error {
	return t.do(func(ctx *pkcs11.Ctx, sh pkcs11.SessionHandle) error {
		var handles []pkcs11.ObjectHandle
		for _, class := range []uint{pkcs11.CKO_PRIVATE_KEY, pkcs11.CKO_PUBLIC_KEY} {
			hs, err := findObjects(ctx, sh, labelTemplate(label, &class))
			if err != nil {
				return err
			}
			handles = append(handles, hs...)
		}
		if len(handles) == 0 {
			return fmt.Errorf("no key pair labelled %q: %w", label, ErrNotFound)
		}
		for _, h := range handles {
			if err := ctx.DestroyObject(sh, h); err != nil {
				return fmt.Errorf("failed to destroy a key labelled %q: %w", label, err)
			}
		}
		return nil
	})
}

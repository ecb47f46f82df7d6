package ceremony

import (
	"context"
	"fmt"

	"github.com/meshfn/meshfn/hsm-tool/atomicfile"
	"github.com/meshfn/meshfn/hsm-tool/ca"
	"github.com/meshfn/meshfn/hsm-tool/csrcrypt"
)

// DecryptCSR opens the encrypted CSR istiod's HSM plugin published (the file in) with
// the KEK it names, on the token, and writes the CSR (PEM) to out, when it is exactly
// one CSR and nothing else.
func (c *Ceremony) DecryptCSR(ctx context.Context, in, out string) error {
	e := c.entry("csr decrypt", nil, out)
	return c.run(ctx, e, func(s *step) error {
		data, err := readInput(in)
		if err != nil {
			return err
		}
		enc, err := csrcrypt.Parse(data)
		if err != nil {
			return fmt.Errorf("failed to read the encrypted CSR in %s: %w", in, err)
		}
		s.entry.Keys = []string{enc.KEKID}
		if err := atomicfile.Check(out); err != nil {
			return err
		}
		tok, err := s.token()
		if err != nil {
			return err
		}
		kek, err := tok.KEK(enc.KEKID)
		if err != nil {
			return fmt.Errorf("failed to find KEK %q on the token: %w", enc.KEKID, err)
		}
		csrPEM, err := csrcrypt.Decrypt(enc, kek)
		if err != nil {
			return err
		}
		if _, err := ca.ParseCSR(csrPEM); err != nil {
			return fmt.Errorf("the decrypted content of %s is not one CSR, so it is not written: %w", in, err)
		}
		return atomicfile.Write(out, csrPEM, atomicfile.Public)
	})
}

// EncryptCSR does what istiod's HSM plugin does: seals the CSR in the file in under a
// fresh data-encryption key sealed with the KEK kekID, binding csrID, and writes the
// Secret's .data form to out. For tests and interoperability.
func (c *Ceremony) EncryptCSR(ctx context.Context, kekID, in, out, csrID string) error {
	return c.run(ctx, c.entry("csr encrypt", []string{kekID}, out), func(s *step) error {
		csrPEM, err := readInput(in)
		if err != nil {
			return err
		}
		if _, err := ca.ParseCSR(csrPEM); err != nil {
			return fmt.Errorf("%s: %w", in, err)
		}
		if err := atomicfile.Check(out); err != nil {
			return err
		}
		tok, err := s.token()
		if err != nil {
			return err
		}
		kek, err := tok.KEK(kekID)
		if err != nil {
			return fmt.Errorf("failed to find KEK %q on the token: %w", kekID, err)
		}
		enc, err := csrcrypt.Encrypt(kekID, kek, csrPEM, csrID, c.rand())
		if err != nil {
			return err
		}
		data, err := enc.Marshal()
		if err != nil {
			return err
		}
		return atomicfile.Write(out, data, atomicfile.Public)
	})
}

package cli

import (
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/meshfn/meshfn/hsm-tool/atomicfile"
	"github.com/meshfn/meshfn/hsm-tool/audit"
	"github.com/meshfn/meshfn/hsm-tool/csrcrypt"
	"github.com/spf13/cobra"
)

func (a *app) csrCommand() *cobra.Command {
	return group("csr", "Encrypt, decrypt and sign the CSR of istiod's HSM plugin flow",
		a.csrDecryptCommand(), a.csrEncryptCommand(), a.csrSignCommand())
}

func (a *app) csrDecryptCommand() *cobra.Command {
	var in, out string
	cmd := &cobra.Command{
		Use:   "decrypt",
		Short: "Decrypt the encrypted CSR istiod published (Secret istio-ca-cert-csr) with the KEK on the token",
		Example: `  kubectl get secret istio-ca-cert-csr -n istio-system -o jsonpath='{.data}' > encrypted_csr.json
  hsm-tool csr decrypt -f encrypted_csr.json -o csr.pem`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if in == "" || out == "" {
				return usageError{errors.New("-f and -o are required")}
			}
			data, err := os.ReadFile(in)
			if err != nil {
				return fmt.Errorf("failed to read %s: %w", in, err)
			}
			enc, err := csrcrypt.Parse(data)
			if err != nil {
				return fmt.Errorf("failed to read the encrypted CSR in %s: %w", in, err)
			}
			s, err := a.openToken(cmd.Context())
			if err != nil {
				return err
			}
			defer s.close()
			entry := audit.Entry{Command: "csr decrypt", Token: s.name, Keys: []string{enc.KEKID}, Files: []string{out}}
			kek, err := s.store.KEK(enc.KEKID)
			if err != nil {
				return a.record(entry, fmt.Errorf("failed to find KEK %q on the token: %w", enc.KEKID, err))
			}
			csrPEM, err := csrcrypt.Decrypt(enc, kek)
			if err == nil {
				err = atomicfile.Write(out, csrPEM, atomicfile.Public)
			}
			if err == nil {
				fmt.Fprintf(a.stdout, "wrote %s\n", out)
			}
			return a.record(entry, err)
		},
	}
	cmd.Flags().StringVarP(&in, "file", "f", "", "the encrypted CSR: the Secret's .data as JSON, or the Secret")
	cmd.Flags().StringVarP(&out, "output", "o", "", "where to write the CSR (PEM)")
	return cmd
}

func (a *app) csrEncryptCommand() *cobra.Command {
	var in, out, kekID, csrID string
	cmd := &cobra.Command{
		Use:   "encrypt",
		Short: "Encrypt a CSR as istiod's HSM plugin does (for tests and interoperability)",
		Long: `Produces the encrypted-CSR document istiod's HSM plugin publishes: a fresh data-encryption
key sealed under the KEK on the token, and the CSR sealed under that key with the csr-id as
additional data. The output is the Secret's .data form.`,
		Example: `  hsm-tool csr encrypt --kek-id asm-c1-kek -f istiod.csr.pem -o encrypted_csr.json`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if in == "" || out == "" || kekID == "" {
				return usageError{errors.New("--kek-id, -f and -o are required")}
			}
			csrPEM, err := os.ReadFile(in)
			if err != nil {
				return fmt.Errorf("failed to read %s: %w", in, err)
			}
			if block, _ := pem.Decode(csrPEM); block == nil || block.Type != "CERTIFICATE REQUEST" {
				return fmt.Errorf("%s is not a PEM certificate request", in)
			}
			if csrID == "" {
				csrID = "istiod-csr"
			}
			s, err := a.openToken(cmd.Context())
			if err != nil {
				return err
			}
			defer s.close()
			entry := audit.Entry{Command: "csr encrypt", Token: s.name, Keys: []string{kekID}, Files: []string{out}}
			kek, err := s.store.KEK(kekID)
			if err != nil {
				return a.record(entry, fmt.Errorf("failed to find KEK %q on the token: %w", kekID, err))
			}
			enc, err := csrcrypt.Encrypt(kekID, kek, csrPEM, csrID, rand.Reader)
			var data []byte
			if err == nil {
				data, err = enc.Marshal()
			}
			if err == nil {
				err = atomicfile.Write(out, data, atomicfile.Public)
			}
			return a.record(entry, err)
		},
	}
	cmd.Flags().StringVarP(&in, "file", "f", "", "the CSR to encrypt (PEM)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "where to write the encrypted CSR (JSON)")
	cmd.Flags().StringVar(&kekID, "kek-id", "", "the KEK on the token")
	cmd.Flags().StringVar(&csrID, "csr-id", "", "the CSR id bound to the ciphertext (default istiod-csr)")
	return cmd
}

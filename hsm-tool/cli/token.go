package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/meshfn/meshfn/hsm-tool/hsm"
	"github.com/spf13/cobra"
)

// tokenFlags select the PKCS#11 module and token and where the PIN comes from.
type tokenFlags struct {
	module  string
	label   string
	slot    string
	pinFile string
}

func (f *tokenFlags) register(root *cobra.Command) {
	pf := root.PersistentFlags()
	pf.StringVar(&f.module, "module", os.Getenv("P11_LIB"), "path of the PKCS#11 module (env P11_LIB)")
	pf.StringVar(&f.label, "token-label", os.Getenv("P11_TOKEN"), "label of the token (env P11_TOKEN); preferred over --slot, as slot ids change")
	pf.StringVar(&f.slot, "slot", "", "slot id of the token, instead of --token-label")
	pf.StringVar(&f.pinFile, "pin-file", os.Getenv("P11_PIN_FILE"), "file holding the token's user PIN (env P11_PIN_FILE); or use Vault")
}

// session is an open token and what the audit log says about it.
type session struct {
	store hsm.Store
	name  string
	close func()
}

// openToken opens the token with the PIN from --pin-file or Vault.
func (a *app) openToken(ctx context.Context) (*session, error) {
	cfg := hsm.Config{Module: a.token.module, TokenLabel: a.token.label}
	if cfg.Module == "" {
		return nil, usageError{errors.New("no PKCS#11 module: set --module or P11_LIB")}
	}
	if a.token.slot != "" {
		n, err := strconv.ParseUint(a.token.slot, 10, 32)
		if err != nil {
			return nil, usageError{fmt.Errorf("--slot %q is not a slot id", a.token.slot)}
		}
		s := uint(n)
		cfg.Slot = &s
	}
	if cfg.TokenLabel == "" && cfg.Slot == nil {
		return nil, usageError{errors.New("no token: set --token-label (P11_TOKEN) or --slot")}
	}
	pin, cleanup, err := a.pin(ctx)
	if err != nil {
		return nil, err
	}
	cfg.PIN = pin
	tok, err := hsm.Open(cfg)
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("failed to open the token: %w", err)
	}
	name := cfg.TokenLabel
	if name == "" {
		name = "slot " + a.token.slot
	}
	return &session{store: tok, name: name, close: func() { tok.Close(); cleanup() }}, nil
}

// pin returns the user PIN from exactly one source, and a cleanup for what reading it
// left behind (Vault's client files).
func (a *app) pin(ctx context.Context) ([]byte, func(), error) {
	fromVault := a.vault.secretPath != ""
	switch {
	case a.token.pinFile != "" && fromVault:
		return nil, nil, usageError{errors.New("the PIN comes from --pin-file or from Vault (--vault-secret-path), not both")}
	case a.token.pinFile != "":
		b, err := os.ReadFile(a.token.pinFile)
		if err != nil {
			return nil, nil, fmt.Errorf("failed to read the PIN file: %w", err)
		}
		pin := []byte(strings.TrimRight(string(b), "\r\n"))
		for i := range b {
			b[i] = 0
		}
		if len(pin) == 0 {
			return nil, nil, fmt.Errorf("the PIN file %s is empty", a.token.pinFile)
		}
		return pin, func() {}, nil
	case fromVault:
		return a.vault.pin(ctx, a.stderr)
	}
	return nil, nil, usageError{errors.New("no PIN source: set --pin-file (P11_PIN_FILE) or --vault-secret-path")}
}

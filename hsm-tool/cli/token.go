package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/meshfn/meshfn/hsm-tool/audit"
	"github.com/meshfn/meshfn/hsm-tool/ceremony"
	"github.com/meshfn/meshfn/hsm-tool/hsm"
	"github.com/meshfn/meshfn/hsm-tool/secretfile"
	"github.com/meshfn/meshfn/internal/certchain"
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

// config checks the token flags and returns the token's configuration (without the
// PIN) and its name for messages and the audit log. Mistakes are usage errors naming
// the flags.
func (f *tokenFlags) config() (hsm.Config, string, error) {
	cfg := hsm.Config{Module: f.module, TokenLabel: f.label, LockDir: os.Getenv("HSM_TOOL_LOCK_DIR")}
	if strings.TrimSpace(cfg.Module) == "" {
		return cfg, "", usageError{errors.New("no PKCS#11 module: set --module or P11_LIB")}
	}
	name := cfg.TokenLabel
	if f.slot != "" {
		if cfg.TokenLabel != "" {
			return cfg, "", usageError{fmt.Errorf("both --token-label (or P11_TOKEN) %q and --slot %s select a token: give one", cfg.TokenLabel, f.slot)}
		}
		n, err := strconv.ParseUint(f.slot, 10, 32)
		if err != nil {
			return cfg, "", usageError{fmt.Errorf("--slot %q is not a slot id", f.slot)}
		}
		s := uint(n)
		cfg.Slot, name = &s, "slot "+f.slot
	}
	if cfg.TokenLabel == "" && cfg.Slot == nil {
		return cfg, "", usageError{errors.New("no token: set --token-label (P11_TOKEN) or --slot")}
	}
	return cfg, name, nil
}

// ceremony checks the global flags, opens the audit log and returns the ceremony the
// command runs its step in, and a function that closes the log. withToken says whether
// the step uses the token.
func (a *app) ceremony(withToken bool) (*ceremony.Ceremony, func(), error) {
	if err := certchain.CheckTrustDomain(a.trustDomain); err != nil {
		return nil, nil, usageError{fmt.Errorf("--trust-domain: %w", err)}
	}
	c := &ceremony.Ceremony{Now: time.Now, TrustDomain: a.trustDomain}
	if withToken {
		cfg, name, err := a.token.config()
		if err != nil {
			return nil, nil, err
		}
		if err := a.checkPINSource(); err != nil {
			return nil, nil, err
		}
		c.Token = name
		c.Open = func(ctx context.Context) (*ceremony.Session, error) { return a.openToken(ctx, cfg) }
	}
	log, err := audit.Open(a.auditLog, c.Now)
	if err != nil {
		return nil, nil, err
	}
	c.Audit = log
	return c, func() { _ = log.Close() }, nil
}

// checkPINSource requires exactly one source of the PIN, and a usable Vault login when
// it is Vault.
func (a *app) checkPINSource() error {
	fromVault := a.vault.secretPath != ""
	switch {
	case a.token.pinFile != "" && fromVault:
		return usageError{errors.New("the PIN comes from --pin-file or from Vault (--vault-secret-path), not both")}
	case fromVault:
		_, err := a.vault.config()
		return err
	case a.token.pinFile == "":
		return usageError{errors.New("no PIN source: set --pin-file (P11_PIN_FILE) or --vault-secret-path")}
	}
	return nil
}

// openToken opens the token with the PIN from --pin-file or Vault.
func (a *app) openToken(ctx context.Context, cfg hsm.Config) (*ceremony.Session, error) {
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
	return &ceremony.Session{Store: tok, Close: func() { tok.Close(); cleanup() }}, nil
}

// maxPIN bounds a PIN file: PKCS#11 tokens take PINs of at most a few hundred bytes.
const maxPIN = 256

// pin returns the user PIN from its source, and a cleanup for what reading it left
// behind (Vault's client files). A PIN file readable by group or others, or larger than
// a PIN, is refused before the token sees it.
func (a *app) pin(ctx context.Context) ([]byte, func(), error) {
	if a.vault.secretPath != "" {
		return a.vault.pin(ctx, a.stderr)
	}
	pin, err := secretfile.Read(a.token.pinFile, "PIN file", maxPIN)
	if err != nil {
		return nil, nil, err
	}
	return pin, func() {}, nil
}

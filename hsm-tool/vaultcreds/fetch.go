package vaultcreds

import (
	"context"
	"fmt"

	"github.com/hashicorp/vault/api"
)

// fetcher carries one Fetch: the checked Config, the client, the secret
// values to keep out of errors and whether the token came from a login.
type fetcher struct {
	cfg         Config
	client      *api.Client
	redact      *redactor
	loginSecret string // AppRole secret id or Kubernetes JWT
	loggedIn    bool
}

// Fetch logs in to Vault as cfg says, reads the HSM secret at
// cfg.SecretPath (KV version 1 or 2) and returns its fields. In order it:
// checks cfg; reads the secret-id or JWT file; asks sys/health whether
// Vault is sealed; logs in (AppRole, Kubernetes) or looks the token up;
// detects the KV version; reads the secret; and revokes a token it got by
// login. Errors match one of the Err* kinds with errors.Is and never carry
// a secret value.
func Fetch(ctx context.Context, cfg Config) (*Credentials, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	red := &redactor{}
	red.add(cfg.Auth.Token)
	creds, err := fetch(ctx, cfg, red)
	if err != nil {
		return nil, red.sanitize(fmt.Errorf("failed to fetch the HSM credentials: %w", err))
	}
	return creds, nil
}

// fetch does Fetch's work; its errors are redacted by the caller.
func fetch(ctx context.Context, cfg Config, red *redactor) (*Credentials, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	f := &fetcher{cfg: cfg, redact: red}
	if err := f.loadAuthFiles(); err != nil {
		return nil, err
	}
	if f.client, err = newClient(cfg); err != nil {
		return nil, err
	}
	defer f.revokeLoginToken(ctx)
	if err := f.checkHealth(ctx); err != nil {
		return nil, err
	}
	if err := f.authenticate(ctx); err != nil {
		return nil, err
	}
	data, err := f.readSecret(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range data {
		if s, ok := v.(string); ok {
			red.add(s)
		}
	}
	return credentialsFrom(data, cfg.SecretPath)
}

package vaultcreds_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/vaultcreds"
	"github.com/meshfn/meshfn/hsm-tool/vaultcreds/vaulttest"
)

// TestErrorsNeverCarrySecrets makes Vault echo credentials in its error
// responses (the worst case) on every step: the token, the AppRole secret
// id and the JWT, whichever of them the Fetch used, and checks that no
// error message holds any of them while the error keeps its kind. (The
// PIN and key are not echoed: Vault never puts stored data in errors, and
// the client does not know them before the read.)
func TestErrorsNeverCarrySecrets(t *testing.T) {
	echo := func(path string, status int) func(*vaulttest.Config) {
		return func(c *vaulttest.Config) {
			c.Overrides = map[string]vaulttest.Override{path: {Status: status, Errors: []string{
				"echo: token " + testToken + " secret_id " + testSecretID + " jwt " + testJWT,
			}}}
		}
	}
	for _, tc := range []fetchCase{{
		name: "lookup-self", vault: echo("/v1/auth/token/lookup-self", 403), wantErr: vaultcreds.ErrAuth,
	}, {
		name: "AppRole login", vault: echo("/v1/auth/approle/login", 400), wantErr: vaultcreds.ErrAuth,
		config: func(t *testing.T, s *vaulttest.Server) vaultcreds.Config { return appRoleConfig(t, s, testSecretID) },
	}, {
		name: "Kubernetes login", vault: echo("/v1/auth/kubernetes/login", 403), wantErr: vaultcreds.ErrAuth,
		config: func(t *testing.T, s *vaulttest.Server) vaultcreds.Config { return kubernetesConfig(t, s, testJWT) },
	}, {
		name: "mount detection", vault: echo("/v1/sys/internal/ui/mounts/asm-c1/hsm", 400), wantErr: vaultcreds.ErrVault,
	}, {
		name: "secret read", vault: echo("/v1/asm-c1/data/hsm", 400), wantErr: vaultcreds.ErrVault,
		config: func(t *testing.T, s *vaulttest.Server) vaultcreds.Config { return appRoleConfig(t, s, testSecretID) },
	}, {
		name: "sealed", vault: echo("/v1/asm-c1/data/hsm", 503), wantErr: vaultcreds.ErrUnavailable,
	}} {
		tc.wantMsg = []string{"[redacted]"}
		t.Run(tc.name, tc.run)
	}
}

// TestErrorKinds checks that the kinds are distinct and that an *Error
// reports its kind.
func TestErrorKinds(t *testing.T) {
	kinds := []error{
		vaultcreds.ErrConfig, vaultcreds.ErrAuth, vaultcreds.ErrPermissionDenied, vaultcreds.ErrNotFound,
		vaultcreds.ErrMissingField, vaultcreds.ErrSealed, vaultcreds.ErrTLS, vaultcreds.ErrUnavailable, vaultcreds.ErrVault,
	}
	for i, a := range kinds {
		for j, b := range kinds {
			if i != j && errors.Is(a, b) {
				t.Errorf("%v matches %v", a, b)
			}
		}
	}
	_, err := vaultcreds.Fetch(context.Background(), vaultcreds.Config{})
	var e *vaultcreds.Error
	if !errors.As(err, &e) || e.Kind() != vaultcreds.ErrConfig || !strings.HasPrefix(err.Error(), "failed to fetch the HSM credentials: ") {
		t.Errorf("Fetch(empty Config) = %v, want a wrapped *Error of kind ErrConfig", err)
	}
}

package vaultcreds_test

import (
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/vaultcreds"
	"github.com/meshfn/meshfn/hsm-tool/vaultcreds/vaulttest"
)

// TestFetchErrors checks each failure's kind and message (every run also
// checks that the message holds no secret value).
func TestFetchErrors(t *testing.T) {
	for _, tc := range []fetchCase{{
		name:    "wrong token",
		config:  func(_ *testing.T, s *vaulttest.Server) vaultcreds.Config { return tokenConfig(s, "hvs.not-a-token") },
		wantErr: vaultcreds.ErrAuth,
		wantMsg: []string{"rejected the token", "auth/token/lookup-self", "HTTP 403: permission denied", "expired"},
		check: func(t *testing.T, _ *vaultcreds.Credentials, s *vaulttest.Server) {
			if contains(paths(s), "GET /v1/asm-c1/data/hsm") {
				t.Error("the secret was requested with a rejected token")
			}
		},
	}, {
		name: "wrong secret id",
		config: func(t *testing.T, s *vaulttest.Server) vaultcreds.Config {
			return appRoleConfig(t, s, "secret-id-wrong")
		},
		wantErr: vaultcreds.ErrAuth,
		wantMsg: []string{"AppRole login at auth/approle/login", "invalid role or secret ID", "check the role id"},
	}, {
		name: "wrong role id",
		config: func(t *testing.T, s *vaulttest.Server) vaultcreds.Config {
			cfg := appRoleConfig(t, s, testSecretID)
			cfg.Auth.AppRole.RoleID = "role-id-other"
			return cfg
		},
		wantErr: vaultcreds.ErrAuth,
		wantMsg: []string{"invalid role or secret ID"},
	}, {
		name: "wrong JWT",
		config: func(t *testing.T, s *vaulttest.Server) vaultcreds.Config {
			return kubernetesConfig(t, s, "eyJ.other.jwt")
		},
		wantErr: vaultcreds.ErrAuth,
		wantMsg: []string{"Kubernetes login at auth/kubernetes/login", "HTTP 403: permission denied"},
	}, {
		name: "unknown Kubernetes role",
		config: func(t *testing.T, s *vaulttest.Server) vaultcreds.Config {
			cfg := kubernetesConfig(t, s, testJWT)
			cfg.Auth.Kubernetes.Role = "other-role"
			return cfg
		},
		wantErr: vaultcreds.ErrAuth,
		wantMsg: []string{`invalid role name "other-role"`},
	}, {
		name:    "403 on the secret",
		vault:   func(c *vaulttest.Config) { c.Tokens[0].Paths = []string{"asm-c1/data/other"} },
		wantErr: vaultcreds.ErrPermissionDenied,
		wantMsg: []string{"permission denied reading asm-c1/hsm (check the policy of the token/role)"},
	}, {
		name:    "403 on the secret and on detection",
		vault:   func(c *vaulttest.Config) { c.Tokens[0].Paths = []string{"other/*"} },
		wantErr: vaultcreds.ErrPermissionDenied,
		wantMsg: []string{"permission denied reading asm-c1/hsm (check the policy of the token/role", "not detected"},
	}, {
		name:    "403 after an AppRole login",
		vault:   func(c *vaulttest.Config) { c.AppRoles[0].Paths = []string{"asm-c1/data/other"} },
		config:  func(t *testing.T, s *vaulttest.Server) vaultcreds.Config { return appRoleConfig(t, s, testSecretID) },
		wantErr: vaultcreds.ErrPermissionDenied,
		wantMsg: []string{"permission denied reading asm-c1/hsm (check the policy of the token/role)"},
		check:   loginRevoked,
	}, {
		name:    "404 KV v2",
		config:  pathConfig("asm-c1/missing"),
		wantErr: vaultcreds.ErrNotFound,
		wantMsg: []string{"no secret at asm-c1/missing"},
	}, {
		name:    "404 KV v1",
		vault:   kvVersion(1),
		config:  pathConfig("asm-c1/missing"),
		wantErr: vaultcreds.ErrNotFound,
		wantMsg: []string{"no secret at asm-c1/missing"},
	}, {
		name:    "404 with detection forbidden",
		vault:   func(c *vaulttest.Config) { c.MountsForbidden = true; delete(c.Secrets, testSecretPath) },
		wantErr: vaultcreds.ErrNotFound,
		wantMsg: []string{"no secret at asm-c1/hsm"},
	}, {
		name:    "404 for a path with a data/ segment explains the path form",
		config:  pathConfig("asm-c1/data/hsm"),
		wantErr: vaultcreds.ErrNotFound,
		wantMsg: []string{"no secret at asm-c1/data/hsm", "without a data/ segment"},
	}, {
		name:    "latest KV v2 version deleted",
		vault:   func(c *vaulttest.Config) { c.Deleted = map[string]bool{testSecretPath: true} },
		wantErr: vaultcreds.ErrNotFound,
		wantMsg: []string{"no secret at asm-c1/hsm (its latest version was deleted at"},
	}, {
		name: "missing field PIN",
		vault: func(c *vaulttest.Config) {
			delete(c.Secrets[testSecretPath], "PIN")
		},
		wantErr: vaultcreds.ErrMissingField,
		wantMsg: []string{"secret at asm-c1/hsm has no field PIN"},
	}, {
		name:    "PIN not a string",
		vault:   func(c *vaulttest.Config) { c.Secrets[testSecretPath]["PIN"] = true },
		wantErr: vaultcreds.ErrMissingField,
		wantMsg: []string{"field PIN of the secret at asm-c1/hsm is a boolean, not a string"},
	}, {
		name:    "empty PIN",
		vault:   func(c *vaulttest.Config) { c.Secrets[testSecretPath]["PIN"] = "\n" },
		wantErr: vaultcreds.ErrMissingField,
		wantMsg: []string{"secret at asm-c1/hsm has an empty field PIN"},
	}, {
		name:      "sealed",
		vault:     func(c *vaulttest.Config) { c.Sealed = true },
		wantErr:   vaultcreds.ErrSealed,
		wantMsgAt: func(s *vaulttest.Server) []string { return []string{"Vault at " + s.URL + " is sealed"} },
		check: func(t *testing.T, _ *vaultcreds.Credentials, s *vaulttest.Server) {
			if got := paths(s); len(got) != 1 || got[0] != "GET /v1/sys/health" {
				t.Errorf("requests to a sealed Vault: %q, want only sys/health", got)
			}
		},
	}, {
		name: "sealed after the health check (503 Vault is sealed)",
		vault: func(c *vaulttest.Config) {
			c.Overrides = map[string]vaulttest.Override{"/v1/asm-c1/data/hsm": {Status: 503, Errors: []string{"Vault is sealed"}}}
		},
		wantErr:   vaultcreds.ErrSealed,
		wantMsgAt: func(s *vaulttest.Server) []string { return []string{"Vault at " + s.URL + " is sealed"} },
	}, {
		name:    "namespace required but not configured",
		vault:   func(c *vaulttest.Config) { c.Namespace = "team-a" },
		wantErr: vaultcreds.ErrAuth,
		wantMsg: []string{"rejected the token"},
	}, {
		name: "not a KV mount",
		vault: func(c *vaulttest.Config) {
			c.Overrides = map[string]vaulttest.Override{"/v1/asm-c1/data/hsm": {Status: 400, Errors: []string{"unsupported path"}}}
		},
		wantErr: vaultcreds.ErrVault,
		wantMsg: []string{"refused reading asm-c1/hsm (HTTP 400: unsupported path)"},
	}} {
		t.Run(tc.name, tc.run)
	}
}

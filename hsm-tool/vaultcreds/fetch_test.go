package vaultcreds_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/vaultcreds"
	"github.com/meshfn/meshfn/hsm-tool/vaultcreds/vaulttest"
)

// fetchCase is one Fetch against a fake Vault.
type fetchCase struct {
	name string
	// vault adjusts the fake Vault, which starts as vaultWith(2).
	vault func(*vaulttest.Config)
	// config builds the Config; tokenConfig with the valid token when nil.
	config func(*testing.T, *vaulttest.Server) vaultcreds.Config
	// wantErr is the error kind expected; nil for success.
	wantErr error
	// wantMsg are substrings the error message must contain.
	wantMsg []string
	// wantMsgAt returns more such substrings, which depend on the server.
	wantMsgAt func(*vaulttest.Server) []string
	// check runs further checks after the call.
	check func(*testing.T, *vaultcreds.Credentials, *vaulttest.Server)
}

// run starts the fake Vault, calls Fetch and checks the outcome, including
// that no error carries a secret value.
func (tc fetchCase) run(t *testing.T) {
	hermetic(t)
	vc := vaultWith(2)
	if tc.vault != nil {
		tc.vault(&vc)
	}
	srv := vaulttest.New(t, vc)
	cfg := tokenConfig(srv, testToken)
	if tc.config != nil {
		cfg = tc.config(t, srv)
	}
	creds, err := vaultcreds.Fetch(context.Background(), cfg)
	assertNoSecrets(t, err, srv)
	if err != nil {
		t.Logf("error: %v", err)
	}
	switch {
	case tc.wantErr == nil && err != nil:
		t.Fatalf("Fetch: %v", err)
	case tc.wantErr != nil && err == nil:
		t.Fatalf("Fetch succeeded, want an error of kind %v", tc.wantErr)
	case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
		t.Errorf("Fetch error %q is not of kind %v", err, tc.wantErr)
	}
	want := tc.wantMsg
	if tc.wantMsgAt != nil {
		want = append(want, tc.wantMsgAt(srv)...)
	}
	for _, want := range want {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Fetch error %q does not contain %q", err, want)
		}
	}
	if tc.wantErr == nil {
		assertCredentials(t, creds)
	}
	if tc.check != nil {
		tc.check(t, creds, srv)
	}
}

// kvVersion sets the version of the fixture mount.
func kvVersion(v int) func(*vaulttest.Config) {
	return func(c *vaulttest.Config) { c.Mounts[testMount] = v }
}

// wantRequests checks that the server received every one of want.
func wantRequests(want ...string) func(*testing.T, *vaultcreds.Credentials, *vaulttest.Server) {
	return func(t *testing.T, _ *vaultcreds.Credentials, srv *vaulttest.Server) {
		t.Helper()
		got := paths(srv)
		for _, w := range want {
			if !contains(got, w) {
				t.Errorf("request %q not made; requests: %q", w, got)
			}
		}
	}
}

// loginRevoked checks that the token issued by the login was revoked.
func loginRevoked(t *testing.T, _ *vaultcreds.Credentials, srv *vaulttest.Server) {
	t.Helper()
	if live := srv.IssuedTokens(); len(live) != 0 {
		t.Errorf("%d login token(s) left unrevoked", len(live))
	}
	if len(srv.Revoked()) != 1 {
		t.Errorf("revoked %d tokens, want the login token", len(srv.Revoked()))
	}
}

// TestFetchSuccess reads the secret through every auth method and both KV
// versions, including the fallbacks of KV version detection.
func TestFetchSuccess(t *testing.T) {
	for _, tc := range []fetchCase{{
		name:  "token KV v2",
		check: wantRequests("GET /v1/sys/health", "GET /v1/auth/token/lookup-self", "GET /v1/sys/internal/ui/mounts/asm-c1/hsm", "GET /v1/asm-c1/data/hsm"),
	}, {
		name:   "token with a trailing newline",
		config: func(_ *testing.T, s *vaulttest.Server) vaultcreds.Config { return tokenConfig(s, " "+testToken+"\n") },
	}, {
		name:  "token KV v1",
		vault: kvVersion(1),
		check: wantRequests("GET /v1/auth/token/lookup-self", "GET /v1/asm-c1/hsm"),
	}, {
		name:   "AppRole KV v2",
		config: func(t *testing.T, s *vaulttest.Server) vaultcreds.Config { return appRoleConfig(t, s, testSecretID) },
		check: func(t *testing.T, c *vaultcreds.Credentials, s *vaulttest.Server) {
			wantRequests("PUT /v1/auth/approle/login", "GET /v1/asm-c1/data/hsm", "PUT /v1/auth/token/revoke-self")(t, c, s)
			loginRevoked(t, c, s)
		},
	}, {
		name:  "AppRole KV v1 on a custom mount",
		vault: func(c *vaulttest.Config) { c.Mounts[testMount] = 1; c.AppRoleMount = "approle-hsm" },
		config: func(t *testing.T, s *vaulttest.Server) vaultcreds.Config {
			cfg := appRoleConfig(t, s, testSecretID)
			cfg.Auth.AppRole.MountPath = "auth/approle-hsm/"
			return cfg
		},
		check: wantRequests("PUT /v1/auth/approle-hsm/login", "GET /v1/asm-c1/hsm"),
	}, {
		name:  "Kubernetes mounted at the secret path as in the ASM guide, KV v1",
		vault: func(c *vaulttest.Config) { c.Mounts[testMount] = 1; c.KubernetesMount = "asm-c1/hsm" },
		config: func(t *testing.T, s *vaulttest.Server) vaultcreds.Config {
			cfg := kubernetesConfig(t, s, testJWT)
			cfg.Auth.Kubernetes.MountPath = "asm-c1/hsm"
			return cfg
		},
		check: func(t *testing.T, c *vaultcreds.Credentials, s *vaulttest.Server) {
			wantRequests("PUT /v1/auth/asm-c1/hsm/login", "GET /v1/asm-c1/hsm")(t, c, s)
			loginRevoked(t, c, s)
		},
	}, {
		name:   "Kubernetes default mount, KV v2",
		config: func(t *testing.T, s *vaulttest.Server) vaultcreds.Config { return kubernetesConfig(t, s, testJWT) },
		check:  wantRequests("PUT /v1/auth/kubernetes/login", "GET /v1/asm-c1/data/hsm"),
	}, {
		name:  "detection forbidden, KV v2 read directly",
		vault: func(c *vaulttest.Config) { c.MountsForbidden = true },
		check: wantRequests("GET /v1/asm-c1/data/hsm"),
	}, {
		name:  "detection forbidden, KV v1 after a v2 miss",
		vault: func(c *vaulttest.Config) { c.MountsForbidden = true; c.Mounts[testMount] = 1 },
		check: wantRequests("GET /v1/asm-c1/data/hsm", "GET /v1/asm-c1/hsm"),
	}, {
		name: "detection forbidden, policy covers only the v1 path",
		vault: func(c *vaulttest.Config) {
			c.MountsForbidden = true
			c.Mounts[testMount] = 1
			c.Tokens[0].Paths = []string{"asm-c1/hsm"}
		},
	}, {
		name:  "old Vault without the mounts endpoint is KV v1",
		vault: func(c *vaulttest.Config) { c.MountsMissing = true; c.Mounts[testMount] = 1 },
		check: wantRequests("GET /v1/asm-c1/hsm"),
	}, {
		name:  "policy limited to the secret",
		vault: func(c *vaulttest.Config) { c.Tokens[0].Paths = []string{"asm-c1/data/hsm"} },
	}, {
		name: "namespace sent on every request but sys/health",
		vault: func(c *vaulttest.Config) {
			c.Namespace = "team-a"
			c.MountPathWithNamespace = true
		},
		config: func(t *testing.T, s *vaulttest.Server) vaultcreds.Config {
			cfg := appRoleConfig(t, s, testSecretID)
			cfg.Namespace = "/team-a/"
			return cfg
		},
		check: func(t *testing.T, c *vaultcreds.Credentials, s *vaulttest.Server) {
			for _, r := range s.Requests() {
				want := "team-a"
				if r.Path == "/v1/sys/health" {
					want = ""
				}
				if r.Namespace != want {
					t.Errorf("%s %s: namespace %q, want %q", r.Method, r.Path, r.Namespace, want)
				}
			}
			wantRequests("GET /v1/asm-c1/data/hsm")(t, c, s)
		},
	}} {
		t.Run(tc.name, tc.run)
	}
}

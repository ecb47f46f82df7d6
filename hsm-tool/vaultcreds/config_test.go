package vaultcreds_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/vaultcreds"
	"github.com/meshfn/meshfn/hsm-tool/vaultcreds/vaulttest"
)

// TestFetchConfigErrors checks the errors found before any request: auth
// methods missing or conflicting, unreadable credential files, bad
// addresses and paths.
func TestFetchConfigErrors(t *testing.T) {
	hermetic(t)
	srv := vaulttest.New(t, vaultWith(2))
	appRole := &vaultcreds.AppRole{RoleID: testRoleID, SecretIDFile: writeFile(t, "secret-id", testSecretID)}
	k8s := &vaultcreds.Kubernetes{Role: testK8sRole, JWTPath: writeFile(t, "jwt", testJWT)}
	unreadable := writeFile(t, "unreadable", testSecretID)
	if err := os.Chmod(unreadable, 0); err != nil {
		t.Fatal(err)
	}
	with := func(mutate func(*vaultcreds.Config)) vaultcreds.Config {
		cfg := tokenConfig(srv, "")
		mutate(&cfg)
		return cfg
	}
	for _, tc := range []struct {
		name string
		cfg  vaultcreds.Config
		want []string
		skip bool
	}{
		{"no auth method", with(func(*vaultcreds.Config) {}), []string{"no Vault auth method configured"}, false},
		{"token and AppRole", with(func(c *vaultcreds.Config) { c.Auth = vaultcreds.Auth{Token: testToken, AppRole: appRole} }),
			[]string{"conflicting Vault auth methods configured: token (VAULT_TOKEN) and AppRole; set exactly one"}, false},
		{"AppRole and Kubernetes", with(func(c *vaultcreds.Config) { c.Auth = vaultcreds.Auth{AppRole: appRole, Kubernetes: k8s} }),
			[]string{"conflicting Vault auth methods configured: AppRole and Kubernetes"}, false},
		{"all three", with(func(c *vaultcreds.Config) {
			c.Auth = vaultcreds.Auth{Token: testToken, AppRole: appRole, Kubernetes: k8s}
		}), []string{"token (VAULT_TOKEN) and AppRole and Kubernetes"}, false},
		{"AppRole without role id", with(func(c *vaultcreds.Config) {
			c.Auth.AppRole = &vaultcreds.AppRole{SecretIDFile: appRole.SecretIDFile}
		}), []string{"AppRole auth needs a role id"}, false},
		{"secret-id file missing", with(func(c *vaultcreds.Config) {
			c.Auth.AppRole = &vaultcreds.AppRole{RoleID: testRoleID, SecretIDFile: t.TempDir() + "/nope"}
		}), []string{"failed to read the AppRole secret-id file", "/nope"}, false},
		{"secret-id file unreadable", with(func(c *vaultcreds.Config) {
			c.Auth.AppRole = &vaultcreds.AppRole{RoleID: testRoleID, SecretIDFile: unreadable}
		}), []string{"failed to read the AppRole secret-id file", "permission denied"}, os.Geteuid() == 0},
		{"secret-id file is a directory", with(func(c *vaultcreds.Config) {
			c.Auth.AppRole = &vaultcreds.AppRole{RoleID: testRoleID, SecretIDFile: t.TempDir()}
		}), []string{"AppRole secret-id file", "not a regular file"}, false},
		{"secret-id file readable by others", with(func(c *vaultcreds.Config) {
			p := writeFile(t, "shared", testSecretID)
			if err := os.Chmod(p, 0o644); err != nil {
				t.Fatal(err)
			}
			c.Auth.AppRole = &vaultcreds.AppRole{RoleID: testRoleID, SecretIDFile: p}
		}), []string{"AppRole secret-id file", "readable by group or others"}, false},
		{"secret-id file empty", with(func(c *vaultcreds.Config) {
			c.Auth.AppRole = &vaultcreds.AppRole{RoleID: testRoleID, SecretIDFile: writeFile(t, "empty", " \n")}
		}), []string{"the AppRole secret-id file", "is empty"}, false},
		{"JWT file missing", with(func(c *vaultcreds.Config) {
			c.Auth.Kubernetes = &vaultcreds.Kubernetes{Role: testK8sRole, JWTPath: t.TempDir() + "/token"}
		}), []string{"failed to read the Kubernetes service-account token file"}, false},
		{"Kubernetes without role", with(func(c *vaultcreds.Config) {
			c.Auth.Kubernetes = &vaultcreds.Kubernetes{JWTPath: k8s.JWTPath}
		}), []string{"Kubernetes auth needs a role"}, false},
		{"token with a control character", with(func(c *vaultcreds.Config) { c.Auth.Token = "hvs.a\x00b" }),
			[]string{"the Vault token contains non-printable characters"}, false},
		{"no address", with(func(c *vaultcreds.Config) { c.Addr = ""; c.Auth.Token = testToken }),
			[]string{"no Vault address: set VAULT_ADDR"}, false},
		{"plain http to a remote host", with(func(c *vaultcreds.Config) {
			c.Addr = "http://vault.example.com:8200"
			c.Auth.Token = testToken
		}), []string{"refusing to send HSM credentials over plain http"}, false},
		{"address without scheme", with(func(c *vaultcreds.Config) { c.Addr = "vault:8200"; c.Auth.Token = testToken }),
			[]string{"invalid Vault address"}, false},
		{"secret path without a name", with(func(c *vaultcreds.Config) { c.SecretPath = "asm-c1/"; c.Auth.Token = testToken }),
			[]string{`invalid secret path "asm-c1"`}, false},
		{"secret path with ..", with(func(c *vaultcreds.Config) { c.SecretPath = "asm-c1/../x"; c.Auth.Token = testToken }),
			[]string{"invalid secret path"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip {
				t.Skip("running as root: every file is readable")
			}
			before := len(srv.Requests())
			_, err := vaultcreds.Fetch(context.Background(), tc.cfg)
			assertNoSecrets(t, err, srv)
			if !errors.Is(err, vaultcreds.ErrConfig) {
				t.Fatalf("Fetch error %v, want kind ErrConfig", err)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Fetch error %q does not contain %q", err, want)
				}
			}
			if got := len(srv.Requests()); got != before {
				t.Errorf("%d request(s) sent despite a configuration error", got-before)
			}
		})
	}
}

// TestFetchIgnoresVaultEnvironment checks that VAULT_TOKEN and
// VAULT_NAMESPACE, which vault/api would pick up by itself, have no effect.
func TestFetchIgnoresVaultEnvironment(t *testing.T) {
	hermetic(t)
	srv := vaulttest.New(t, vaultWith(2))
	t.Setenv("VAULT_TOKEN", testToken)
	t.Setenv("VAULT_NAMESPACE", "from-env")
	creds, err := vaultcreds.Fetch(context.Background(), kubernetesConfig(t, srv, testJWT))
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	assertCredentials(t, creds)
	for _, r := range srv.Requests() {
		if r.Namespace != "" {
			t.Errorf("%s %s sent namespace %q from the environment", r.Method, r.Path, r.Namespace)
		}
		if r.Path == "/v1/auth/kubernetes/login" && r.HasToken {
			t.Errorf("the login carried VAULT_TOKEN from the environment")
		}
	}
}

// TestFetchFieldVariants checks lenient field handling: case-insensitive
// names, a numeric PIN, a PIN with a trailing newline, absent optional fields.
func TestFetchFieldVariants(t *testing.T) {
	hermetic(t)
	vc := vaultWith(1)
	vc.Secrets = map[string]map[string]any{
		"asm-c1/numeric": {"pin": 123456},
		"asm-c1/newline": {"PIN": testPIN + "\r\n", "ServerCert": testServerCert},
		"asm-c1/twice":   {"pin": "a", "Pin": "b"},
	}
	srv := vaulttest.New(t, vc)
	read := func(path string) (*vaultcreds.Credentials, error) {
		return vaultcreds.Fetch(context.Background(), pathConfig(path)(t, srv))
	}
	if c, err := read("asm-c1/numeric"); err != nil || string(c.PIN) != "123456" || c.ClientKey != nil {
		t.Errorf("numeric PIN: %+v, %v", c, err)
	}
	if c, err := read("asm-c1/newline"); err != nil || string(c.PIN) != testPIN || string(c.ServerCert) != testServerCert {
		t.Errorf("PIN with newline: %v", err)
	}
	_, err := read("asm-c1/twice")
	assertNoSecrets(t, err, srv)
	if !errors.Is(err, vaultcreds.ErrMissingField) || !strings.Contains(err.Error(), "several fields named like PIN (Pin, pin)") {
		t.Errorf("ambiguous PIN: %v", err)
	}
}

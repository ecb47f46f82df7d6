package vaultcreds_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/vaultcreds"
	"github.com/meshfn/meshfn/hsm-tool/vaultcreds/vaulttest"
)

// Secret values of the fixtures. Each is distinctive so that finding it in
// an error message is unambiguous.
const (
	testPIN        = "pin-7f3a9-Sx42"
	testClientCert = "-----BEGIN CERTIFICATE-----\nY2xpZW50LWNlcnQtUTF3Mg==\n-----END CERTIFICATE-----\n"
	testClientKey  = "-----BEGIN PRIVATE KEY-----\nY2xpZW50LWtleS1aOXg4\n-----END PRIVATE KEY-----\n"
	testServerCert = "-----BEGIN CERTIFICATE-----\nc2VydmVyLWNlcnQtUDBvOQ==\n-----END CERTIFICATE-----\n"
	testToken      = "hvs.token-A1b2C3d4"
	testRoleID     = "role-id-hsm-ceremony"
	testSecretID   = "6f1c9a4e-2b7d-4c3e-9f8a-1d2e3f4a5b6c"
	testJWT        = "eyJhbGciOiJSUzI1NiJ9.c2EtdG9rZW4tSzRsNQ.sig-M6n7"
	testK8sRole    = "hsm-tool"
	testMount      = "asm-c1"
	testSecretPath = "asm-c1/hsm"
)

// secretMarkers are the values no error may contain: the PIN, the key's
// body, the token, the secret id and the JWT (and its parts).
var secretMarkers = []string{
	testPIN, "Y2xpZW50LWtleS1aOXg4", testToken, testSecretID, testJWT, "c2EtdG9rZW4tSzRsNQ", "sig-M6n7",
}

// hsmFields is the HSM secret as the ASM guide stores it.
func hsmFields() map[string]any {
	return map[string]any{
		"PIN":        testPIN,
		"clientcert": testClientCert,
		"clientkey":  testClientKey,
		"servercert": testServerCert,
	}
}

// vaultWith returns a fake Vault with the HSM secret on a KV mount of the
// given version, the test token, an AppRole and a Kubernetes role.
func vaultWith(version int) vaulttest.Config {
	return vaulttest.Config{
		Mounts:          map[string]int{testMount: version},
		Secrets:         map[string]map[string]any{testSecretPath: hsmFields()},
		Tokens:          []vaulttest.Token{{ID: testToken, Policies: []string{"hsm-read"}}},
		AppRoles:        []vaulttest.AppRole{{RoleID: testRoleID, SecretID: testSecretID, Policies: []string{"hsm-read"}}},
		KubernetesRoles: []vaulttest.KubernetesRole{{Role: testK8sRole, JWT: testJWT, Policies: []string{"hsm-read"}}},
	}
}

// writeFile writes content to a new file in a temporary directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// tokenConfig is a Config for srv with token auth.
func tokenConfig(srv *vaulttest.Server, token string) vaultcreds.Config {
	return vaultcreds.Config{
		Addr: srv.URL, CACert: srv.CACertFile, SecretPath: testSecretPath,
		Auth: vaultcreds.Auth{Token: token},
	}
}

// pathConfig is a token Config for srv that reads the secret at path instead of
// testSecretPath.
func pathConfig(path string) func(*testing.T, *vaulttest.Server) vaultcreds.Config {
	return func(_ *testing.T, srv *vaulttest.Server) vaultcreds.Config {
		cfg := tokenConfig(srv, testToken)
		cfg.SecretPath = path
		return cfg
	}
}

// appRoleConfig is a Config for srv with AppRole auth and the given secret id.
func appRoleConfig(t *testing.T, srv *vaulttest.Server, secretID string) vaultcreds.Config {
	return vaultcreds.Config{
		Addr: srv.URL, CACert: srv.CACertFile, SecretPath: testSecretPath,
		Auth: vaultcreds.Auth{AppRole: &vaultcreds.AppRole{
			RoleID: testRoleID, SecretIDFile: writeFile(t, "secret-id", secretID+"\n"),
		}},
	}
}

// kubernetesConfig is a Config for srv with Kubernetes auth and the given JWT.
func kubernetesConfig(t *testing.T, srv *vaulttest.Server, jwt string) vaultcreds.Config {
	return vaultcreds.Config{
		Addr: srv.URL, CACert: srv.CACertFile, SecretPath: testSecretPath,
		Auth: vaultcreds.Auth{Kubernetes: &vaultcreds.Kubernetes{
			Role: testK8sRole, JWTPath: writeFile(t, "token", jwt),
		}},
	}
}

// hermetic clears the VAULT_* variables vault/api reads on its own, so
// that a developer's environment cannot change the outcome.
func hermetic(t *testing.T) {
	for _, name := range []string{
		"VAULT_ADDR", "VAULT_TOKEN", "VAULT_NAMESPACE", "VAULT_CACERT", "VAULT_CAPATH", "VAULT_CACERT_BYTES",
		"VAULT_CLIENT_CERT", "VAULT_CLIENT_KEY", "VAULT_SKIP_VERIFY", "VAULT_HEADERS", "VAULT_AGENT_ADDR",
		"VAULT_MAX_RETRIES", "VAULT_RATE_LIMIT", "VAULT_CLIENT_TIMEOUT", "VAULT_SRV_LOOKUP",
		"VAULT_TLS_SERVER_NAME", "VAULT_HTTP_PROXY", "VAULT_PROXY_ADDR", "VAULT_DISABLE_REDIRECTS",
	} {
		t.Setenv(name, "")
	}
}

// assertNoSecrets fails if err's message (or any error it wraps) contains
// a secret value of the fixtures or a token the server issued.
func assertNoSecrets(t *testing.T, err error, srv *vaulttest.Server) {
	t.Helper()
	if err == nil {
		return
	}
	markers := append([]string(nil), secretMarkers...)
	if srv != nil {
		markers = append(markers, srv.IssuedTokens()...)
		markers = append(markers, srv.Revoked()...)
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, m := range markers {
			if strings.Contains(e.Error(), m) {
				t.Errorf("error contains the secret value %q: %v", m, e)
			}
		}
	}
}

// assertCredentials checks the credentials against the fixtures.
func assertCredentials(t *testing.T, got *vaultcreds.Credentials) {
	t.Helper()
	if got == nil {
		t.Fatal("no credentials")
	}
	for name, pair := range map[string][2]string{
		"PIN":        {string(got.PIN), testPIN},
		"ClientCert": {string(got.ClientCert), testClientCert},
		"ClientKey":  {string(got.ClientKey), testClientKey},
		"ServerCert": {string(got.ServerCert), testServerCert},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s = %q, want %q", name, pair[0], pair[1])
		}
	}
}

// paths returns the "METHOD path" of each request the server received.
func paths(srv *vaulttest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

package vaultcreds_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/vaultcreds"
	"github.com/meshfn/meshfn/hsm-tool/vaultcreds/vaulttest"
)

// TestFetchTLS checks the trust of Vault's certificate: the CA bundle of
// CACert is used, and without it (or with another CA) the failure names
// VAULT_CACERT and nothing reaches Vault.
func TestFetchTLS(t *testing.T) {
	hermetic(t)
	srv := vaulttest.New(t, vaultWith(2))
	other := vaulttest.New(t, vaultWith(2))

	t.Run("CACert trusted", func(t *testing.T) {
		creds, err := vaultcreds.Fetch(context.Background(), tokenConfig(srv, testToken))
		if err != nil {
			t.Fatalf("Fetch: %v", err)
		}
		assertCredentials(t, creds)
	})
	for name, caFile := range map[string]string{"system roots": "", "another CA": other.CACertFile} {
		t.Run(name, func(t *testing.T) {
			before := len(srv.Requests())
			cfg := tokenConfig(srv, testToken)
			cfg.CACert = caFile
			_, err := vaultcreds.Fetch(context.Background(), cfg)
			assertNoSecrets(t, err, srv)
			t.Logf("error: %v", err)
			if !errors.Is(err, vaultcreds.ErrTLS) {
				t.Fatalf("Fetch error %v, want kind ErrTLS", err)
			}
			for _, want := range []string{"failed to verify the TLS certificate of Vault at " + srv.URL, "VAULT_CACERT"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Fetch error %q does not contain %q", err, want)
				}
			}
			if got := len(srv.Requests()); got != before {
				t.Errorf("%d request(s) reached Vault over an unverified connection", got-before)
			}
		})
	}
	t.Run("CACert unreadable", func(t *testing.T) {
		cfg := tokenConfig(srv, testToken)
		cfg.CACert = t.TempDir() + "/missing.pem"
		_, err := vaultcreds.Fetch(context.Background(), cfg)
		if !errors.Is(err, vaultcreds.ErrConfig) || !strings.Contains(err.Error(), "VAULT_CACERT") {
			t.Fatalf("Fetch error %v, want kind ErrConfig naming VAULT_CACERT", err)
		}
	})
	t.Run("CACert without certificates", func(t *testing.T) {
		cfg := tokenConfig(srv, testToken)
		cfg.CACert = writeFile(t, "ca.pem", "not a certificate\n")
		_, err := vaultcreds.Fetch(context.Background(), cfg)
		if !errors.Is(err, vaultcreds.ErrConfig) || !strings.Contains(err.Error(), "no PEM certificate") {
			t.Fatalf("Fetch error %v, want kind ErrConfig for a bundle without certificates", err)
		}
	})
}

// TestFetchPlainHTTPServer checks that an https address served in plain
// HTTP is reported as a TLS problem.
func TestFetchPlainHTTPServer(t *testing.T) {
	hermetic(t)
	plain := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plain.Close)
	addr := "https://" + strings.TrimPrefix(plain.URL, "http://")
	_, err := vaultcreds.Fetch(context.Background(), vaultcreds.Config{
		Addr: addr, SecretPath: testSecretPath, Auth: vaultcreds.Auth{Token: testToken},
	})
	assertNoSecrets(t, err, nil)
	t.Logf("error: %v", err)
	if !errors.Is(err, vaultcreds.ErrTLS) || !strings.Contains(err.Error(), "plain HTTP") {
		t.Fatalf("Fetch error %v, want kind ErrTLS about plain HTTP", err)
	}
}

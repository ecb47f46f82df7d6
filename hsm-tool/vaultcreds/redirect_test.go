package vaultcreds_test

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/vaultcreds"
	"github.com/meshfn/meshfn/hsm-tool/vaultcreds/vaulttest"
)

// catcher is a server on another host that counts the requests carrying a Vault
// credential: the token header, or a login body.
type catcher struct {
	*httptest.Server
	credentials atomic.Int32
	requests    atomic.Int32
}

func newCatcher(t *testing.T) *catcher {
	c := &catcher{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.requests.Add(1)
		if r.Header.Get("X-Vault-Token") != "" || r.Method == http.MethodPost || r.Method == http.MethodPut {
			c.credentials.Add(1)
		}
		w.WriteHeader(http.StatusForbidden)
	}))
	t.Cleanup(c.Close)
	return c
}

// redirector answers every request with 307 to the same path on target.
func redirector(t *testing.T, target string, tls bool) *httptest.Server {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", target+r.URL.RequestURI())
		w.WriteHeader(http.StatusTemporaryRedirect)
	})
	var s *httptest.Server
	if tls {
		s = httptest.NewTLSServer(h)
	} else {
		s = httptest.NewServer(h)
	}
	t.Cleanup(s.Close)
	return s
}

// TestFetchNeverFollowsRedirects: when Vault answers 307 to another host, that host never
// receives the token, the AppRole secret id or the JWT, and Fetch fails naming the
// redirect. (Before the fix vault/api followed the 307 with the credential.)
func TestFetchNeverFollowsRedirects(t *testing.T) {
	hermetic(t)
	other := newCatcher(t)
	// "localhost" and 127.0.0.1 are different hosts to an HTTP client.
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	for _, tc := range []struct {
		name string
		cfg  func(t *testing.T, front string) vaultcreds.Config
	}{
		{"token, to another host", func(t *testing.T, front string) vaultcreds.Config {
			return vaultcreds.Config{Addr: front, SecretPath: testSecretPath, Auth: vaultcreds.Auth{Token: testToken}}
		}},
		{"AppRole, to another host", func(t *testing.T, front string) vaultcreds.Config {
			return vaultcreds.Config{Addr: front, SecretPath: testSecretPath, Auth: vaultcreds.Auth{AppRole: &vaultcreds.AppRole{
				RoleID: testRoleID, SecretIDFile: writeFile(t, "secret-id", testSecretID)}}}
		}},
		{"Kubernetes, to another host", func(t *testing.T, front string) vaultcreds.Config {
			return vaultcreds.Config{Addr: front, SecretPath: testSecretPath, Auth: vaultcreds.Auth{Kubernetes: &vaultcreds.Kubernetes{
				Role: testK8sRole, JWTPath: writeFile(t, "jwt", testJWT)}}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := other.credentials.Load()
			front := redirector(t, otherURL, false)
			_, err := vaultcreds.Fetch(context.Background(), tc.cfg(t, front.URL))
			assertNoSecrets(t, err, nil)
			if err == nil || !strings.Contains(err.Error(), "redirect") {
				t.Errorf("Fetch error = %v, want one naming the redirect", err)
			}
			if n := other.credentials.Load() - before; n > 0 {
				t.Errorf("the other host received %d requests with credentials", n)
			}
		})
	}
}

// TestFetchNeverFollowsRedirectToPlainHTTP: a Vault on https redirecting to http on the
// same host gets no credential over plain http.
func TestFetchNeverFollowsRedirectToPlainHTTP(t *testing.T) {
	hermetic(t)
	srv := vaulttest.New(t, vaultWith(2))
	plain := newCatcher(t)
	front := redirector(t, plain.URL, true)
	cfg := tokenConfig(srv, testToken)
	cfg.Addr = front.URL
	cfg.CACert = writeFile(t, "front-ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: front.Certificate().Raw})))
	_, err := vaultcreds.Fetch(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Fatalf("Fetch error = %v, want one naming the redirect", err)
	}
	assertNoSecrets(t, err, nil)
	if n := plain.credentials.Load(); n > 0 {
		t.Errorf("the plain-http server received %d requests with credentials", n)
	}
}

// Package vaulttest is an in-process stand-in for HashiCorp Vault, for
// tests: an httptest TLS server (with its own throw-away CA) that answers
// exactly the Vault HTTP API endpoints package vaultcreds uses, with the
// request and response shapes of Vault's API documentation:
//
//	GET      /v1/sys/health                     (sys/health; *code query parameters honoured)
//	GET      /v1/sys/internal/ui/mounts/<path>  (mount of a path; options.version "1"/"2")
//	GET      /v1/<mount>/<path>                 (KV v1 read secret: data)
//	GET      /v1/<mount>/data/<path>            (KV v2 read secret version: data.data, data.metadata)
//	GET      /v1/auth/token/lookup-self         (token lookup)
//	POST|PUT /v1/auth/token/revoke-self         (token revocation; 204)
//	POST|PUT /v1/auth/<approle-mount>/login     (role_id, secret_id → auth.client_token)
//	POST|PUT /v1/auth/<kubernetes-mount>/login  (role, jwt → auth.client_token)
//
// Tokens travel in the X-Vault-Token header. Failures answer as Vault does:
// 403 {"errors":["permission denied"]}, 404 {"errors":[]}, and, while
// sealed, 503 {"errors":["Vault is sealed"]} on everything but sys/health.
//
// The shapes follow Vault's API documentation: "KV secrets engine - version
// 1" (Read secret), "version 2" (Read secret version), "/sys/internal/ui/
// mounts" (Get single mount details, wrapped in the usual response envelope
// as the vault CLI's preflight parses it), "/sys/health", "Token auth
// method" (Lookup a token (self), Revoke a token (self)), "AppRole auth
// method" (Login with AppRole) and "Kubernetes auth method" (Login). The
// documentation leaves some failures unspecified; these follow Vault's
// behaviour as the vault CLI sees it: a wrong AppRole role id or secret id
// is a 400 "invalid role or secret ID", an unknown Kubernetes role a 400
// "invalid role name", a JWT the role rejects a 403, a mount lookup without
// capabilities under the mount a 403, and reading a KV v2 mount without
// "data/" a 404 with a warning.
package vaulttest

import (
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Config describes the fake Vault's content and behaviour.
type Config struct {
	// Mounts maps each KV mount path (e.g. "asm-c1") to its KV version, 1 or 2.
	Mounts map[string]int
	// Secrets maps logical secret paths, mount included (e.g. "asm-c1/hsm"),
	// to their fields.
	Secrets map[string]map[string]any
	// Deleted lists logical secret paths whose latest KV v2 version is
	// soft-deleted: reads answer 404 with metadata and no data.
	Deleted map[string]bool

	// Tokens are the tokens Vault accepts in X-Vault-Token.
	Tokens []Token
	// AppRoleMount is the AppRole auth mount; "approle" when empty.
	AppRoleMount string
	// AppRoles are the role id / secret id pairs the AppRole login accepts.
	AppRoles []AppRole
	// KubernetesMount is the Kubernetes auth mount; "kubernetes" when empty.
	KubernetesMount string
	// KubernetesRoles are the role / JWT pairs the Kubernetes login accepts.
	KubernetesRoles []KubernetesRole

	// Namespace, when set, must be sent as X-Vault-Namespace on every
	// request but sys/health; requests without it (or with another one) are
	// answered 403 permission denied, as the root namespace would.
	Namespace string
	// MountPathWithNamespace makes sys/internal/ui/mounts report the mount
	// path with the namespace in front (e.g. "ns1/asm-c1/").
	MountPathWithNamespace bool
	// Sealed answers 503 "Vault is sealed" to every request but sys/health,
	// which reports sealed.
	Sealed bool
	// MountsForbidden answers 403 to sys/internal/ui/mounts/<path>, as for
	// a token whose policy does not cover the mount.
	MountsForbidden bool
	// MountsMissing answers 404 to sys/internal/ui/mounts/<path>, as a Vault
	// older than that endpoint does.
	MountsMissing bool
	// Overrides answers the given request paths (e.g.
	// "/v1/asm-c1/data/hsm") with a fixed error, for failure modes the
	// options above do not cover.
	Overrides map[string]Override
}

// Token is a Vault token and what it may read.
type Token struct {
	// ID is the token itself.
	ID string
	// Policies are reported by lookup-self.
	Policies []string
	// Paths are the API paths (below /v1/) the token may read; a trailing
	// "*" matches any suffix, as in Vault policies ("asm-c1/data/*"). Empty
	// means every path.
	Paths []string
}

// AppRole is an AppRole role id with one accepted secret id; a successful
// login issues a token with the given policies and paths.
type AppRole struct {
	RoleID   string
	SecretID string
	Policies []string
	Paths    []string
}

// KubernetesRole is a Kubernetes auth role accepting one service-account
// JWT; a successful login issues a token with the given policies and paths.
type KubernetesRole struct {
	Role     string
	JWT      string
	Policies []string
	Paths    []string
}

// Override is a fixed error answer: an HTTP status and Vault's errors list.
type Override struct {
	Status int
	Errors []string
}

// Request is a request the server received, without credentials or body.
type Request struct {
	Method    string
	Path      string // URL path, e.g. "/v1/auth/token/lookup-self"
	Namespace string // X-Vault-Namespace
	HasToken  bool   // whether X-Vault-Token was sent
}

// Server is a running fake Vault.
type Server struct {
	// URL is the server's https address (VAULT_ADDR).
	URL string
	// CACertPEM is the PEM certificate of the CA that issued the server's
	// certificate.
	CACertPEM []byte
	// CACertFile is CACertPEM written to a file (VAULT_CACERT).
	CACertFile string

	cfg      Config
	srv      *httptest.Server
	mu       sync.Mutex
	tokens   map[string]Token
	issued   map[string]bool
	revoked  []string
	requests []Request
}

// New starts a fake Vault with cfg and stops it when the test ends.
func New(t testing.TB, cfg Config) *Server {
	t.Helper()
	pki, err := newServerPKI()
	if err != nil {
		t.Fatalf("vaulttest: %v", err)
	}
	if cfg.AppRoleMount == "" {
		cfg.AppRoleMount = "approle"
	}
	if cfg.KubernetesMount == "" {
		cfg.KubernetesMount = "kubernetes"
	}
	s := &Server{cfg: cfg, CACertPEM: pki.caPEM, tokens: map[string]Token{}, issued: map[string]bool{}}
	for _, tok := range cfg.Tokens {
		s.tokens[tok.ID] = tok
	}
	s.CACertFile = filepath.Join(t.TempDir(), "vault-ca.pem")
	if err := os.WriteFile(s.CACertFile, pki.caPEM, 0o600); err != nil {
		t.Fatalf("vaulttest: failed to write the CA file: %v", err)
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // TLS failures are expected in tests
	s.srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.leaf}, MinVersion: tls.VersionTLS12}
	s.srv.StartTLS()
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// IssuedTokens returns the tokens issued by logins and not yet revoked.
func (s *Server) IssuedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var live []string
	for id, ok := range s.issued {
		if ok {
			live = append(live, id)
		}
	}
	return live
}

// Revoked returns the tokens revoked through auth/token/revoke-self.
func (s *Server) Revoked() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.revoked...)
}

// serveHTTP routes a request as Vault would.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.record(r)
	path, ok := strings.CutPrefix(r.URL.Path, "/v1/")
	if !ok {
		writeErrors(w, http.StatusNotFound)
		return
	}
	if path == "sys/health" {
		s.health(w, r)
		return
	}
	if s.cfg.Sealed {
		writeErrors(w, http.StatusServiceUnavailable, "Vault is sealed")
		return
	}
	if s.cfg.Namespace != "" && strings.Trim(r.Header.Get("X-Vault-Namespace"), "/") != s.cfg.Namespace {
		writeErrors(w, http.StatusForbidden, "permission denied")
		return
	}
	if o, ok := s.cfg.Overrides[r.URL.Path]; ok {
		writeErrors(w, o.Status, o.Errors...)
		return
	}
	s.route(w, r, path)
}

// route dispatches an API path to its handler.
func (s *Server) route(w http.ResponseWriter, r *http.Request, path string) {
	switch {
	case strings.HasPrefix(path, "sys/internal/ui/mounts/"):
		s.mountInfo(w, r, strings.TrimPrefix(path, "sys/internal/ui/mounts/"))
	case path == "auth/token/lookup-self":
		s.lookupSelf(w, r)
	case path == "auth/token/revoke-self":
		s.revokeSelf(w, r)
	case path == "auth/"+s.cfg.AppRoleMount+"/login":
		s.appRoleLogin(w, r)
	case path == "auth/"+s.cfg.KubernetesMount+"/login":
		s.kubernetesLogin(w, r)
	default:
		s.readKV(w, r, path)
	}
}

// record appends r to the request log.
func (s *Server) record(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{
		Method:    r.Method,
		Path:      r.URL.Path,
		Namespace: r.Header.Get("X-Vault-Namespace"),
		HasToken:  r.Header.Get("X-Vault-Token") != "",
	})
}

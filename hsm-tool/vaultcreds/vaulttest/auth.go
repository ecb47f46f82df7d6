package vaulttest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Lifetimes reported for tokens.
const (
	staticTokenTTL = 2764800 // 768h, Vault's default max TTL
	loginTokenTTL  = 1200
)

// token returns the token of the request, if Vault knows it.
func (s *Server) token(r *http.Request) (Token, bool) {
	id := r.Header.Get("X-Vault-Token")
	if id == "" {
		return Token{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tok, ok := s.tokens[id]
	return tok, ok
}

// mayRead reports whether tok's paths cover the API path p.
func (tok Token) mayRead(p string) bool {
	if len(tok.Paths) == 0 {
		return true
	}
	for _, pattern := range tok.Paths {
		if prefix, glob := strings.CutSuffix(pattern, "*"); (glob && strings.HasPrefix(p, prefix)) || pattern == p {
			return true
		}
	}
	return false
}

// mayUseMount reports whether tok may read anything under mount, which is
// what sys/internal/ui/mounts/<path> requires.
func (tok Token) mayUseMount(mount string) bool {
	if len(tok.Paths) == 0 {
		return true
	}
	for _, pattern := range tok.Paths {
		if pattern == "*" || strings.HasPrefix(pattern, mount+"/") {
			return true
		}
	}
	return false
}

// lookupSelf answers auth/token/lookup-self with the documented token
// information (including its "id", the token itself, as Vault does).
func (s *Server) lookupSelf(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeErrors(w, http.StatusMethodNotAllowed, "unsupported operation")
		return
	}
	tok, ok := s.token(r)
	if !ok {
		writeErrors(w, http.StatusForbidden, "permission denied")
		return
	}
	now := time.Now()
	writeJSON(w, http.StatusOK, newEnvelope(map[string]any{
		"accessor":          "acc-" + newID(),
		"creation_time":     now.Unix(),
		"creation_ttl":      staticTokenTTL,
		"display_name":      "token",
		"entity_id":         "",
		"expire_time":       now.Add(staticTokenTTL * time.Second).Format(time.RFC3339Nano),
		"explicit_max_ttl":  0,
		"id":                tok.ID,
		"identity_policies": []string{},
		"issue_time":        now.Format(time.RFC3339Nano),
		"meta":              nil,
		"num_uses":          0,
		"orphan":            true,
		"path":              "auth/token/create",
		"policies":          append([]string{"default"}, tok.Policies...),
		"renewable":         true,
		"ttl":               staticTokenTTL,
	}))
}

// revokeSelf answers auth/token/revoke-self: the calling token stops
// working; 204 without a body.
func (s *Server) revokeSelf(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		writeErrors(w, http.StatusMethodNotAllowed, "unsupported operation")
		return
	}
	tok, ok := s.token(r)
	if !ok {
		writeErrors(w, http.StatusForbidden, "permission denied")
		return
	}
	s.mu.Lock()
	delete(s.tokens, tok.ID)
	if s.issued[tok.ID] {
		s.issued[tok.ID] = false
	}
	s.revoked = append(s.revoked, tok.ID)
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// appRoleLogin answers auth/<approle mount>/login (role_id, secret_id).
// Vault's AppRole answers a wrong role id or secret id with 400 "invalid
// role or secret ID".
func (s *Server) appRoleLogin(w http.ResponseWriter, r *http.Request) {
	var body struct {
		RoleID   string `json:"role_id"`
		SecretID string `json:"secret_id"`
	}
	if !decodeLogin(w, r, &body) {
		return
	}
	if body.RoleID == "" {
		writeErrors(w, http.StatusBadRequest, "missing role_id")
		return
	}
	for _, role := range s.cfg.AppRoles {
		if role.RoleID == body.RoleID && role.SecretID == body.SecretID {
			s.issue(w, role.Policies, role.Paths, map[string]string{"role_name": "hsm-tool"})
			return
		}
	}
	writeErrors(w, http.StatusBadRequest, "invalid role or secret ID")
}

// kubernetesLogin answers auth/<kubernetes mount>/login (role, jwt): an
// unknown role is a 400, a JWT the role does not accept a 403.
func (s *Server) kubernetesLogin(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Role string `json:"role"`
		JWT  string `json:"jwt"`
	}
	if !decodeLogin(w, r, &body) {
		return
	}
	for _, role := range s.cfg.KubernetesRoles {
		if role.Role != body.Role {
			continue
		}
		if body.JWT == "" || role.JWT != body.JWT {
			writeErrors(w, http.StatusForbidden, "permission denied")
			return
		}
		s.issue(w, role.Policies, role.Paths, map[string]string{
			"role": role.Role, "service_account_name": "hsm-tool", "service_account_namespace": "istio-system",
		})
		return
	}
	writeErrors(w, http.StatusBadRequest, fmt.Sprintf("invalid role name %q", body.Role))
}

// decodeLogin checks a login's method and decodes its JSON body.
func decodeLogin(w http.ResponseWriter, r *http.Request, body any) bool {
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		writeErrors(w, http.StatusMethodNotAllowed, "unsupported operation")
		return false
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || json.Unmarshal(raw, body) != nil {
		writeErrors(w, http.StatusBadRequest, "failed to parse JSON input")
		return false
	}
	return true
}

// issue creates a token with policies and paths and answers the login
// with it, as documented (auth.client_token, policies, lease).
func (s *Server) issue(w http.ResponseWriter, policies, paths []string, metadata map[string]string) {
	id := "hvs." + strings.ReplaceAll(newID(), "-", "")
	s.mu.Lock()
	s.tokens[id] = Token{ID: id, Policies: policies, Paths: paths}
	s.issued[id] = true
	s.mu.Unlock()
	all := append([]string{"default"}, policies...)
	body := newEnvelope(nil)
	body.Auth = &authInfo{
		ClientToken:   id,
		Accessor:      newID(),
		Policies:      all,
		TokenPolicies: all,
		Metadata:      metadata,
		LeaseDuration: loginTokenTTL,
		Renewable:     true,
		TokenType:     "service",
		Orphan:        true,
	}
	writeJSON(w, http.StatusOK, body)
}

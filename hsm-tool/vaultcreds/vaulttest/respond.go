package vaulttest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// envelope is Vault's standard response body.
type envelope struct {
	RequestID     string    `json:"request_id"`
	LeaseID       string    `json:"lease_id"`
	Renewable     bool      `json:"renewable"`
	LeaseDuration int       `json:"lease_duration"`
	Data          any       `json:"data"`
	WrapInfo      any       `json:"wrap_info"`
	Warnings      []string  `json:"warnings"`
	Auth          *authInfo `json:"auth"`
}

// authInfo is the "auth" object of a login response.
type authInfo struct {
	ClientToken   string            `json:"client_token"`
	Accessor      string            `json:"accessor"`
	Policies      []string          `json:"policies"`
	TokenPolicies []string          `json:"token_policies"`
	Metadata      map[string]string `json:"metadata"`
	LeaseDuration int               `json:"lease_duration"`
	Renewable     bool              `json:"renewable"`
	EntityID      string            `json:"entity_id"`
	TokenType     string            `json:"token_type"`
	Orphan        bool              `json:"orphan"`
}

// newEnvelope returns a response body carrying data.
func newEnvelope(data any) envelope {
	return envelope{RequestID: newID(), Data: data}
}

// writeJSON writes v as a JSON body with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeErrors writes Vault's error body {"errors":[...]} (an empty list,
// not null, when there is no message, as for a 404).
func writeErrors(w http.ResponseWriter, status int, errs ...string) {
	if errs == nil {
		errs = []string{}
	}
	writeJSON(w, status, map[string][]string{"errors": errs})
}

// newID returns a random UUID-shaped identifier.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// health answers sys/health: the health document, with the status code
// chosen by the state and the *code query parameters (sealedcode,
// activecode), as documented.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	status := http.StatusOK
	codeParam := "activecode"
	if s.cfg.Sealed {
		status, codeParam = http.StatusServiceUnavailable, "sealedcode"
	}
	if v := r.URL.Query().Get(codeParam); v != "" {
		if code, err := strconv.Atoi(v); err == nil && code >= 200 && code < 600 {
			status = code
		}
	}
	writeJSON(w, status, map[string]any{
		"initialized":                  true,
		"sealed":                       s.cfg.Sealed,
		"standby":                      s.cfg.Sealed,
		"performance_standby":          false,
		"replication_performance_mode": "disabled",
		"replication_dr_mode":          "disabled",
		"server_time_utc":              time.Now().Unix(),
		"version":                      "1.19.0",
		"cluster_name":                 "vaulttest",
		"cluster_id":                   "0b8c2c1e-6f3e-4b0a-9a57-2f3c7e1d9a10",
	})
}

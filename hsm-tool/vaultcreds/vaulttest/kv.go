package vaulttest

import (
	"net/http"
	"strings"
	"time"
)

// created is the creation time reported for every secret and mount.
var created = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// mountOf returns the KV mount holding the API path p (the longest
// matching mount) and the rest of the path.
func (s *Server) mountOf(p string) (mount, rest string, version int, ok bool) {
	for m, v := range s.cfg.Mounts {
		m = strings.Trim(m, "/")
		if strings.HasPrefix(p, m+"/") && len(m) > len(mount) {
			mount, rest, version, ok = m, strings.TrimPrefix(p, m+"/"), v, true
		}
	}
	return mount, rest, version, ok
}

// mountInfo answers sys/internal/ui/mounts/<path>: the details of the mount
// that hosts path, for a token with capabilities under that mount;
// options.version tells KV v1 from v2.
func (s *Server) mountInfo(w http.ResponseWriter, r *http.Request, path string) {
	switch {
	case r.Method != http.MethodGet:
		writeErrors(w, http.StatusMethodNotAllowed, "unsupported operation")
		return
	case s.cfg.MountsMissing:
		writeErrors(w, http.StatusNotFound)
		return
	case s.cfg.MountsForbidden:
		writeErrors(w, http.StatusForbidden, "permission denied")
		return
	}
	tok, authed := s.token(r)
	mount, _, version, found := s.mountOf(strings.Trim(path, "/") + "/")
	if !authed || !found || !tok.mayUseMount(mount) {
		writeErrors(w, http.StatusForbidden, "permission denied")
		return
	}
	reported := mount + "/"
	if s.cfg.MountPathWithNamespace && s.cfg.Namespace != "" {
		reported = s.cfg.Namespace + "/" + reported
	}
	writeJSON(w, http.StatusOK, newEnvelope(map[string]any{
		"accessor":                "kv_" + newID()[:8],
		"config":                  map[string]any{"default_lease_ttl": 0, "force_no_cache": false, "max_lease_ttl": 0},
		"description":             "",
		"external_entropy_access": false,
		"local":                   false,
		"options":                 map[string]string{"version": itoa(version)},
		"path":                    reported,
		"seal_wrap":               false,
		"type":                    "kv",
		"uuid":                    newID(),
	}))
}

// readKV answers a KV read: GET <mount>/<path> on a v1 mount, GET
// <mount>/data/<path> on a v2 mount, with the documented shapes.
func (s *Server) readKV(w http.ResponseWriter, r *http.Request, p string) {
	tok, authed := s.token(r)
	if !authed || !tok.mayRead(p) {
		writeErrors(w, http.StatusForbidden, "permission denied")
		return
	}
	mount, rest, version, found := s.mountOf(p)
	if !found {
		writeErrors(w, http.StatusNotFound, "no handler for route \""+p+"\". route entry not found.")
		return
	}
	if r.Method != http.MethodGet {
		writeErrors(w, http.StatusMethodNotAllowed, "unsupported operation")
		return
	}
	if version != 2 {
		s.readKVv1(w, mount+"/"+rest)
		return
	}
	name, ok := strings.CutPrefix(rest, "data/")
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": []string{}, "warnings": []string{
			"Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API " +
				"endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation.",
		}})
		return
	}
	s.readKVv2(w, mount+"/"+name)
}

// readKVv1 answers a KV v1 read: the fields as "data".
func (s *Server) readKVv1(w http.ResponseWriter, logical string) {
	fields, ok := s.cfg.Secrets[logical]
	if !ok {
		writeErrors(w, http.StatusNotFound)
		return
	}
	body := newEnvelope(fields)
	body.LeaseDuration = staticTokenTTL
	writeJSON(w, http.StatusOK, body)
}

// readKVv2 answers a KV v2 "read secret version": data.data and
// data.metadata; a soft-deleted latest version is a 404 with metadata and
// null data.
func (s *Server) readKVv2(w http.ResponseWriter, logical string) {
	fields, ok := s.cfg.Secrets[logical]
	if !ok {
		writeErrors(w, http.StatusNotFound)
		return
	}
	metadata := map[string]any{
		"created_time":    created.Format(time.RFC3339Nano),
		"custom_metadata": nil,
		"deletion_time":   "",
		"destroyed":       false,
		"version":         1,
	}
	if s.cfg.Deleted[logical] {
		metadata["deletion_time"] = created.Add(time.Hour).Format(time.RFC3339Nano)
		writeJSON(w, http.StatusNotFound, newEnvelope(map[string]any{"data": nil, "metadata": metadata}))
		return
	}
	writeJSON(w, http.StatusOK, newEnvelope(map[string]any{"data": fields, "metadata": metadata}))
}

// itoa formats a KV version.
func itoa(v int) string {
	if v == 2 {
		return "2"
	}
	return "1"
}

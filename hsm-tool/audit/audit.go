// Package audit appends one JSON line per hsm-tool operation to an audit log: when, which
// command, on which token, which keys and certificates (by label and fingerprint), and the
// outcome. It never records a PIN, a key, a token or any other secret: entries carry only
// the fields defined here.
package audit

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Entry is one line of the audit log.
type Entry struct {
	Time         time.Time         `json:"time"`
	Command      string            `json:"command"`
	Token        string            `json:"token,omitempty"`
	Keys         []string          `json:"keys,omitempty"`
	Certificates map[string]string `json:"certificates,omitempty"` // role → SHA-256 fingerprint
	Files        []string          `json:"files,omitempty"`
	Outcome      string            `json:"outcome"` // "ok" or "error"
	Error        string            `json:"error,omitempty"`
}

// Log appends entries to a file; a Log with no path records nothing.
type Log struct{ Path string }

// Record appends e, with the time and outcome filled in from err.
func (l Log) Record(e Entry, err error) error {
	if l.Path == "" {
		return nil
	}
	e.Time = time.Now().UTC()
	e.Outcome = "ok"
	if err != nil {
		e.Outcome, e.Error = "error", err.Error()
	}
	line, merr := json.Marshal(e)
	if merr != nil {
		return merr
	}
	f, oerr := os.OpenFile(l.Path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if oerr != nil {
		return fmt.Errorf("failed to open the audit log: %w", oerr)
	}
	defer f.Close()
	if _, werr := f.Write(append(line, '\n')); werr != nil {
		return fmt.Errorf("failed to write the audit log: %w", werr)
	}
	return f.Sync()
}

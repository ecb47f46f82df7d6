// Package audit appends JSON lines about hsm-tool operations to an audit log: when,
// which command, on which token, which keys and certificates (by label and
// fingerprint), which files, and the outcome. Every operation writes two records: one
// "started" before it touches the token or any file, and one "finished" with the
// outcome, so that an operation that fails, or dies half-way, still left its trace.
// It never records a PIN, a key, a token or any other secret: entries carry only the
// fields defined here.
package audit

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/meshfn/meshfn/hsm-tool/safefs"
)

// Events of an operation.
const (
	Started  = "started"
	Finished = "finished"
)

// Entry is one line of the audit log.
type Entry struct {
	Time         time.Time         `json:"time"`
	Event        string            `json:"event"`     // Started or Finished
	Operation    string            `json:"operation"` // pairs the two records of one operation
	PID          int               `json:"pid"`
	Command      string            `json:"command"`
	Token        string            `json:"token,omitempty"`
	Keys         []string          `json:"keys,omitempty"`
	Certificates map[string]string `json:"certificates,omitempty"` // role → SHA-256 fingerprint
	Files        []string          `json:"files,omitempty"`
	Outcome      string            `json:"outcome,omitempty"` // "ok" or "error", when finished
	Error        string            `json:"error,omitempty"`
}

// Log is an open audit log. A nil *Log records nothing (hsm-tool without --audit-log).
type Log struct {
	f   *os.File
	now func() time.Time
}

// Open opens (creating it, 0600) the audit log at path for appending, so that a log that
// cannot be written fails the command before it does anything. An empty path returns a
// nil *Log. It is opened with safefs: its folder as the kernel resolves it, never
// through a symlink, without blocking, and only a regular file (a named pipe would
// block every write). now is the clock of the records' times (time.Now when nil).
func Open(path string, now func() time.Time) (*Log, error) {
	if path == "" {
		return nil, nil
	}
	f, err := safefs.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("failed to open the audit log: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	return &Log{f: f, now: now}, nil
}

// Close closes the log.
func (l *Log) Close() error {
	if l == nil {
		return nil
	}
	return l.f.Close()
}

// Start writes the started record of e, giving it an operation id that Finish repeats.
func (l *Log) Start(e *Entry) error {
	if l == nil {
		return nil
	}
	id := make([]byte, 8)
	_, _ = rand.Read(id) // crypto/rand.Read never fails (Go 1.24+)
	e.Operation, e.PID = hex.EncodeToString(id), os.Getpid()
	e.Event, e.Outcome, e.Error = Started, "", ""
	return l.write(*e)
}

// Finish writes the finished record of e (as Start left it, plus what the operation
// filled in), with the outcome of err.
func (l *Log) Finish(e Entry, err error) error {
	if l == nil {
		return nil
	}
	e.Event, e.Outcome, e.Error = Finished, "ok", ""
	if err != nil {
		e.Outcome, e.Error = "error", err.Error()
	}
	return l.write(e)
}

// write appends one line, in one write (appends of one line do not interleave), and
// syncs it to disk.
func (l *Log) write(e Entry) error {
	e.Time = l.now().UTC()
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if _, err := l.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("failed to write the audit log: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("failed to write the audit log: %w", err)
	}
	return nil
}

package vaultcreds_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshfn/meshfn/hsm-tool/vaultcreds"
	"github.com/meshfn/meshfn/hsm-tool/vaultcreds/vaulttest"
)

// TestWriteClientFiles checks the private directory (0700), the files
// (0600, exact content) and that cleanup removes them, more than once safely.
func TestWriteClientFiles(t *testing.T) {
	hermetic(t)
	srv := vaulttest.New(t, vaultWith(2))
	creds, err := vaultcreds.Fetch(context.Background(), tokenConfig(srv, testToken))
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	dir, cleanup, err := creds.WriteClientFiles()
	if err != nil {
		t.Fatalf("WriteClientFiles: %v", err)
	}
	t.Cleanup(func() { _ = cleanup() })
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); !info.IsDir() || perm != 0o700 {
		t.Errorf("directory %s has mode %v, want a directory with 0700", dir, info.Mode())
	}
	for name, want := range map[string]string{
		vaultcreds.ClientCertFile: testClientCert,
		vaultcreds.ClientKeyFile:  testClientKey,
		vaultcreds.ServerCertFile: testServerCert,
	} {
		path := filepath.Join(dir, name)
		info, err := os.Stat(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, perm)
		}
		if got, _ := os.ReadFile(path); string(got) != want {
			t.Errorf("%s holds %q, want %q", name, got, want)
		}
	}
	if err := cleanup(); err != nil {
		t.Fatalf("cleanup: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after cleanup, stat %s: %v, want it gone", dir, err)
	}
	if err := cleanup(); err != nil {
		t.Errorf("second cleanup: %v", err)
	}
}

// TestWriteClientFilesPartial checks which partial material is written and
// which is refused.
func TestWriteClientFilesPartial(t *testing.T) {
	serverOnly := &vaultcreds.Credentials{PIN: []byte(testPIN), ServerCert: []byte(testServerCert)}
	dir, cleanup, err := serverOnly.WriteClientFiles()
	if err != nil {
		t.Fatalf("server certificate only: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != vaultcreds.ServerCertFile {
		t.Errorf("server certificate only: wrote %v, want only %s", entries, vaultcreds.ServerCertFile)
	}
	if err := cleanup(); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*vaultcreds.Credentials{
		"nothing":          {PIN: []byte(testPIN)},
		"key without cert": {PIN: []byte(testPIN), ClientKey: []byte(testClientKey)},
		"cert without key": {PIN: []byte(testPIN), ClientCert: []byte(testClientCert)},
		"nil credentials":  nil,
	} {
		dir, cleanup, err := c.WriteClientFiles()
		assertNoSecrets(t, err, nil)
		if !errors.Is(err, vaultcreds.ErrMissingField) || dir != "" || cleanup != nil {
			t.Errorf("%s: got (%q, cleanup set: %v, %v), want an ErrMissingField error", name, dir, cleanup != nil, err)
		}
	}
}

// TestCredentialsNeverPrinted checks that printing or encoding credentials
// shows their shape, never their values.
func TestCredentialsNeverPrinted(t *testing.T) {
	c := &vaultcreds.Credentials{PIN: []byte(testPIN), ClientKey: []byte(testClientKey)}
	encoded, err := json.Marshal(map[string]any{"value": *c, "pointer": c})
	if err != nil {
		t.Fatal(err)
	}
	outputs := []string{string(encoded)}
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		outputs = append(outputs, fmt.Sprintf(format, c), fmt.Sprintf(format, *c))
	}
	for _, out := range outputs {
		if !strings.Contains(out, "PIN: 14 bytes") || !strings.Contains(out, "ClientCert: absent") {
			t.Errorf("unexpected description %q", out)
		}
		assertNoSecrets(t, errors.New(out), nil)
	}
}

// TestZero checks that Zero overwrites and drops every secret slice.
func TestZero(t *testing.T) {
	pin, key := []byte(testPIN), []byte(testClientKey)
	c := &vaultcreds.Credentials{PIN: pin, ClientKey: key, ClientCert: []byte(testClientCert), ServerCert: []byte(testServerCert)}
	c.Zero()
	for _, b := range [][]byte{pin, key} {
		for i, v := range b {
			if v != 0 {
				t.Fatalf("byte %d not zeroed", i)
			}
		}
	}
	if c.PIN != nil || c.ClientKey != nil || c.ClientCert != nil || c.ServerCert != nil {
		t.Error("Zero left slices in place")
	}
	var none *vaultcreds.Credentials
	none.Zero() // must not panic
}

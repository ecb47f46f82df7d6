package vaultcreds

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Names of the files WriteClientFiles writes, each only when the secret
// holds the matching field.
const (
	ClientCertFile = "client-cert.pem"
	ClientKeyFile  = "client-key.pem"
	ServerCertFile = "server-cert.pem"
)

// WriteClientFiles writes the mTLS material to a new private directory
// (mode 0700) as client-cert.pem, client-key.pem and server-cert.pem (mode
// 0600 each; a field the secret lacks is not written) for HSM client
// libraries that take file paths. The directory is made under
// $XDG_RUNTIME_DIR or /dev/shm when usable (memory-backed), else the
// system temporary directory. cleanup overwrites the files with zeros and
// removes the directory; it may be called more than once, and the caller
// must call it on every exit path.
func (c *Credentials) WriteClientFiles() (dir string, cleanup func() error, err error) {
	if err := c.checkClientMaterial(); err != nil {
		return "", nil, err
	}
	dir, err = makePrivateDir()
	if err != nil {
		return "", nil, err
	}
	cleanup = cleanupFunc(dir)
	for _, file := range []struct {
		name string
		data []byte
	}{{ClientCertFile, c.ClientCert}, {ClientKeyFile, c.ClientKey}, {ServerCertFile, c.ServerCert}} {
		if len(file.data) == 0 {
			continue
		}
		if err := writePrivateFile(filepath.Join(dir, file.name), file.data); err != nil {
			return "", nil, errors.Join(err, cleanup())
		}
	}
	return dir, cleanup, nil
}

// checkClientMaterial requires some mTLS material and a client certificate
// only together with its key.
func (c *Credentials) checkClientMaterial() error {
	if c == nil {
		return newError(ErrMissingField, "no credentials to write", nil)
	}
	if len(c.ClientCert) == 0 && len(c.ClientKey) == 0 && len(c.ServerCert) == 0 {
		return newError(ErrMissingField, fmt.Sprintf("secret at %s has none of the fields %s, %s, %s: no client files to write",
			c.source, FieldClientCert, FieldClientKey, FieldServerCert), nil)
	}
	if len(c.ClientCert) == 0 && len(c.ClientKey) != 0 {
		return newError(ErrMissingField, fmt.Sprintf("secret at %s has a field %s but no field %s",
			c.source, FieldClientKey, FieldClientCert), nil)
	}
	if len(c.ClientCert) != 0 && len(c.ClientKey) == 0 {
		return newError(ErrMissingField, fmt.Sprintf("secret at %s has a field %s but no field %s",
			c.source, FieldClientCert, FieldClientKey), nil)
	}
	return nil
}

// makePrivateDir creates a 0700 directory, preferring memory-backed bases.
func makePrivateDir() (string, error) {
	var errs []error
	for _, base := range tempBases() {
		dir, err := os.MkdirTemp(base, "hsm-tool-vault-")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			return "", errors.Join(fmt.Errorf("failed to restrict %s: %w", dir, err), os.RemoveAll(dir))
		}
		return dir, nil
	}
	return "", fmt.Errorf("failed to create a private directory for the client files: %w", errors.Join(errs...))
}

// tempBases lists where to create the directory, best first.
func tempBases() []string {
	var bases []string
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" && isDir(d) {
		bases = append(bases, d)
	}
	if isDir("/dev/shm") {
		bases = append(bases, "/dev/shm")
	}
	return append(bases, os.TempDir())
}

// isDir reports whether path is an existing directory.
func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

// writePrivateFile creates path (which must not exist) with mode 0600 and writes data.
func writePrivateFile(path string, data []byte) error {
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("failed to create %s: %w", path, err)
	}
	if err := file.Chmod(0o600); err != nil {
		return errors.Join(fmt.Errorf("failed to restrict %s: %w", path, err), file.Close())
	}
	if _, err := file.Write(data); err != nil {
		return errors.Join(fmt.Errorf("failed to write %s: %w", path, err), file.Close())
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	return nil
}

// cleanupFunc returns the idempotent cleanup of dir: overwrite each regular
// file with zeros (best effort), then remove the directory.
func cleanupFunc(dir string) func() error {
	var once sync.Once
	var result error
	return func() error {
		once.Do(func() {
			entries, _ := os.ReadDir(dir)
			for _, entry := range entries {
				if entry.Type().IsRegular() {
					overwriteWithZeros(filepath.Join(dir, entry.Name()))
				}
			}
			if err := os.RemoveAll(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
				result = fmt.Errorf("failed to remove the client files in %s: %w", dir, err)
			}
		})
		return result
	}
}

// overwriteWithZeros replaces a file's content with as many zero bytes, best effort.
func overwriteWithZeros(path string) {
	file, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return
	}
	defer file.Close()
	if info, err := file.Stat(); err == nil && info.Size() > 0 {
		_, _ = file.Write(make([]byte, info.Size()))
		_ = file.Sync()
	}
}

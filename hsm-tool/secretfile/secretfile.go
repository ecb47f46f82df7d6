// Package secretfile reads a secret (a token PIN, an AppRole secret id) from a file the
// way a CA tool must: only from a regular file that no one but its owner can read, and
// only when it is no larger than such a secret can be, so that a mistake is refused
// before the secret is used (a PIN sent to C_Login spends one of the token's tries).
// Errors name the file, never its content.
package secretfile

import (
	"fmt"
	"io"
	"strings"

	"github.com/meshfn/meshfn/hsm-tool/safefs"
)

// Read returns the content of path, surrounding white space removed. what names the
// secret in errors ("PIN file"). The file must be a regular file (a symlink to one is
// followed; a named pipe is refused without blocking), with no permission for group or others, of at most max bytes, and not
// empty. The caller clears the returned slice when done.
func Read(path, what string, max int64) ([]byte, error) {
	f, err := safefs.OpenRead(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read the %s: %w", what, err)
	}
	defer f.Close()
	st, err := f.Stat()
	switch {
	case err != nil:
		return nil, fmt.Errorf("failed to read the %s %s: %w", what, path, err)
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("the %s %s is not a regular file", what, path)
	case st.Mode().Perm()&0o077 != 0:
		return nil, fmt.Errorf("the %s %s is readable by group or others (mode %04o): chmod 600 it, and consider the secret exposed",
			what, path, st.Mode().Perm())
	case st.Size() > max:
		return nil, fmt.Errorf("the %s %s is larger than %d bytes: not a secret of this kind", what, path, max)
	}
	raw, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("failed to read the %s %s: %w", what, path, err)
	}
	if int64(len(raw)) > max {
		clear(raw)
		return nil, fmt.Errorf("the %s %s is larger than %d bytes: not a secret of this kind", what, path, max)
	}
	value := []byte(strings.TrimSpace(string(raw)))
	clear(raw)
	if len(value) == 0 {
		return nil, fmt.Errorf("the %s %s is empty", what, path)
	}
	return value, nil
}

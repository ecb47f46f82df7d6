//go:build cgo

package hsm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/miekg/pkcs11"
)

// module is a loaded and initialized PKCS#11 library shared by every Token of
// the process that uses it: C_Initialize and C_Finalize are process-wide, so
// the library is finalized and unloaded only when its last Token closes.
type module struct {
	key      string
	ctx      *pkcs11.Ctx
	refs     int
	finalize bool // false when someone else had already initialized it
}

// modules holds the loaded modules by resolved path.
var modules = struct {
	sync.Mutex
	byPath map[string]*module
}{byPath: map[string]*module{}}

// acquireModule loads and initializes the module at path, or takes another
// reference to it when it is already loaded.
func acquireModule(path string) (*module, error) {
	key := path
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		key = resolved
	}
	modules.Lock()
	defer modules.Unlock()
	if m, ok := modules.byPath[key]; ok {
		m.refs++
		return m, nil
	}
	if st, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("failed to load PKCS#11 module: %w", err)
	} else if !st.Mode().IsRegular() {
		// Loading a named pipe would block for ever.
		return nil, fmt.Errorf("failed to load PKCS#11 module %q: not a regular file (%s)", path, st.Mode().Type())
	}
	ctx := pkcs11.New(path)
	if ctx == nil {
		return nil, fmt.Errorf("failed to load PKCS#11 module %q: not a loadable PKCS#11 library", path)
	}
	m := &module{key: key, ctx: ctx, refs: 1, finalize: true}
	if err := ctx.Initialize(); err != nil {
		if !errors.Is(err, pkcs11.Error(pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
			ctx.Destroy()
			return nil, fmt.Errorf("failed to initialize PKCS#11 module %q: %w", path, err)
		}
		m.finalize = false
	}
	modules.byPath[key] = m
	return m, nil
}

// release drops a reference; the last one finalizes and unloads the module.
func (m *module) release() error {
	modules.Lock()
	defer modules.Unlock()
	m.refs--
	if m.refs > 0 {
		return nil
	}
	delete(modules.byPath, m.key)
	var err error
	if m.finalize {
		if ferr := m.ctx.Finalize(); ferr != nil {
			err = fmt.Errorf("failed to finalize PKCS#11 module: %w", ferr)
		}
	}
	m.ctx.Destroy()
	return err
}

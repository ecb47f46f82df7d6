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
	if err := checkModuleConfig(); err != nil {
		return nil, err
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

// moduleConfigs are the environment variables through which a module reads its
// configuration file when it is initialized: SoftHSM2's.
var moduleConfigs = []string{"SOFTHSM2_CONF"}

// checkModuleConfig refuses a module configuration that is not a regular file: the
// module would block for ever reading a named pipe, inside C_Initialize.
func checkModuleConfig() error {
	for _, env := range moduleConfigs {
		path := os.Getenv(env)
		if path == "" {
			continue
		}
		if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
			return fmt.Errorf("failed to load PKCS#11 module: %s=%s is not a regular file (%s)", env, path, st.Mode().Type())
		}
	}
	return nil
}

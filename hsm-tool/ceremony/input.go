package ceremony

import (
	"fmt"
	"io"
	"os"
)

// maxInput bounds what a step reads from a file: certificates, chains, CSRs and
// encrypted CSRs are a few kilobytes.
const maxInput = 1 << 20

// readInput reads a regular file of at most maxInput bytes.
func readInput(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read %s: %w", path, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("failed to read %s: not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("failed to read %s: %w", path, err)
	}
	if len(data) > maxInput {
		return nil, fmt.Errorf("%s is larger than %d bytes: not a certificate, chain or CSR", path, maxInput)
	}
	return data, nil
}

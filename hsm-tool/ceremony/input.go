package ceremony

import (
	"fmt"

	"github.com/meshfn/meshfn/hsm-tool/safefs"
)

// maxInput bounds what a step reads from a file: certificates, chains, CSRs and
// encrypted CSRs are a few kilobytes.
const maxInput = 1 << 20

// readInput reads a regular file of at most maxInput bytes, without blocking on a named
// pipe (safefs.ReadFile).
func readInput(path string) ([]byte, error) {
	data, err := safefs.ReadFile(path, maxInput)
	if err != nil {
		return nil, fmt.Errorf("failed to read the input (a certificate, chain or CSR): %w", err)
	}
	return data, nil
}

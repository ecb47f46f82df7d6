// Command hsm-tool runs an offline CA ceremony for Istio on a hardware security module
// over PKCS#11: the root key is generated on the token and never leaves it, the HSM's
// credentials come from HashiCorp Vault or a file (never from the command line), every
// operation is written to an audit log, and the public result is exported as a CABundle
// resource that generate-ca-secrets turns into the Secrets istiod reads.
package main

import (
	"os"

	"github.com/meshfn/meshfn/hsm-tool/cli"
)

func main() {
	os.Exit(cli.Execute(os.Args[1:], os.Stdout, os.Stderr))
}

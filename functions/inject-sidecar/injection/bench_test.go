package injection

import (
	"bytes"
	"testing"

	"github.com/meshfn/meshfn/internal/krm"
	"github.com/meshfn/meshfn/tests/bench/synth"
)

// BenchmarkRun injects a package of 200 Deployments (one and two containers) over 10
// namespaces, as the function does on a render: the whole ResourceList in and out. It
// is the profile of make bench's whole-process numbers:
//
//	go test -run '^$' -bench Run -cpuprofile cpu.prof ./functions/inject-sidecar/injection
func BenchmarkRun(b *testing.B) {
	var in bytes.Buffer
	p := synth.Package{Deployments: 200, Namespaces: 10, TwoContainers: true,
		Config: "apiVersion: fn.meshfn.dev/v1alpha1\nkind: SidecarInjection\nmetadata:\n  name: bench\nspec:\n  kubernetesVersion: \"1.33\"\n"}
	if err := p.Write(&in); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(in.Len()))
	for b.Loop() {
		if _, results, err := krm.Run(Run, in.Bytes()); err != nil || krm.HasErrors(results) {
			b.Fatalf("the function failed: %v %v", err, results)
		}
	}
}

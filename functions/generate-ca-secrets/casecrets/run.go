package casecrets

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/meshfn/meshfn/internal/cabundle"
	"github.com/meshfn/meshfn/internal/certchain"
	"github.com/meshfn/meshfn/internal/fnconfig"
	"github.com/meshfn/meshfn/internal/krm"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// FunctionName is the function's name, stamped on what it generates.
const FunctionName = "generate-ca-secrets"

// OutputDir is the folder, relative to the package, that generated objects are written
// to: OutputDir/<bundle>/<kind>_<name>.yaml, one folder per CABundle, since two bundles
// (two control-plane namespaces) render objects of the same name.
const OutputDir = krm.GeneratedDir

// Run is the function: it checks the selected CABundles and renders their Secrets,
// replacing what the same config rendered before and pruning what it no longer renders.
func Run(rl *krm.ResourceList) error { return run(rl, time.Now()) }

// bundle is a selected CABundle: its resource, and the parsed bundle.
type bundle struct {
	obj *yaml.RNode
	b   *cabundle.CABundle
}

func run(rl *krm.ResourceList, now time.Time) error {
	var spec Spec
	src, err := fnconfig.Decode(rl.Config, Kind, &spec)
	if err != nil {
		rl.ConfigError(err)
		return nil
	}
	byName, names := findBundles(rl, spec)
	// Key material in the file of any bundle fails the render, before anything else.
	keyed := refuseKeys(rl)
	selected := checkBundles(rl, spec, byName, names, keyed, now)
	if rl.Failed() {
		return nil
	}
	gen := krm.Generator{Function: FunctionName, Config: src.Kind + "/" + src.Name, Dir: OutputDir}
	changes, ok, err := generate(rl, gen, selected)
	if !ok || err != nil {
		return err
	}
	report(rl, gen, names, selected, changes)
	return nil
}

// findBundles returns the package's CABundles by name, and their names in the order of
// the items; a second bundle of a name, and a name spec.bundles gives that no bundle has,
// are errors.
func findBundles(rl *krm.ResourceList, spec Spec) (byName map[string]*yaml.RNode, names []string) {
	byName = map[string]*yaml.RNode{}
	for _, it := range rl.Items {
		if !cabundle.IsCABundle(it) {
			continue
		}
		name := it.GetName()
		if first, dup := byName[name]; dup {
			rl.Errorf(it, "%s: another CABundle has the name %q (%s); bundle names are unique in a package", krm.Describe(it), name, krm.Describe(first))
			continue
		}
		byName[name] = it
		names = append(names, name)
	}
	for _, want := range spec.Bundles {
		if byName[want] == nil {
			rl.Errorf(rl.Config, "spec.bundles: no CABundle named %q in the package (found: %s)", want, list(names))
		}
	}
	return byName, names
}

// checkBundles parses and checks each selected bundle without key material and returns
// those that pass; any problem is an error result, and fails the whole render.
func checkBundles(rl *krm.ResourceList, spec Spec, byName map[string]*yaml.RNode, names []string,
	keyed map[*yaml.RNode]bool, now time.Time) []bundle {
	renew := spec.renewWindow()
	var selected []bundle
	namespaces := map[string]bundle{}
	for _, name := range names {
		obj := byName[name]
		if !spec.selects(name) || keyed[obj] {
			continue
		}
		where := krm.Describe(obj)
		if !krm.IsPackageMeta(obj) {
			rl.Errorf(obj, "%s: not marked %s: \"true\"; without it kpt would apply the bundle to the cluster (hsm-tool writes the annotation)",
				where, krm.LocalConfigAnnotation)
		}
		b, err := cabundle.Parse(obj)
		if err != nil {
			reportEach(rl, obj, where, err)
			continue
		}
		warnings, err := cabundle.Check(b, now, renew, certchain.Policy{Keys: certchain.DefaultKeys, TrustDomain: spec.TrustDomain})
		for _, w := range warnings {
			rl.Warningf(obj, "%s: %s", where, w)
		}
		if err != nil {
			reportEach(rl, obj, where, err)
			continue
		}
		if other, taken := namespaces[b.Spec.Namespace]; taken {
			rl.Errorf(obj, "%s: spec.namespace %s is also the namespace of %s: one CA per control-plane namespace (render one bundle per package, or select one with spec.bundles)",
				where, b.Spec.Namespace, krm.Describe(other.obj))
			continue
		}
		namespaces[b.Spec.Namespace] = bundle{obj, b}
		selected = append(selected, bundle{obj, b})
	}
	return selected
}

// generate renders the selected bundles' objects into rl with gen, new ones in their
// bundle's folder. ok is false when it reported an error result instead.
func generate(rl *krm.ResourceList, gen krm.Generator, selected []bundle) (changes krm.Changes, ok bool, err error) {
	var generated []*yaml.RNode
	for _, sb := range selected {
		objs, err := Objects(sb.b)
		if err != nil {
			rl.Errorf(sb.obj, "%s: %v", krm.Describe(sb.obj), err)
			return changes, false, nil
		}
		generated = append(generated, objs...)
	}
	items, changes, err := gen.Apply(rl.Items, generated)
	if err != nil {
		rl.Errorf(rl.Config, "%v", err)
		return changes, false, nil
	}
	rl.Items = items
	// New objects go to their bundle's folder; existing ones stay where they are.
	for _, obj := range changes.Added {
		dir := krm.Generator{Dir: OutputDir + "/" + obj.GetLabels()[cabundle.BundleLabel]}
		if err := krm.SetLocation(obj, dir.FileName(obj), 0); err != nil {
			return changes, false, err
		}
	}
	return changes, true, nil
}

// report says what was checked and generated: a result for each bundle and each changed
// object, and a summary.
func report(rl *krm.ResourceList, gen krm.Generator, names []string, selected []bundle, changes krm.Changes) {
	byBundle := map[string]*cabundle.CABundle{}
	selectedNames := make([]string, 0, len(selected))
	for _, sb := range selected {
		byBundle[sb.b.Metadata.Name] = sb.b
		selectedNames = append(selectedNames, sb.b.Metadata.Name)
		ca, _ := cabundle.ParseCertificates("spec.caCert", sb.b.Spec.CACert)
		rl.Infof(sb.obj, "%s: checked, flow %s into namespace %s; caCert %q expires on %s",
			krm.Describe(sb.obj), sb.b.Spec.Flow, sb.b.Spec.Namespace, "CN="+ca[0].Subject.CommonName, cabundle.FormatTime(ca[0].NotAfter))
	}
	for _, obj := range changes.Added {
		rl.Infof(obj, "generated from CABundle %s%s", obj.GetLabels()[cabundle.BundleLabel], note(obj, byBundle))
	}
	for _, obj := range changes.Updated {
		rl.Infof(obj, "updated from CABundle %s%s", obj.GetLabels()[cabundle.BundleLabel], note(obj, byBundle))
	}
	for _, obj := range changes.Pruned {
		rl.Infof(obj, "pruned: %s no longer generates it (CABundle %s removed, or not selected)", gen.Config, obj.GetLabels()[cabundle.BundleLabel])
	}
	if len(names) == 0 {
		rl.Warningf(rl.Config, "no CABundle in the package: nothing to generate (export one with hsm-tool bundle export)")
	}
	rl.Infof(nil, "%s: %d CABundle(s) rendered (%s): %d generated, %d updated, %d unchanged, %d pruned",
		gen.Config, len(selected), list(selectedNames), len(changes.Added), len(changes.Updated), len(changes.Unchanged), len(changes.Pruned))
}

// reportEach records one error result per problem err joins.
func reportEach(rl *krm.ResourceList, obj *yaml.RNode, where string, err error) {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		rl.Errorf(obj, "%s: %v", where, e)
	}
}

// note says what a generated object is for.
func note(obj *yaml.RNode, bundles map[string]*cabundle.CABundle) string {
	b := bundles[obj.GetLabels()[cabundle.BundleLabel]]
	switch {
	case b == nil:
		return ""
	case obj.GetName() == cabundle.HSMSecret:
		return ": the certificate chain istiod's HSM plugin flow waits for"
	case obj.GetName() == cabundle.PluggedInSecret:
		return fmt.Sprintf(": Istio's plugged-in CA certificates; %s comes from ExternalSecret %s", cabundle.CAKeyFile, KeyExternalSecret)
	case obj.GetKind() != ExternalSecretKind || b.Spec.CAKey == nil || b.Spec.CAKey.ExternalSecret == nil:
		return ""
	}
	ref := b.Spec.CAKey.ExternalSecret
	kind := ref.SecretStoreRef.Kind
	if kind == "" {
		kind = "SecretStore"
	}
	from := fmt.Sprintf("%s %s, key %s", kind, ref.SecretStoreRef.Name, ref.RemoteRef.Key)
	if ref.RemoteRef.Property != "" {
		from += ", property " + ref.RemoteRef.Property
	}
	return fmt.Sprintf(": at deploy time the External Secrets Operator merges %s from %s into Secret %s", cabundle.CAKeyFile, from, cabundle.PluggedInSecret)
}

func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	s := append([]string(nil), names...)
	sort.Strings(s)
	return strings.Join(s, ", ")
}

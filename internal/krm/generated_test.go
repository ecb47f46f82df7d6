package krm

import (
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func service(name string, port int) *yaml.RNode {
	return Map(F("apiVersion", "v1"), F("kind", "Service"),
		F("metadata", Map(F("name", name), F("namespace", "ns"))),
		F("spec", Map(F("ports", List(Map(F("port", port)))))))
}

func names(objs []*yaml.RNode) string {
	var s []string
	for _, o := range objs {
		s = append(s, o.GetName())
	}
	return strings.Join(s, ",")
}

func TestGeneratorApply(t *testing.T) {
	g := Generator{Function: "fn", Config: "Kind/a", Dir: "gen"}
	other := Generator{Function: "fn", Config: "Kind/b", Dir: "gen"}
	user := service("mine", 1)

	items, ch, err := g.Apply([]*yaml.RNode{user}, []*yaml.RNode{service("one", 1), service("two", 2)})
	if err != nil {
		t.Fatal(err)
	}
	if names(items) != "mine,one,two" || len(ch.Added) != 2 {
		t.Fatalf("first apply: items %s, changes %+v", names(items), ch)
	}
	if p, _ := Location(items[1]); p != "gen/service_one.yaml" {
		t.Errorf("path = %q", p)
	}
	items, _, err = other.Apply(items, []*yaml.RNode{service("three", 3)})
	if err != nil {
		t.Fatal(err)
	}

	// Same output again: nothing changes.
	again, ch, err := g.Apply(items, []*yaml.RNode{service("one", 1), service("two", 2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Unchanged) != 2 || len(ch.Added)+len(ch.Updated)+len(ch.Pruned) != 0 {
		t.Errorf("re-apply changes %+v", ch)
	}
	for i := range items {
		if again[i] != items[i] {
			t.Errorf("re-apply replaced item %d (%s)", i, items[i].GetName())
		}
	}

	// One changes, one goes away: update and prune, other configs' objects stay.
	next, ch, err := g.Apply(again, []*yaml.RNode{service("one", 10)})
	if err != nil {
		t.Fatal(err)
	}
	if names(next) != "mine,one,three" || names(ch.Updated) != "one" || names(ch.Pruned) != "two" {
		t.Errorf("items %s, updated %s, pruned %s", names(next), names(ch.Updated), names(ch.Pruned))
	}
}

func TestGeneratorKeepsMovedFile(t *testing.T) {
	g := Generator{Function: "fn", Config: "Kind/a", Dir: "gen"}
	items, _, _ := g.Apply(nil, []*yaml.RNode{service("one", 1)})
	if err := SetLocation(items[0], "elsewhere.yaml", 2); err != nil {
		t.Fatal(err)
	}
	next, ch, err := g.Apply(items, []*yaml.RNode{service("one", 5)})
	if err != nil || len(ch.Updated) != 1 {
		t.Fatalf("err %v, changes %+v", err, ch)
	}
	if p, i := Location(next[0]); p != "elsewhere.yaml" || i != 2 {
		t.Errorf("updated object moved to %s#%d", p, i)
	}
}

func TestGeneratorRefusesForeignObject(t *testing.T) {
	g := Generator{Function: "fn", Config: "Kind/a"}
	mine := service("one", 1)
	_ = SetLocation(mine, "hand.yaml", 0)
	items := []*yaml.RNode{mine}
	out, _, err := g.Apply(items, []*yaml.RNode{service("one", 2)})
	if err == nil || !strings.Contains(err.Error(), "Service ns/one (hand.yaml) already exists") {
		t.Fatalf("error = %v", err)
	}
	if len(out) != 1 || out[0] != mine || !strings.Contains(mine.MustString(), "port: 1") {
		t.Error("a refused apply changed the items")
	}
}

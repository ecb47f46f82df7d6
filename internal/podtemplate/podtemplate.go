// Package podtemplate knows where each kind of Kubernetes workload keeps the template of
// the pods its controller creates.
package podtemplate

import "strings"

// paths says where each workload kind (by API group and kind) keeps its pod template.
var paths = map[string][]string{
	"/Pod":                               nil,
	"/ReplicationController":             {"spec", "template"},
	"apps/Deployment":                    {"spec", "template"},
	"apps/StatefulSet":                   {"spec", "template"},
	"apps/DaemonSet":                     {"spec", "template"},
	"apps/ReplicaSet":                    {"spec", "template"},
	"extensions/Deployment":              {"spec", "template"},
	"extensions/DaemonSet":               {"spec", "template"},
	"extensions/ReplicaSet":              {"spec", "template"},
	"batch/Job":                          {"spec", "template"},
	"batch/CronJob":                      {"spec", "jobTemplate", "spec", "template"},
	"apps.openshift.io/DeploymentConfig": {"spec", "template"},
	"/DeploymentConfig":                  {"spec", "template"}, // the legacy, group-less form
}

// Path returns where an object of this apiVersion and kind keeps its pod template: an
// empty path for a Pod (the object is the pod), ok false for a kind that is no workload.
func Path(apiVersion, kind string) (path []string, ok bool) {
	group := ""
	if g, _, found := strings.Cut(apiVersion, "/"); found {
		group = g
	}
	path, ok = paths[group+"/"+kind]
	return path, ok
}

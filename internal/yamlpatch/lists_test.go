package yamlpatch

import "testing"

// podSpec is a pod spec with comments on and between its containers.
const podSpec = `spec:
  containers:
  # the application
  - name: app # main
    image: nginx:1.25 # pinned
    ports:
    - containerPort: 8080
  # the helper
  - name: helper
    image: busybox
    args: ["sleep", "3600"]
`

const podBefore = `{"spec":{"containers":[` +
	`{"name":"app","image":"nginx:1.25","ports":[{"containerPort":8080}],"resources":{}},` +
	`{"name":"helper","image":"busybox","args":["sleep","3600"],"resources":{}}]}}`

const proxyJSON = `{"name":"istio-proxy","image":"proxyv2:1.20","args":["proxy","sidecar"],"resources":{}}`

func TestApplyNamedLists(t *testing.T) {
	runApplyCases(t, []applyCase{{
		name:   "container inserted in the middle",
		yaml:   podSpec,
		before: podBefore,
		after: `{"spec":{"containers":[` +
			`{"name":"app","image":"nginx:1.25","ports":[{"containerPort":8080}],"resources":{}},` + proxyJSON + `,` +
			`{"name":"helper","image":"busybox","args":["sleep","3600"],"resources":{}}]}}`,
		want: `spec:
  containers:
  # the application
  - name: app # main
    image: nginx:1.25 # pinned
    ports:
    - containerPort: 8080
  - name: istio-proxy
    image: proxyv2:1.20
    args:
    - proxy
    - sidecar
    resources: {}
  # the helper
  - name: helper
    image: busybox
    args: ["sleep", "3600"]
`,
	}, {
		name:   "container appended at the end",
		yaml:   podSpec,
		before: podBefore,
		after: `{"spec":{"containers":[` +
			`{"name":"app","image":"nginx:1.25","ports":[{"containerPort":8080}],"resources":{}},` +
			`{"name":"helper","image":"busybox","args":["sleep","3600"],"resources":{}},` + proxyJSON + `]}}`,
		want: `spec:
  containers:
  # the application
  - name: app # main
    image: nginx:1.25 # pinned
    ports:
    - containerPort: 8080
  # the helper
  - name: helper
    image: busybox
    args: ["sleep", "3600"]
  - name: istio-proxy
    image: proxyv2:1.20
    args:
    - proxy
    - sidecar
    resources: {}
`,
	}, {
		name:   "container moved first, helper changed and reordered",
		yaml:   podSpec,
		before: podBefore,
		after: `{"spec":{"containers":[` + proxyJSON + `,` +
			`{"name":"helper","image":"busybox:1.36","args":["sleep","3600"],"resources":{}},` +
			`{"name":"app","image":"nginx:1.25","ports":[{"containerPort":8080}],"resources":{}}]}}`,
		want: `spec:
  containers:
  - name: istio-proxy
    image: proxyv2:1.20
    args:
    - proxy
    - sidecar
    resources: {}
  # the helper
  - name: helper
    image: busybox:1.36
    args: ["sleep", "3600"]
  # the application
  - name: app # main
    image: nginx:1.25 # pinned
    ports:
    - containerPort: 8080
`,
	}, {
		name:   "container removed",
		yaml:   podSpec,
		before: podBefore,
		after:  `{"spec":{"containers":[{"name":"helper","image":"busybox","args":["sleep","3600"],"resources":{}}]}}`,
		want: `spec:
  containers:
  # the helper
  - name: helper
    image: busybox
    args: ["sleep", "3600"]
`,
	}, {
		name: "env var appended and one changed",
		yaml: `env:
- name: MODE # how to run
  value: "fast"
- name: LEVEL
  value: "3" # verbosity
`,
		before: `{"env":[{"name":"MODE","value":"fast"},{"name":"LEVEL","value":"3"}]}`,
		after:  `{"env":[{"name":"MODE","value":"fast"},{"name":"LEVEL","value":"4"},{"name":"ISTIO_META","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},{"name":"DEBUG","value":"true"}]}`,
		want: `env:
- name: MODE # how to run
  value: "fast"
- name: LEVEL
  value: "4" # verbosity
- name: ISTIO_META
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: DEBUG
  value: "true"
`,
	}, {
		name: "volumes and image pull secrets added",
		yaml: `volumes:
- name: data # data volume
  persistentVolumeClaim: {claimName: data}
imagePullSecrets: [{name: reg}]
`,
		before: `{"volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"data"}}],"imagePullSecrets":[{"name":"reg"}]}`,
		after: `{"volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"data"}},` +
			`{"name":"istio-envoy","emptyDir":{"medium":"Memory"}},{"name":"istio-token","projected":{"sources":[{"serviceAccountToken":{"audience":"istio-ca","expirationSeconds":43200,"path":"istio-token"}}]}}],` +
			`"imagePullSecrets":[{"name":"reg"},{"name":"istio"}]}`,
		want: `volumes:
- name: data # data volume
  persistentVolumeClaim: {claimName: data}
- name: istio-envoy
  emptyDir:
    medium: Memory
- name: istio-token
  projected:
    sources:
    - serviceAccountToken:
        audience: istio-ca
        expirationSeconds: 43200
        path: istio-token
imagePullSecrets: [{name: reg}, {name: istio}]
`,
	}, {
		name: "named list emptied",
		yaml: `initContainers:
- name: init
  image: x
other: 1
`,
		before: `{"initContainers":[{"name":"init","image":"x"}],"other":1}`,
		after:  `{"initContainers":[],"other":1}`,
		want: `initContainers: []
other: 1
`,
	}})
}

func TestApplyUnnamedLists(t *testing.T) {
	runApplyCases(t, []applyCase{{
		name: "list of scalars grows, unchanged elements keep comments",
		yaml: `args:
- --port # listen
- "8080"
- --verbose # chatty
`,
		before: `{"args":["--port","8080","--verbose"]}`,
		after:  `{"args":["--port","8080","--log","on","--verbose"]}`,
		want: `args:
- --port # listen
- "8080"
- --log
- "on"
- --verbose # chatty
`,
	}, {
		name: "list of scalars of the same length edited in place",
		yaml: `command: ["/bin/sh", "-c", 'echo hi'] # cmd
`,
		before: `{"command":["/bin/sh","-c","echo hi"]}`,
		after:  `{"command":["/bin/sh","-c","echo bye"]}`,
		want: `command: ["/bin/sh", "-c", 'echo bye'] # cmd
`,
	}, {
		name: "list without names changes length",
		yaml: `tolerations:
# tolerate the GPU taint
- key: gpu
  operator: Exists # any value
- key: spot
  effect: NoSchedule
`,
		before: `{"tolerations":[{"key":"gpu","operator":"Exists"},{"key":"spot","effect":"NoSchedule"}]}`,
		after:  `{"tolerations":[{"key":"gpu","operator":"Exists"},{"key":"mesh","operator":"Equal","value":"true"}]}`,
		want: `tolerations:
# tolerate the GPU taint
- key: gpu
  operator: Exists # any value
- key: mesh
  operator: Equal
  value: "true"
`,
	}, {
		name: "unnamed list of the same length recursed element by element",
		yaml: `ports:
- containerPort: 80 # http
  protocol: TCP
- containerPort: 443 # https
`,
		before: `{"ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}]}`,
		after:  `{"ports":[{"containerPort":80,"protocol":"TCP","hostPort":8080},{"containerPort":8443}]}`,
		want: `ports:
- containerPort: 80 # http
  protocol: TCP
  hostPort: 8080
- containerPort: 8443 # https
`,
	}, {
		name: "list with duplicate names is not matched by name",
		yaml: `env:
- name: A
  value: "1"
- name: A # again
  value: "2"
`,
		before: `{"env":[{"name":"A","value":"1"},{"name":"A","value":"2"}]}`,
		after:  `{"env":[{"name":"B","value":"0"},{"name":"A","value":"1"},{"name":"A","value":"2"}]}`,
		want: `env:
- name: B
  value: "0"
- name: A
  value: "1"
- name: A # again
  value: "2"
`,
	}})
}

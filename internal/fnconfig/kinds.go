package fnconfig

// NamespaceRevisionKind is the typed config of set-namespace-revision, which validate-mesh
// reads too: to name the config a namespace's revision label comes from.
const NamespaceRevisionKind = "NamespaceRevision"

// Command container-probe does nothing and exits 0. hack/container-runtime builds it as a
// static binary and runs it in a container, without an image to pull, to check that
// containers really run here: a runtime can answer `info` and still fail to start any
// container (runc refusing the default rlimits, say).
package main

func main() {}

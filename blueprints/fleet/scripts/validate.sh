#!/usr/bin/env bash
# validate.sh: validate the rendered mesh. Run it at the repository's root package (the
# fleet) after kpt fn render; the exit code is the verdict (0 passed, 1 a finding as severe
# as failOn, or validate-mesh could not run).
#
#   scripts/validate.sh                      # the findings, each with its file
#   scripts/validate.sh --results FILE       # also kpt's results-file format in FILE
#
# It runs validate-mesh --package on the rendered files, with the root's validate-mesh.yaml
# (failOn, suppress): validate-mesh reads them itself, one file at a time, rather than as
# the Kptfile's validator, through which kpt would hold every resource of the repository
# several times over (README.md, "Scale").
#
# Which validate-mesh runs: MESHFN_VALIDATE_MESH (a binary) when set; else, with
# MESHFN_RENDER_EXEC set to meshfn's render-exec binary (exec mode), the validate-mesh
# beside it; else the program of the image MESHFN_VALIDATE_IMAGE (ghcr.io/meshfn/validate-mesh,
# the version the Kptfile's inject-sidecar names), copied out of it with the container
# runtime kpt uses (KPT_FN_RUNTIME, docker by default), a static binary run here.
set -euo pipefail

say() { echo "validate: $*" >&2; }

results=
case "${1:-}" in
--results)
	[ $# -eq 2 ] || { say "usage: scripts/validate.sh [--results FILE]"; exit 2; }
	results=$2
	;;
"") ;;
*)
	say "usage: scripts/validate.sh [--results FILE]"
	exit 2
	;;
esac
[ -f Kptfile ] || { say "run it at the repository's root package (no Kptfile in $PWD)"; exit 1; }
if [ -n "$results" ]; then
	# Never inside the package: the next render would read the results as a resource.
	dir=$(cd -- "$(dirname -- "$results")" 2>/dev/null && pwd -P) || { say "--results $results: its folder does not exist"; exit 1; }
	case $dir/ in
	"$(pwd -P)"/*) say "--results $results is inside the package ($PWD): the next render would read it; use a file outside"; exit 1 ;;
	esac
fi

config=()
[ -f validate-mesh.yaml ] && config=(--config validate-mesh.yaml)
if [ -n "${MESHFN_VALIDATE_MESH:-}" ]; then
	validate=("$MESHFN_VALIDATE_MESH" --package . "${config[@]}")
elif [ -n "${MESHFN_RENDER_EXEC:-}" ]; then
	validate=("$(dirname -- "$MESHFN_RENDER_EXEC")/validate-mesh" --package . "${config[@]}")
else
	image=${MESHFN_VALIDATE_IMAGE:-}
	if [ -z "$image" ]; then
		# The version comes from a file a pull request can change, and the image's program
		# runs here, outside a container: only a release version (v1.2.3, v1.2.3-rc.0) is taken.
		version=$(sed -n 's|^ *- image: ghcr.io/meshfn/inject-sidecar:\(v[0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\(-[0-9A-Za-z.]*\)\{0,1\}\)$|\1|p' Kptfile | head -n 1)
		[ -n "$version" ] || { say "the Kptfile names no ghcr.io/meshfn/inject-sidecar image with a release version (vX.Y.Z) to take validate-mesh's from; set MESHFN_VALIDATE_IMAGE"; exit 1; }
		image=ghcr.io/meshfn/validate-mesh:$version
	fi
	# The image's program (a static binary) is copied out and run here: no bind mount,
	# which a remote daemon (docker:dind in GitLab CI) would take from its own filesystem.
	runtime=${KPT_FN_RUNTIME:-docker}
	tmp=$(mktemp -d)
	trap 'rm -rf -- "$tmp"' EXIT
	id=$("$runtime" create "$image") || { say "$runtime could not create a container of $image"; exit 1; }
	if ! "$runtime" cp "$id:/usr/local/bin/function" "$tmp/validate-mesh" >/dev/null; then
		"$runtime" rm "$id" >/dev/null || true
		say "$runtime could not copy validate-mesh out of $image"
		exit 1
	fi
	"$runtime" rm "$id" >/dev/null || true
	validate=("$tmp/validate-mesh" --package . "${config[@]}")
fi
if [ -n "$results" ]; then
	"${validate[@]}" --results - > "$results"
else
	"${validate[@]}"
fi

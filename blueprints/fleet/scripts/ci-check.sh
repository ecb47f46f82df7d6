#!/usr/bin/env bash
# ci-check.sh: the mesh repository's CI check. Run it at the repository's root package (the
# fleet) in a clean Git checkout; the exit code is the verdict.
#
#   scripts/ci-check.sh                  # kpt fn render with the images the Kptfiles name
#   scripts/ci-check.sh COMMAND...       # any other command that renders the package in place
#
# 1. It renders the package: every pipeline runs (the root's injects every workload); any
#    failing function fails the check.
# 2. It validates the rendered package (scripts/validate.sh: validate-mesh --package, with the
#    root's validate-mesh.yaml, its failOn and suppress): an error finding fails the check.
# 3. It requires Git to see no change: the committed tree must be the rendered one (no
#    modified, deleted or new file). A failure prints the difference; render locally and
#    commit the result.
#
# kpt writes every function's results to MESH_RESULTS_DIR/results.yaml and validate-mesh its
# findings (each with its code, resource and file) to MESH_RESULTS_DIR/validate-mesh.yaml: a
# new temporary folder unless set, and never a folder inside the checkout, where the next
# render would read it as a resource.
#
# With MESHFN_RENDER_EXEC set to meshfn's render-exec binary, the render runs the function
# binaries beside it instead of the images (exec mode: no container runtime needed), and so
# does the validation (scripts/validate.sh says which validate-mesh runs).
set -euo pipefail

say() { echo "ci-check: $*" >&2; }

top=$(git rev-parse --show-toplevel 2>/dev/null) || { say "$PWD is not in a Git checkout"; exit 1; }
top=$(cd -- "$top" && pwd -P)
if [ -n "$(git status --porcelain --untracked-files=all)" ]; then
	say "the checkout has uncommitted changes before the render; commit or remove them first:"
	git status --short --untracked-files=all >&2
	exit 1
fi

if [ $# -eq 0 ]; then
	results=${MESH_RESULTS_DIR:-$(mktemp -d)}
	made=
	[ -d "$results" ] || { mkdir -p -- "$results"; made=1; }
	resolved=$(cd -- "$results" && pwd -P)
	case $resolved/ in
	"$top"/*)
		[ -z "$made" ] || rmdir -- "$results" 2>/dev/null || true
		say "MESH_RESULTS_DIR=$results is inside the checkout ($top): the next render would read it; use a folder outside"
		exit 1
		;;
	esac
	results=$resolved
	if [ -n "${MESHFN_RENDER_EXEC:-}" ]; then
		set -- "$MESHFN_RENDER_EXEC" . -- --truncate-output=false --results-dir "$results"
	else
		set -- kpt fn render --truncate-output=false --results-dir "$results" .
	fi
	where="; every function's results are in $results/results.yaml"
else
	results=
	where=
fi

if ! "$@"; then
	say "FAILED: the render failed (a function reported an error, above)$where."
	exit 1
fi

status=0
if [ -n "$results" ]; then
	"$(dirname -- "$0")/validate.sh" --results "$results/validate-mesh.yaml" || status=$?
	where="; every function's results are in $results/results.yaml, validate-mesh's findings in $results/validate-mesh.yaml"
else
	"$(dirname -- "$0")/validate.sh" || status=$?
fi
if [ "$status" -ne 0 ]; then
	say "FAILED: validate-mesh found what fails the mesh (above)$where."
	exit 1
fi

changes=$(git status --porcelain --untracked-files=all)
if [ -n "$changes" ]; then
	echo >&2
	say "FAILED: the committed tree is not the rendered result. Rendering changed:"
	echo "$changes" >&2
	git --no-pager diff >&2
	say "render with \`$*\` and commit the result."
	exit 1
fi
echo "ci-check: passed: the committed tree is the rendered result and validate-mesh found nothing that fails it$where."

#!/usr/bin/env bash
# check-rendered.sh: fail when a committed kpt package is not the result of rendering it.
#
# Copy this into your CI. It renders the package in the working tree, then requires Git
# to see no change: no modified, deleted or new file. A failure prints what rendering
# changed; run the same render locally and commit the result.
#
#   check-rendered.sh                       # kpt fn render . (the Kptfiles' images)
#   check-rendered.sh make render           # any other command that renders in place
#
# meshfn's own CI runs `hack/check-rendered.sh make render` (exec mode, no container
# runtime needed).
set -euo pipefail

if [ $# -eq 0 ]; then
	set -- kpt fn render --truncate-output=false .
fi
"$@"

changes=$(git status --porcelain --untracked-files=all)
if [ -n "$changes" ]; then
	echo >&2
	echo "check-rendered: the committed package is not the rendered result. Rendering changed:" >&2
	echo "$changes" >&2
	git --no-pager diff >&2
	echo "check-rendered: render with \`$*\` and commit the result." >&2
	exit 1
fi
echo "check-rendered: the committed package is the rendered result."

#!/usr/bin/env bash
# Lints .github/workflows with actionlint, built once per machine from its Go module (pinned here)
# into the same tools cache as the Pulumi CLI. Usage: bash .ci/actionlint.sh [actionlint flags]
set -euo pipefail
ACTIONLINT_VERSION="v1.7.12"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${AGOAT_TOOLS_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/agoat-database}/actionlint-$ACTIONLINT_VERSION"
if [ ! -x "$cache/actionlint" ]; then
  command -v go >/dev/null || { echo "actionlint: not built and no Go to build it: install Go 1.26+ or actionlint" >&2; exit 1; }
  echo "actionlint: building $ACTIONLINT_VERSION from Go modules into $cache"
  start=$SECONDS
  GOBIN="$cache" CGO_ENABLED=0 go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
  echo "actionlint: built in $((SECONDS - start)) s"
fi
cd "$root"
"$cache/actionlint" "$@"
echo "actionlint: .github/workflows clean"

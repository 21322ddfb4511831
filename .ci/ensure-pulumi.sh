#!/usr/bin/env bash
# Sourced by .ci/run (and usable by hand, after `npm ci`: `source .ci/ensure-pulumi.sh`).
#
# Puts the pinned Pulumi CLI first on PATH, with `pulumi-language-nodejs` and
# `pulumi-resource-pulumi-nodejs` beside it. The pin is the version of @pulumi/pulumi in
# package-lock.json: the CLI and the SDK the program runs on are always the same release.
#
# - A `pulumi` already on PATH at the pinned version or newer is used as it is.
# - Otherwise the pinned CLI is built from Go modules (the machines reach the Go module proxy, not
#   Pulumi's download site) into a cache outside the work tree, once per machine:
#     pulumi                         github.com/pulumi/pulumi/pkg/v3/cmd/pulumi, pinned by
#                                    tools/pulumi-cli/go.mod + go.sum
#     pulumi-language-nodejs         tools/pulumi-language-nodejs (ours: the proxy refuses the
#                                    official host's module; see that folder's main.go)
#     pulumi-resource-pulumi-nodejs  the dynamic-provider launcher shipped in @pulumi/pulumi
#   A cold build takes 10-20 minutes on 2 cores; later calls reuse the cache in seconds.
# - Without a CLI and without Go it stops with one line saying how to install the CLI.
#
# Cache: $AGOAT_TOOLS_CACHE, else $XDG_CACHE_HOME/agoat-database, else ~/.cache/agoat-database.
_ep_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

_ep_fail() {
  echo "ensure-pulumi: $*" >&2
  return 1 2>/dev/null || exit 1
}

# shellcheck source=.ci/build-progress.sh
source "$_ep_root/.ci/build-progress.sh"

_ep_main() {
  local root="$_ep_root" pin cache bin host_hash stamp start
  command -v node >/dev/null || { _ep_fail "node is not on PATH: source .ci/ensure-node.sh first"; return 1; }
  pin="$(node -p 'require(process.argv[1]).packages["node_modules/@pulumi/pulumi"].version' "$root/package-lock.json" 2>/dev/null)"
  [ -n "$pin" ] || { _ep_fail "cannot read the @pulumi/pulumi version from package-lock.json"; return 1; }

  # 1. A CLI already installed at the pin or newer (and its language host beside it).
  local have
  # `|| true`: .ci/run sources this under `set -euo pipefail`, where a missing pulumi would stop it.
  have="$(pulumi version 2>/dev/null | sed 's/^v//' || true)"
  if [ -n "$have" ] && node -e '
      const [a, b] = process.argv.slice(1).map((v) => v.split(/[.+-]/).slice(0, 3).map(Number));
      process.exit(a[0] > b[0] || (a[0] === b[0] && (a[1] > b[1] || (a[1] === b[1] && a[2] >= b[2]))) ? 0 : 1);
    ' "$have" "$pin" && command -v pulumi-language-nodejs >/dev/null; then
    echo "ensure-pulumi: using Pulumi CLI v$have at $(command -v pulumi) (pinned: v$pin)"
    return 0
  fi

  cache="${AGOAT_TOOLS_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/agoat-database}"
  bin="$cache/pulumi-v$pin/bin"
  # The language host is rebuilt when its source changes.
  host_hash="$(cat "$root"/tools/pulumi-language-nodejs/{main.go,go.mod,go.sum} | sha256sum | cut -c1-16)"
  stamp="$bin/.language-host-$host_hash"

  if [ ! -x "$bin/pulumi" ] || [ ! -e "$stamp" ]; then
    command -v go >/dev/null || {
      _ep_fail "no Pulumi CLI v$pin or newer on PATH and no Go to build it: install the Pulumi CLI (https://www.pulumi.com/docs/install/) or Go 1.26+, then source .ci/ensure-pulumi.sh again"
      return 1
    }
    local sdk
    sdk="$(sed -n 's#^[[:space:]]*\(require \)\{0,1\}github.com/pulumi/pulumi/sdk/v3 \(v[0-9.]*\)$#\2#p' "$root/tools/pulumi-language-nodejs/go.mod")"
    [ "$sdk" = "v$pin" ] || { _ep_fail "tools/pulumi-language-nodejs/go.mod pins sdk/v3 $sdk, package-lock.json pins @pulumi/pulumi $pin: make them agree"; return 1; }
    grep -Eq "github.com/pulumi/pulumi/pkg/v3 v$pin( |\$)" "$root/tools/pulumi-cli/go.mod" || {
      _ep_fail "tools/pulumi-cli/go.mod does not pin github.com/pulumi/pulumi/pkg/v3 v$pin: make it agree with package-lock.json"
      return 1
    }
    mkdir -p "$bin"
    local ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$pin"
    start=$SECONDS
    if [ ! -x "$bin/pulumi" ]; then
      echo "ensure-pulumi: building Pulumi CLI v$pin from Go modules into $bin (first time on this machine: 10-20 minutes on 2 cores)"
      # A temporary file per builder ($$): two checkouts building at once on one machine each rename
      # a whole binary into place (with one shared name, one renamed the other's and the other failed).
      (cd "$root/tools/pulumi-cli" && export CGO_ENABLED=0 && ci_build_progress ensure-pulumi go build -buildvcs=false -trimpath -ldflags "$ldflags" -o "$bin/pulumi.tmp.$$" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) ||
        { _ep_fail "go build of github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$pin failed (output above)"; return 1; }
      mv -f "$bin/pulumi.tmp.$$" "$bin/pulumi"
    fi
    echo "ensure-pulumi: building pulumi-language-nodejs (tools/pulumi-language-nodejs)"
    (cd "$root/tools/pulumi-language-nodejs" && CGO_ENABLED=0 go build -buildvcs=false -trimpath -ldflags "$ldflags" -o "$bin/pulumi-language-nodejs.tmp.$$" .) ||
      { _ep_fail "go build of tools/pulumi-language-nodejs failed (output above)"; return 1; }
    mv -f "$bin/pulumi-language-nodejs.tmp.$$" "$bin/pulumi-language-nodejs"
    rm -f "$bin"/.language-host-*
    touch "$stamp"
    echo "ensure-pulumi: built in $((SECONDS - start)) s"
  fi
  # The dynamic-provider launcher is a script in @pulumi/pulumi; it resolves the SDK from the
  # working directory, so one copy serves every checkout.
  if [ ! -x "$bin/pulumi-resource-pulumi-nodejs" ]; then
    [ -f "$root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs" ] ||
      { _ep_fail "node_modules/@pulumi/pulumi is missing: run npm ci first"; return 1; }
    cp "$root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs" "$bin/"
    chmod 0755 "$bin/pulumi-resource-pulumi-nodejs"
  fi
  export PATH="$bin:$PATH"
  # Offline machines: never try to download plugins or check for a newer CLI.
  export PULUMI_SKIP_UPDATE_CHECK=true
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  echo "ensure-pulumi: using Pulumi CLI $(pulumi version) at $bin"
}

_ep_main
_ep_status=$?
unset -f _ep_main _ep_fail ci_build_progress
unset _ep_root
if [ "$_ep_status" -ne 0 ]; then
  unset _ep_status
  return 1 2>/dev/null || exit 1
fi
unset _ep_status

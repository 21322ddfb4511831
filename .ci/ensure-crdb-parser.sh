#!/usr/bin/env bash
# Sourced by .ci/run (and usable by hand: `source .ci/ensure-crdb-parser.sh`).
#
# Builds CockroachDB's grammar for `dbmigrate lint` (docs/adrs/0013): tools/crdb-parser, a small
# Go program over github.com/cockroachdb/cockroachdb-parser, once per grammar:
#   crdb-parser-25.2   the v0.25.2 module (CockroachDB 25.2), pinned by go.mod + go.sum
#   crdb-parser-23.2   the v0.23.2 module (CockroachDB 23.2), pinned by go.23.2.mod + go.23.2.sum
# (one module path cannot be linked at two versions into one binary: two binaries, one source).
#
# - Cached outside the work tree, keyed by the hash of the helper's source and pins:
#   $AGOAT_TOOLS_CACHE, else $XDG_CACHE_HOME/agoat-database, else ~/.cache/agoat-database,
#   under crdb-parser-<hash>/. dbmigrate finds it there by the same hash (or through
#   $AGOAT_CRDB_PARSER_DIR, which this exports).
# - A cold build takes about 2-5 minutes per grammar on 2 cores, with a line every minute.
# - Without Go and without a cached helper it says so in one line and does not fail: lint then
#   reports that CockroachDB's grammar did not run (and fails under --require-cockroachdb-grammar).
_ecp_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The grammars the helper is built for, each with its go.mod; keep in step with
# dbmigrate/sql/cockroachdb-parser.ts (COCKROACHDB_GRAMMARS).
_ecp_grammars=("25.2:go.mod" "23.2:go.23.2.mod")

_ecp_fail() {
  echo "ensure-crdb-parser: $*" >&2
  return 1 2>/dev/null || exit 1
}

# shellcheck source=.ci/build-progress.sh
source "$_ecp_root/.ci/build-progress.sh"

_ecp_main() {
  local src="$_ecp_root/tools/crdb-parser" hash cache dir entry grammar modfile tags start
  # Same bytes, same order as cockroachdbParserHash() in dbmigrate/sql/cockroachdb-parser.ts.
  hash="$(cat "$src"/main.go "$src"/plpgsql.go "$src"/go.mod "$src"/go.sum "$src"/go.23.2.mod "$src"/go.23.2.sum | sha256sum | cut -c1-16)"
  cache="${AGOAT_TOOLS_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/agoat-database}"
  dir="$cache/crdb-parser-$hash"
  local missing=()
  for entry in "${_ecp_grammars[@]}"; do
    [ -x "$dir/crdb-parser-${entry%%:*}" ] || missing+=("$entry")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    if ! command -v go >/dev/null; then
      echo "ensure-crdb-parser: no Go and no cached CockroachDB parser helper in $dir: dbmigrate lint will run PostgreSQL's grammar only (install Go 1.26+, then source .ci/ensure-crdb-parser.sh)"
      return 0
    fi
    mkdir -p "$dir"
    for entry in "${missing[@]}"; do
      grammar="${entry%%:*}"
      modfile="${entry#*:}"
      # The 23.2 snapshot has no PL/pgSQL parser package (nor DO): plpgsql.go is left out.
      tags=""
      [ "$grammar" = "23.2" ] && tags="crdb232"
      start=$SECONDS
      echo "ensure-crdb-parser: building CockroachDB $grammar's grammar (tools/crdb-parser, $modfile) into $dir (first time on this machine: 2-5 minutes on 2 cores)"
      # A temporary file per builder ($$): two checkouts building at once on one machine each rename
      # a whole binary into place (with one shared name, one renamed the other's and the other failed).
      (cd "$src" && export CGO_ENABLED=0 GOFLAGS=-mod=readonly && ci_build_progress ensure-crdb-parser go build -buildvcs=false -trimpath -ldflags "-s -w" -modfile "$modfile" -tags "$tags" -o "$dir/crdb-parser-$grammar.tmp.$$" .) ||
        { _ecp_fail "go build of tools/crdb-parser with $modfile failed (output above)"; return 1; }
      mv -f "$dir/crdb-parser-$grammar.tmp.$$" "$dir/crdb-parser-$grammar"
      echo "ensure-crdb-parser: built CockroachDB $grammar's grammar in $((SECONDS - start)) s"
    done
  fi
  export AGOAT_CRDB_PARSER_DIR="$dir"
  echo "ensure-crdb-parser: using CockroachDB's grammar $(cd "$dir" && for entry in "${_ecp_grammars[@]}"; do printf '%s ' "${entry%%:*}"; done)from $dir"
}

_ecp_main
_ecp_status=$?
unset -f _ecp_main _ecp_fail ci_build_progress
unset _ecp_root _ecp_grammars
if [ "$_ecp_status" -ne 0 ]; then
  unset _ecp_status
  return 1 2>/dev/null || exit 1
fi
unset _ecp_status

#!/usr/bin/env bash
# Sourced by .ci/ensure-pulumi.sh and .ci/ensure-crdb-parser.sh: a cold Go build is silent for minutes.
#
# ci_build_progress LABEL COMMAND...: runs COMMAND and prints "LABEL: still building (N min so far)"
# every minute until it ends; returns its exit status.
ci_build_progress() {
  local label="$1" started=$SECONDS next=60 pid
  shift
  "$@" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 2
    if [ $((SECONDS - started)) -ge "$next" ]; then
      echo "$label: still building ($((next / 60)) min so far)"
      next=$((next + 60))
    fi
  done
  wait "$pid"
}

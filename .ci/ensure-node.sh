#!/usr/bin/env bash
# Sourced by .ci/run (and usable by hand: `source .ci/ensure-node.sh`).
# @pulumi/pulumi and @google-cloud/secret-manager need Node 22+. When the system Node is
# older, bin/ensure-node22.js fetches the official Node 22 binary from the npm package
# node-<platform>-<arch>@22 into the ignored folder .tools/ (the same code `npm test`,
# `npm run local` and `npx dbmigrate` use), and this puts it first on PATH. npm stays the system one.
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if _node22="$(node "$_root/bin/ensure-node22.js")"; then
  [ "$(command -v node)" = "$_node22" ] || export PATH="$(dirname "$_node22"):$PATH"
  echo "ensure-node: using Node $(node --version) at $(command -v node)"
else
  echo "ensure-node: no Node 22 (see the line above)" >&2
fi
unset _root _node22

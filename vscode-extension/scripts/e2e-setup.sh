#!/usr/bin/env bash
# Installs what the real-VS-Code end-to-end test needs (see /work/shared/VSCODE-E2E.md): Debian's
# chromium and ripgrep, and code-server (VS Code in a browser) into vscode-extension/.e2e-cache/.
# Idempotent: a second run only checks that everything is in place.
#
#   scripts/e2e-setup.sh                 install what is missing
#   E2E_CACHE=dir scripts/e2e-setup.sh   use another cache directory
set -euo pipefail

ext_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${E2E_CACHE:-$ext_dir/.e2e-cache}"
version="4.100.3"   # VS Code 1.100.3; newer code-server releases need node 22+
prefix="$cache/code-server-$version"
bin="$prefix/node_modules/.bin/code-server"

# Debian packages: the browser, rg (to seed @vscode/ripgrep, whose postinstall would download it),
# and what node-pty / kerberos need to compile.
packages=(chromium ripgrep libkrb5-dev g++ make python3 pkg-config)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "e2e-setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "e2e-setup: missing Debian packages. Run:"
    echo "  sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi

if [ -x "$bin" ] && [ -x "$prefix/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] &&
   HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent "$bin" --version 2>/dev/null | grep -q "^$version "; then
  echo "e2e-setup: code-server $version is installed in $prefix"
  exit 0
fi

major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" != 20 ]; then
  echo "e2e-setup: code-server $version needs node 20 (found $(node --version))" >&2
  exit 1
fi

mkdir -p "$cache"
work="$(mktemp -d "$cache/tmp.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Seed @vscode/ripgrep's download cache with Debian's rg: the postinstall looks for
# $TMPDIR/vscode-ripgrep-cache-<package version>/ripgrep-<rg version>-<target>.tar.gz first.
# Both versions are read from the packed tarballs.
(cd "$work" && npm pack --silent "code-server@$version" >/dev/null)
tar xzf "$work/code-server-$version.tgz" -C "$work" package/lib/vscode/npm-shrinkwrap.json
rg_pkg_versions="$(node -e '
  const s = require(process.argv[1]);
  const v = new Set(Object.entries(s.packages || {})
    .filter(([k]) => k.endsWith("node_modules/@vscode/ripgrep")).map(([, p]) => p.version));
  console.log([...v].join(" "));' "$work/package/lib/vscode/npm-shrinkwrap.json")"
mkdir -p "$work/tmp"
for pv in $rg_pkg_versions; do
  (cd "$work" && npm pack --silent "@vscode/ripgrep@$pv" >/dev/null)
  mkdir -p "$work/rg-$pv"
  tar xzf "$work/vscode-ripgrep-$pv.tgz" -C "$work/rg-$pv" package/lib/postinstall.js
  rg_version="$(sed -n "s/^const VERSION = '\(.*\)';.*/\1/p" "$work/rg-$pv/package/lib/postinstall.js")"
  seed="$work/tmp/vscode-ripgrep-cache-$pv"
  mkdir -p "$seed/rg"
  cp "$(command -v rg)" "$seed/rg/rg"
  tar czf "$seed/ripgrep-$rg_version-x86_64-unknown-linux-musl.tar.gz" -C "$seed/rg" rg
  echo "e2e-setup: seeded @vscode/ripgrep $pv (rg $rg_version) with $(command -v rg)"
done

echo "e2e-setup: installing code-server $version into $prefix (about a minute)"
rm -rf "$prefix"
mkdir -p "$prefix"
# As root npm drops privileges for scripts unless unsafe-perm; node-pty's postinstall runs
# `npx node-gyp`, which must not prompt. npm 11.10+ runs no dependency install scripts unless
# allowed: allow those of code-server, its postinstall's nested `npm install`s in lib/vscode and
# lib/vscode/extensions (packages with "hasInstallScript" in their shrinkwraps), and argon2.
allow="code-server,argon2,@parcel/watcher,@vscode/deviceid,@vscode/ripgrep,@vscode/spdlog"
allow+=",@vscode/windows-ca-certs,@vscode/windows-process-tree,@vscode/windows-registry"
allow+=",kerberos,native-watchdog,node-pty,esbuild"
# npm accepts the list only as the project's `allowScripts` field (not --allow-scripts) for a
# project-scoped install like this one.
node -e 'const names = process.argv[1].split(",");
  const allowScripts = Object.fromEntries(names.map((n) => [n, true]));
  process.stdout.write(JSON.stringify({name: "e2e-code-server", private: true, allowScripts}, null, 1));' \
  "$allow" > "$prefix/package.json"
(cd "$prefix" && TMPDIR="$work/tmp" npm_config_unsafe_perm=true npm_config_yes=true \
  npm install --no-audit --no-fund --no-save "code-server@$version")
# A finished install has lib/vscode's dependencies (the postinstall ran) and the seeded rg.
if [ ! -x "$prefix/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] ||
   [ ! -d "$prefix/node_modules/code-server/lib/vscode/node_modules/node-pty/build" ]; then
  echo "e2e-setup: code-server's postinstall did not complete (see the npm output above)" >&2
  exit 1
fi
HOME="$work" XDG_CONFIG_HOME="$work/config" "$bin" --version
echo "e2e-setup: code-server $version installed in $prefix"

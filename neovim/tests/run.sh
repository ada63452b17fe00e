#!/usr/bin/env bash
# Headless Neovim tests of the sysimage plugin against the real server and the real Julia, on a copy of
# examples/fl-insurance in a temporary directory (state dir and Julia depot there too).
#
# usage: neovim/tests/run.sh [<sysimage-server>]   (default: <repo>/build/bin/sysimage-server)
# Exit status: 0 pass, 1 fail, 77 skipped (no nvim).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
server="${1:-$repo/build/bin/sysimage-server}"

nvim="${SYSIMAGE_TEST_NVIM:-$(command -v nvim || true)}"   # not $NVIM: set inside :terminal
if [ -z "$nvim" ]; then
    echo "SKIP: nvim not found (install Debian's neovim package: apt-get install neovim)"
    exit 77
fi
[ -x "$server" ] || { echo "FAIL: no server at $server (cmake --build build --target sysimage-server)"; exit 1; }
julia="$("$repo/scripts/julia-path")" || { echo "FAIL: no usable Julia (scripts/install-julia)"; exit 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sysimage-nvim-test.XXXXXX")"
cp -r "$repo/examples/fl-insurance" "$tmp/fl-insurance"
mkdir -p "$tmp/state" "$tmp/depot" "$tmp/xdg"

export SYSIMAGE_SERVER_STATE_DIR="$tmp/state"
export JULIA_DEPOT_PATH="$tmp/depot"          # isolated from ~/.julia; the guarded Pkg steps add a registry
export XDG_STATE_HOME="$tmp/xdg" XDG_DATA_HOME="$tmp/xdg" XDG_CACHE_HOME="$tmp/xdg"   # Neovim's LSP log etc.
export SYSIMAGE_TEST_SERVER="$server" SYSIMAGE_TEST_JULIA="$julia" SYSIMAGE_TEST_TMP="$tmp" \
       SYSIMAGE_TEST_PROJECT="$tmp/fl-insurance" SYSIMAGE_TEST_REPO="$repo"

echo "nvim: $("$nvim" --version | head -1); server: $server; julia: $julia; tmp: $tmp"
# 0.7 has no `nvim -l`: the runner is a luafile that quits with the exit status itself.
timeout 870 "$nvim" --headless -u NONE -i NONE -n \
    -c "set rtp^=$repo/neovim" -c "luafile $here/run.lua" </dev/null
rc=$?
if [ $rc -eq 0 ]; then
    rm -rf "$tmp"
    exit 0
fi
[ $rc -eq 124 ] && echo "FAIL: timed out"
echo "--- server log ($tmp/server.log), last 40 lines:"
tail -n 40 "$tmp/server.log" 2>/dev/null
echo "(kept $tmp)"
exit 1

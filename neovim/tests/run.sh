#!/usr/bin/env bash
# Headless Neovim tests of the sysimage plugin against the real server and the real Julia, on a copy of
# examples/fl-insurance in a temporary directory (state dir and Julia depot there too).
#
# usage: neovim/tests/run.sh [<sysimage-server>]   (default: <repo>/build/bin/sysimage-server)
#   SYSIMAGE_TEST_NVIM=<nvim>        the Neovim to test (default: nvim on PATH; not $NVIM: set inside :terminal)
#   SYSIMAGE_TEST_NVIM_VERSION=0.10  fail unless that Neovim is this version (CTest sets it per test)
# Exit status: 0 pass, 1 fail, 77 skipped (no such nvim).
# Besides run.lua's own checks, the run fails when Neovim wrote an error, a Lua traceback or a
# deprecation warning to its stderr (where headless Neovim prints its messages).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
server="${1:-$repo/build/bin/sysimage-server}"

nvim="${SYSIMAGE_TEST_NVIM:-$(command -v nvim || true)}"
if [ -z "$nvim" ] || [ ! -x "$nvim" ]; then
    echo "SKIP: nvim not found (${nvim:-none}): install Debian's neovim package (0.7), scripts/install-neovim (0.10)"
    exit 77
fi
version="$("$nvim" --version | head -n 1)"
if [ -n "${SYSIMAGE_TEST_NVIM_VERSION:-}" ] && [[ "$version" != "NVIM v${SYSIMAGE_TEST_NVIM_VERSION}."* ]]; then
    echo "FAIL: $nvim is '$version', this test is for Neovim ${SYSIMAGE_TEST_NVIM_VERSION}"
    exit 1
fi
[ -x "$server" ] || { echo "FAIL: no server at $server (cmake --build build --target sysimage-server)"; exit 1; }
julia="$("$repo/scripts/julia-path")" || { echo "FAIL: no usable Julia (scripts/install-julia)"; exit 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sysimage-nvim-test.XXXXXX")"
cp -r "$repo/examples/fl-insurance" "$tmp/fl-insurance"
mkdir -p "$tmp/state" "$tmp/depot" "$tmp/xdg"

export SYSIMAGE_SERVER_STATE_DIR="$tmp/state"
export JULIA_DEPOT_PATH="$tmp/depot"          # isolated from ~/.julia; the guarded Pkg steps add a registry
# Neovim's LSP log etc., and the servers' TCP token files (<XDG_STATE_HOME>/sysimage-server/) go to tmp.
export XDG_STATE_HOME="$tmp/xdg" XDG_DATA_HOME="$tmp/xdg" XDG_CACHE_HOME="$tmp/xdg"
unset XDG_RUNTIME_DIR
export SYSIMAGE_TEST_SERVER="$server" SYSIMAGE_TEST_JULIA="$julia" SYSIMAGE_TEST_TMP="$tmp" \
       SYSIMAGE_TEST_PROJECT="$tmp/fl-insurance" SYSIMAGE_TEST_REPO="$repo"

echo "nvim: $version ($nvim); server: $server; julia: $julia; tmp: $tmp"
# 0.7 has no `nvim -l`: the runner is a luafile that quits with the exit status itself.
timeout 1740 "$nvim" --headless -u NONE -i NONE -n \
    -c "set rtp^=$repo/neovim" -c "luafile $here/run.lua" </dev/null 2>"$tmp/nvim-stderr.log"
rc=$?
# Headless Neovim prints its messages on stderr, CR LF separated and sometimes run together.
problems="$(tr '\r' '\n' <"$tmp/nvim-stderr.log" \
    | grep -nE 'Error detected while processing|Error executing|^E[0-9]+: |stack traceback|LSP\[[^]]*\]: Error|[Dd]eprecated' || true)"
if [ -n "$problems" ]; then
    echo "FAIL: Neovim reported problems on stderr:"
    echo "$problems" | head -n 40
    rc=1
fi
if [ $rc -eq 0 ]; then
    rm -rf "$tmp"
    exit 0
fi
[ $rc -eq 124 ] && echo "FAIL: timed out"
echo "--- Neovim's stderr ($tmp/nvim-stderr.log), last 40 lines:"
tr '\r' '\n' <"$tmp/nvim-stderr.log" | grep -v '^$' | tail -n 40
echo "--- server log ($tmp/server.log), last 40 lines:"
tail -n 40 "$tmp/server.log" 2>/dev/null
echo "(kept $tmp)"
exit 1

#!/usr/bin/env bash
# Creates an offline Julia package registry for the Neovim tests: a local git package "Tiny" with
# versions 0.1.0 and 0.1.1 registered in <depot>/registries/Local (see ../shared/JULIA.md, "Real Pkg
# operations offline"), so `Pkg.add(name="Tiny", version="0.1.0")` and `Pkg.update("Tiny")` rewrite a
# project's Manifest.toml exactly as for a user, without network access.
#
# usage: local_registry.sh <depot> <workdir>
set -euo pipefail
depot="$1"
work="$2"
tiny_uuid="3c0b384b-479c-5684-b2ef-9d7a46dd931e"
registry_uuid="7d25c8c7-1f4b-4a42-9b53-6e3ac1a9d2f1"

pkg="$work/Tiny"
mkdir -p "$pkg/src"
git -C "$pkg" init -q
git -C "$pkg" config user.email test@example.invalid
git -C "$pkg" config user.name test

write_version() {
    cat > "$pkg/Project.toml" <<TOML
name = "Tiny"
uuid = "$tiny_uuid"
version = "$1"
TOML
    cat > "$pkg/src/Tiny.jl" <<JL
module Tiny
greet(name::AbstractString) = string("hello ", name, " from Tiny $1")
end
JL
    git -C "$pkg" add -A
    git -C "$pkg" commit -q -m "Tiny $1"
    git -C "$pkg" rev-parse 'HEAD^{tree}'
}
tree1="$(write_version 0.1.0)"
tree2="$(write_version 0.1.1)"

reg="$depot/registries/Local"
mkdir -p "$reg/T/Tiny"
cat > "$reg/Registry.toml" <<TOML
name = "Local"
uuid = "$registry_uuid"
repo = ""

[packages]
$tiny_uuid = { name = "Tiny", path = "T/Tiny" }
TOML
cat > "$reg/T/Tiny/Package.toml" <<TOML
name = "Tiny"
uuid = "$tiny_uuid"
repo = "$pkg"
TOML
cat > "$reg/T/Tiny/Versions.toml" <<TOML
["0.1.0"]
git-tree-sha1 = "$tree1"

["0.1.1"]
git-tree-sha1 = "$tree2"
TOML

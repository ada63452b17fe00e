# Shared by scripts/install-julia and scripts/install-neovim (sourced, not run): fetching .debs of
# another Debian release with a temporary apt configuration, without touching /etc/apt (see the
# shared JULIA.md and NEOVIM.md notes). The caller defines say() and die().

# require_debian_tools: dies unless apt-get, dpkg and dpkg-deb are on PATH.
require_debian_tools() {
    local tool
    for tool in apt-get dpkg dpkg-deb; do
        command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found: this installer needs a Debian-based system"
    done
}

# Prints "URI<TAB>SIGNED-BY" for the first Debian archive of this machine's own apt sources (a URI
# containing "debian", not the security archive), deb822 files first, then one-line lists.
find_archive() {
    local f found
    for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        # deb822 stanzas: collect URIs/Suites/Signed-By per stanza.
        found="$(awk '
            function flush() {
                if (uris ~ /debian/ && types ~ /(^|[ \t])deb([ \t]|$)/ && suites !~ /security/ && uris !~ /security/) {
                    split(uris, u, /[ \t]+/); print u[1] "\t" signed; found = 1; exit
                }
                uris = ""; suites = ""; signed = ""; types = ""
            }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            tolower($1) == "types:"     { sub(/^[^:]*:[ \t]*/, ""); types = $0; next }
            tolower($1) == "uris:"      { sub(/^[^:]*:[ \t]*/, ""); uris = $0; next }
            tolower($1) == "suites:"    { sub(/^[^:]*:[ \t]*/, ""); suites = $0; next }
            tolower($1) == "signed-by:" { sub(/^[^:]*:[ \t]*/, ""); signed = $0; next }
            END { if (!found) flush() }
        ' "$f")"
        if [ -n "$found" ]; then echo "$found"; return 0; fi
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        # One-line format: deb [options] URI suite components...
        found="$(awk '
            $1 == "deb" {
                i = 2; signed = ""
                if ($i ~ /^\[/) {
                    while (i <= NF) {
                        if ($i ~ /^\[?signed-by=/) { s = $i; sub(/^\[?signed-by=/, "", s); sub(/\]$/, "", s); signed = s }
                        if ($i ~ /\]$/) { i++; break }
                        i++
                    }
                }
                uri = $i; suite = $(i + 1)
                if (uri !~ /debian/ || uri ~ /security/ || suite ~ /security/) next
                print uri "\t" signed; exit
            }
        ' "$f")"
        if [ -n "$found" ]; then echo "$found"; return 0; fi
    done
    return 1
}

# debs_cached CACHE SPEC...: succeeds when CACHE holds a .deb for every SPEC ("name" or "name=version").
debs_cached() {
    local cache="$1" spec name ver
    shift
    for spec in "$@"; do
        name="${spec%%=*}"
        if [ "$name" != "$spec" ]; then ver="${spec#*=}"; else ver="*"; fi
        compgen -G "$cache/${name}_${ver}_*.deb" >/dev/null || return 1
    done
    return 0
}

# cached_deb CACHE SPEC: the newest cached .deb of SPEC (a re-download after an archive update may leave two).
cached_deb() {
    local cache="$1" spec="$2" name ver
    name="${spec%%=*}"
    if [ "$name" != "$spec" ]; then ver="${spec#*=}"; else ver="*"; fi
    compgen -G "$cache/${name}_${ver}_*.deb" | sort -V | tail -n 1
}

# download_debs SUITE CACHE SPEC...: apt-get download of every SPEC from SUITE (component main) of this
# machine's Debian archive into CACHE, through a temporary apt configuration. Dies on failure.
download_debs() {
    local suite="$1" cache="$2" archive uri signed_by work rc
    shift 2
    archive="$(find_archive)" || die "no Debian archive found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list; cannot download $suite packages"
    uri="${archive%%$'\t'*}"
    signed_by="${archive#*$'\t'}"
    say "using archive $uri (suite $suite, component main)"

    work="$(mktemp -d "${TMPDIR:-/tmp}/debian-archive.XXXXXX")"
    mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$cache"
    if [ -n "$signed_by" ]; then
        echo "deb [signed-by=$signed_by] $uri $suite main" > "$work/sources.list"
    else
        echo "deb $uri $suite main" > "$work/sources.list"
    fi
    local apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list"
                    -o "Dir::Etc::SourceParts=/dev/null"
                    -o "Dir::State::Lists=$work/lists"
                    -o "Dir::Cache=$work/cache"
                    -o "APT::Sandbox::User=root"
                    -o "Acquire::Languages=none")
    if [ "$(id -u)" -ne 0 ]; then
        # Locks live in the private lists dir; apt still insists on root unless told otherwise.
        apt_opts+=(-o "Debug::NoLocking=1" -o "APT::Sandbox::User=$(id -un)")
    fi

    say "apt-get update (temporary $suite list)"
    rc=0
    apt-get "${apt_opts[@]}" update > "$work/update.log" 2>&1 || rc=$?
    # apt-get update exits 0 even when every fetch failed; check that an index arrived.
    if [ "$rc" -ne 0 ] || ! compgen -G "$work/lists/*${suite}*_Packages*" >/dev/null; then
        grep -E '^(W|E|Err):' "$work/update.log" >&2 || cat "$work/update.log" >&2
        rm -rf "$work"
        die "could not fetch the $suite package index from $uri (see above)"
    fi
    say "apt-get download $*"
    if ! (cd "$cache" && apt-get "${apt_opts[@]}" download "$@") > "$work/download.log" 2>&1; then
        cat "$work/download.log" >&2
        rm -rf "$work"
        die "apt-get download failed (see above)"
    fi
    rm -rf "$work"
    debs_cached "$cache" "$@" || die "apt-get download finished but not every package is in $cache"
}

# install_debs SUITE CACHE PREFIX SPEC...: the .deb of every SPEC, from CACHE or else downloaded from
# SUITE into CACHE, extracted (dpkg-deb -x) into PREFIX, which is emptied first. Dies on failure.
install_debs() {
    local suite="$1" cache="$2" prefix="$3" spec deb
    shift 3
    if debs_cached "$cache" "$@"; then
        say "using cached packages in $cache"
    else
        download_debs "$suite" "$cache" "$@"
    fi
    say "extracting into $prefix"
    rm -rf "$prefix"
    mkdir -p "$prefix"
    for spec in "$@"; do
        deb="$(cached_deb "$cache" "$spec")"
        dpkg-deb -x "$deb" "$prefix" || die "dpkg -x $deb failed"
    done
}

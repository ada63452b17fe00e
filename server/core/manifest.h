// Manifest model: reads a Julia environment's Manifest.toml (every format Pkg has written) and finds
// the manifest file Julia itself would load for a given Julia version.
//
// Format reference: Pkg's docs, "Project.toml and Manifest.toml"
//   https://pkgdocs.julialang.org/v1/toml-files/#Manifest.toml
// and the reader this model follows, Pkg.jl src/manifest.jl (`read_manifest`, `normalize_deps`,
// `validate_manifest`): https://github.com/JuliaLang/Pkg.jl/blob/master/src/manifest.jl
#pragma once

#include <compare>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sysimage::core {

/// What went wrong while reading one of the project's files (manifest, project file, JuliaSysimage.toml,
/// image sidecar). Each reader documents which kinds it raises.
enum class ParseErrorKind {
  io,                   ///< the file is missing or cannot be read
  syntax,               ///< not valid TOML / JSON (line and column come from the parser)
  wrongType,            ///< a key holds a value of the wrong type (e.g. `repo-url = false`)
  missingField,         ///< a required key is absent (e.g. a manifest entry without `uuid`)
  malformedUuid,        ///< a string that should be a UUID is not `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`
  malformedValue,       ///< a string or number is out of its allowed set (bad version, bad SHA-1, negative count...)
  duplicateDependency,  ///< a `deps` list names the same package twice
  missingDependency,    ///< a dependency names a package that has no entry in the manifest
  ambiguousDependency,  ///< a `deps` list names a package that has several entries (needs the table form)
  duplicatePackage,     ///< two manifest entries have the same UUID
  unsupportedVersion,   ///< a format version this server cannot read (image sidecar `formatVersion`)
};

/// Stable lower-case name of a kind, e.g. "malformedUuid" (for logs and tests).
std::string_view toString(ParseErrorKind kind);

/// A file that could not be read or understood. `what()` is "file:line:column: message" (line and column
/// are left out when unknown).
struct ParseError : std::runtime_error {
  ParseError(ParseErrorKind kind, std::filesystem::path file, int line, int column, std::string key,
             std::string message);

  ParseErrorKind kind;
  std::filesystem::path file;
  int line = 0;         ///< 1-based; 0 when unknown (I/O errors, whole-file problems)
  int column = 0;       ///< 1-based; 0 when unknown
  std::string key;      ///< dotted key the error is about, e.g. "deps.Example.repo-url"; empty if none
  std::string message;  ///< the message without the location prefix
};

/// A Julia `VersionNumber`: `major.minor.patch[-prerelease][+build]`, ordered exactly like Julia's
/// `isless` (base/version.jl): a pre-release sorts before its release, a build after it, and numeric
/// identifiers before alphanumeric ones. A lone `+` (`0.5.1+`, written by Pkg for repo-tracked
/// packages) is an empty build identifier.
struct VersionNumber {
  std::uint64_t major = 0;
  std::uint64_t minor = 0;
  std::uint64_t patch = 0;
  std::vector<std::string> prerelease;  ///< identifiers between '-' and '+'; {""} for a lone '-'
  std::vector<std::string> build;       ///< identifiers after '+'; {""} for a lone '+'

  /// Parses like Julia's `VersionNumber(::String)`: optional `v` and surrounding blanks, missing minor or
  /// patch count as 0. Returns nullopt for anything else.
  static std::optional<VersionNumber> parse(std::string_view text);

  /// Canonical text, e.g. "1.10.0-rc1" (always three numeric components).
  std::string str() const;

  /// Whether this is release `major`.`minor` or a later one, comparing those two numbers only: a
  /// prerelease or build of a minor counts as that minor (1.6.0-rc1 is at least 1.6). The test of
  /// every Julia-version-dependent feature (e.g. libjulia-internal from 1.6).
  bool atLeast(std::uint64_t wantMajor, std::uint64_t wantMinor) const {
    return major > wantMajor || (major == wantMajor && minor >= wantMinor);
  }

  friend std::strong_ordering operator<=>(const VersionNumber& a, const VersionNumber& b);
  friend bool operator==(const VersionNumber& a, const VersionNumber& b);
};

/// Where a manifest entry's code comes from.
enum class SourceKind {
  stdlib,    ///< no `git-tree-sha1`, `path` or `repo-url`: shipped with Julia
  registry,  ///< `git-tree-sha1` without `repo-url`: installed from a registry
  path,      ///< `path = "..."`: a `Pkg.develop`ed checkout, read from disk on every load
  repo,      ///< `repo-url = "..."`: added from a git repository (`Pkg.add(url=...)`)
};

/// "stdlib", "registry", "path" or "repo".
std::string_view toString(SourceKind kind);
/// Inverse of toString(SourceKind); nullopt for unknown text.
std::optional<SourceKind> sourceKindFromString(std::string_view text);

/// One dependency edge of a manifest entry.
struct Dependency {
  std::string name;
  std::string uuid;  ///< lower-case; empty only for a weak dependency whose name has no manifest entry
  friend bool operator==(const Dependency&, const Dependency&) = default;
};

/// One `[[deps.Name]]` (format 2.x) or `[[Name]]` (format 1.0) entry.
struct PackageEntry {
  std::string name;
  std::string uuid;                         ///< lower-case, validated
  std::optional<std::string> version;       ///< as written, e.g. "0.5.1+"; absent for old stdlibs
  std::optional<std::string> treeHash;      ///< `git-tree-sha1`, 40 lower-case hex digits
  std::optional<std::string> path;          ///< `path` as written (relative to the manifest's directory)
  std::optional<std::string> repoUrl;       ///< `repo-url`
  std::optional<std::string> repoRev;       ///< `repo-rev`
  std::optional<std::string> repoSubdir;    ///< `repo-subdir`
  bool pinned = false;                      ///< `pinned = true`
  std::vector<Dependency> deps;             ///< sorted by name; uuids always resolved
  std::vector<Dependency> weakdeps;         ///< sorted by name; uuid resolved where the manifest allows
  std::map<std::string, std::vector<std::string>> extensions;  ///< extension name -> trigger package names
  std::vector<std::string> registries;      ///< format 2.1 `registries = "General"` (or a list)
  int line = 0;                             ///< line of the entry's header in the file

  SourceKind sourceKind() const;
};

/// A format 2.1 `[registries.Name]` table.
struct RegistryInfo {
  std::string name;
  std::string uuid;
  std::optional<std::string> url;
};

/// A parsed manifest. Packages are sorted by name, then UUID.
struct Manifest {
  std::filesystem::path file;              ///< as given to the reader
  std::string manifestFormat;              ///< "1.0" for the old format (no `manifest_format` key), else as written
  bool oldFormat = false;                  ///< top-level `[[Name]]` entries (format 1.0)
  std::optional<std::string> juliaVersion; ///< `julia_version`, e.g. "1.12.7"
  std::optional<std::string> projectHash;  ///< `project_hash` (SHA-1 of the project's deps/compat)
  std::vector<PackageEntry> packages;
  std::vector<RegistryInfo> registries;    ///< sorted by name
  std::vector<std::string> warnings;       ///< e.g. an unknown `manifest_format`; reading went on
  std::string contentHash;                 ///< hashBytes() (core/hash.h) of the file's bytes

  /// The entry with this UUID (case-insensitive), or nullptr.
  const PackageEntry* findByUuid(std::string_view uuid) const;
  /// All entries with this name (several only in manifests like Pkg's not_unique_names.toml).
  std::vector<const PackageEntry*> findByName(std::string_view name) const;
};

/// Parses manifest text. `file` is only used for error messages and Manifest::file.
/// Throws ParseError: syntax (TOML error with toml++'s line and column), wrongType, missingField,
/// malformedUuid, malformedValue (version, git-tree-sha1, manifest_format, julia_version,
/// project_hash), duplicateDependency, missingDependency, ambiguousDependency, duplicatePackage.
/// An unknown `manifest_format` major version (not 1 or 2) is read like 2.x and adds a warning, as Pkg does.
Manifest parseManifest(std::string_view text, const std::filesystem::path& file);

/// Reads and parses a manifest file. Throws ParseError (kind io when it cannot be read).
Manifest readManifest(const std::filesystem::path& file);

/// Directory a `path`-tracked entry lives in: the entry's `path` resolved against the manifest's directory
/// (lexically normalised). nullopt for entries that are not path-tracked.
std::optional<std::filesystem::path> packageDirectory(const Manifest& manifest, const PackageEntry& entry);

/// The manifest file names Julia `julia` tries, in order. This mirrors `manifest_names` in Julia's
/// base/loading.jl, used by `project_file_manifest_path`:
///   Julia >= 1.11 (JuliaLang/julia#43845) and the 1.10 LTS from 1.10.8 on (backport, JuliaLang/julia#56600):
///     JuliaManifest-v{major}.{minor}.toml, Manifest-v{major}.{minor}.toml, JuliaManifest.toml, Manifest.toml
///   older Julia (1.0 - 1.10.7):  JuliaManifest.toml, Manifest.toml
std::vector<std::string> manifestFileNames(const VersionNumber& julia);

/// The manifest Julia would load for the project in `projectDir`: the first of manifestFileNames(julia)
/// that is a regular file. Not handled: a project's explicit `manifest = "..."` key and workspaces
/// (Julia >= 1.12), which take precedence in Julia. nullopt when none exists.
std::optional<std::filesystem::path> findManifest(const std::filesystem::path& projectDir, const VersionNumber& julia);

/// True for `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex, either case).
bool isUuid(std::string_view text);

}  // namespace sysimage::core

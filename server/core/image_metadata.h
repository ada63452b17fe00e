// Image metadata: the JSON sidecar written next to each sysimage at build time, recording exactly what was
// baked in (Julia, CPU target, packages with versions and tree/source hashes, statements) so staleness can
// be decided later without loading the image. The format is described in docs/configuration.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/manifest.h"
#include "server/core/utc_time.h"  // builtAt is read and written as ISO 8601 UTC

namespace sysimage::core {

/// Source-tree hashes of the current `path`-tracked (dev'd) packages: uuid -> hashSourceTree() of the
/// package's `src/`. A dev'd package missing here counts as "sources unknown" (treated as changed).
using DevSourceHashes = std::map<std::string, std::string>;

/// One package baked into a sysimage.
struct ImagePackage {
  std::string uuid;                       ///< lower-case
  std::string name;
  std::optional<std::string> version;     ///< manifest `version` at build time
  SourceKind source = SourceKind::registry;
  std::optional<std::string> treeHash;    ///< `git-tree-sha1` (registry and repo packages)
  std::optional<std::string> sourceHash;  ///< hashSourceTree() of `src/` (path packages)
  friend bool operator==(const ImagePackage&, const ImagePackage&) = default;
};

/// The sidecar's content. Packages are sorted by name, then uuid.
struct ImageMetadata {
  static constexpr int kFormatVersion = 1;

  std::string juliaVersion;                ///< e.g. "1.11.2" (VERSION of the Julia that built it)
  std::filesystem::path juliaPath;         ///< the julia executable used
  std::string cpuTarget;                   ///< the `cpu_target` setting the image was built for ("native", ...)
  std::string cpuName;                     ///< Sys.CPU_NAME of the building machine ("skylake"); optional, "" when unknown
  std::string backend;                     ///< "native" or "packagecompiler"
  std::vector<ImagePackage> packages;
  std::string manifestHash;                ///< Manifest::contentHash at build time
  std::uint64_t statementCount = 0;        ///< precompile statements fed to the build
  std::string statementSetHash;            ///< hash of the statements the build replayed (ExportResult::writtenHash)
  std::chrono::system_clock::time_point builtAt;  ///< end of the build; serialised ISO 8601 UTC, seconds
  double buildSeconds = 0.0;               ///< wall-clock duration of the build, seconds

  friend bool operator==(const ImageMetadata&, const ImageMetadata&) = default;
};

/// The sidecar path for a sysimage: "<sysimage>.json" (e.g. "sys.so" -> "sys.so.json").
std::filesystem::path metadataPathFor(const std::filesystem::path& sysimage);

/// Serialises to the sidecar JSON (pretty-printed, keys sorted, ends with a newline).
std::string serializeImageMetadata(const ImageMetadata& metadata);

/// Parses sidecar JSON; `file` is used for messages. Throws ParseError: syntax (garbled JSON, with line and
/// column), unsupportedVersion (`formatVersion` other than 1), missingField, wrongType, malformedValue
/// (bad uuid, unknown source kind, bad timestamp, negative duration).
ImageMetadata parseImageMetadata(std::string_view json, const std::filesystem::path& file);

/// Reads a sidecar file. Throws ParseError (kind io when it is missing or unreadable).
ImageMetadata readImageMetadata(const std::filesystem::path& file);

/// Writes a sidecar atomically (platform::atomicWriteFile), so a reader never sees half a file and a
/// crash leaves the old or the new one. Throws std::system_error naming `file` and the failed step.
void writeImageMetadata(const std::filesystem::path& file, const ImageMetadata& metadata);

/// Content hash of a directory tree: FNV-1a 64 (see hashBytes()) over every regular file, in byte order of
/// the '/'-separated relative paths, hashing each path, its size and its bytes. Symlinked files are read
/// through; symlinked directories are not followed. Throws std::filesystem::filesystem_error when `dir` is
/// not a readable directory or a file cannot be read.
std::string hashSourceTree(const std::filesystem::path& dir);

/// hashSourceTree() of `src/` for every path-tracked package of `manifest`; packages whose directory cannot
/// be read are left out (so they compare as changed).
DevSourceHashes hashDevSources(const Manifest& manifest);

/// The ImagePackage for a manifest entry; `devHashes` supplies sourceHash for path packages.
ImagePackage imagePackageFrom(const PackageEntry& entry, const DevSourceHashes& devHashes);

/// The packages a sysimage built from `rootNames` bakes in: those packages and everything they depend on
/// (`deps`, transitively; weak dependencies are not followed). Names not in the manifest are skipped.
/// Sorted by name, then uuid.
std::vector<ImagePackage> imagePackagesFor(const Manifest& manifest, const std::vector<std::string>& rootNames,
                                           const DevSourceHashes& devHashes);

}  // namespace sysimage::core

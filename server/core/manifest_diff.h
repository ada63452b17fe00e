// Manifest diff: what changed between the packages baked into a sysimage and the project's current
// manifest (plus dev'd package sources and the Julia version), one reason per package, in a stable order.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/image_metadata.h"
#include "server/core/manifest.h"

namespace sysimage::core {

/// Why an entry is in a diff. Exactly one per entry, chosen in this order of precedence:
/// sourceKindChanged, upgraded/downgraded, treeHashChanged, devSourcesChanged.
enum class ChangeKind {
  added,                ///< in the manifest, not in the image
  removed,              ///< in the image, not in the manifest
  upgraded,             ///< same package, higher version
  downgraded,           ///< same package, lower version
  treeHashChanged,      ///< same version, different `git-tree-sha1` (e.g. a repo-tracked branch moved)
  sourceKindChanged,    ///< path <-> registry <-> repo <-> stdlib (e.g. `Pkg.develop` / `Pkg.free`)
  devSourcesChanged,    ///< a path-tracked package's `src/` tree hash differs (or is unknown now)
  juliaVersionChanged,  ///< the image was built by another Julia version
};

/// "added", "removed", "upgraded", ...
std::string_view toString(ChangeKind kind);

/// One changed package (or the Julia entry, name "julia" and empty uuid).
struct PackageChange {
  ChangeKind kind = ChangeKind::added;
  std::string name;
  std::string uuid;
  std::optional<std::string> oldVersion;  ///< in the image (Julia: the image's Julia version)
  std::optional<std::string> newVersion;  ///< in the manifest (Julia: the running Julia version)
  std::optional<SourceKind> oldSource;
  std::optional<SourceKind> newSource;

  /// Human text: "CSV 0.10.9 → 0.10.11", "CSV added", "CSV removed", "CSV 0.10.11: different git-tree-sha1",
  /// "CSV: registry → path", "MyPkg: sources changed", "Julia 1.10.4 → 1.11.2".
  std::string describe() const;

  friend bool operator==(const PackageChange&, const PackageChange&) = default;
};

/// The diff. `changes` holds the Julia entry first (if any), then packages sorted by name, then uuid.
struct ManifestDiff {
  std::vector<PackageChange> changes;

  bool empty() const { return changes.empty(); }
  /// The first `named` descriptions joined by ", ", then " and N more" for the rest, e.g.
  /// "CSV 0.10.9 → 0.10.11 and 2 more". Empty for an empty diff.
  std::string summary(std::size_t named = 1) const;
  /// Entries of one kind.
  std::vector<const PackageChange*> ofKind(ChangeKind kind) const;
};

/// Compares the image's packages with the current manifest. `devHashes` are the current source hashes of
/// path-tracked packages (hashDevSources()); `currentJulia`, when given, is compared with the image's Julia
/// version. Every manifest package that is not in the image is reported as `added`; callers decide which
/// of those matter (see staleness.h). Pure: no I/O.
ManifestDiff diffManifest(const Manifest& current, const DevSourceHashes& devHashes, const ImageMetadata& image,
                          const std::optional<std::string>& currentJulia = std::nullopt);

}  // namespace sysimage::core

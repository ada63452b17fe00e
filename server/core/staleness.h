// Staleness: decides whether a project's sysimage may be used, should be rebuilt, or must not be used, from
// its sidecar metadata and the project's current state. A pure function; callers gather the inputs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/image_metadata.h"
#include "server/core/manifest.h"
#include "server/core/manifest_diff.h"

namespace sysimage::core {

/// The verdict on a project's sysimage.
enum class StalenessState {
  none,       ///< there is no sysimage for the project
  upToDate,   ///< use it
  suggested,  ///< safe to use, but a rebuild would help (direct deps missing from it, many new statements)
  unsafe,     ///< a baked-in package differs from the manifest: must not be used
  unusable,   ///< built for another Julia or CPU target, or the file/metadata is missing or unreadable
};

/// "none", "upToDate", "suggested", "unsafe", "unusable".
std::string_view toString(StalenessState state);

/// Everything the verdict depends on. Pointers may be null where documented; they are only read during the
/// call.
struct StalenessInput {
  const ImageMetadata* image = nullptr;  ///< the sidecar, or null when there is none / it could not be read
  bool imageFileReadable = false;        ///< the sysimage file itself exists and can be opened
  std::string juliaVersion;              ///< VERSION of the Julia that would load the image, e.g. "1.11.2"
  std::string cpuTarget;                 ///< the project's current `cpu_target` setting
  std::string cpuName;                   ///< Sys.CPU_NAME of this machine; a "native" image built on another CPU is unusable
  const Manifest* manifest = nullptr;    ///< the current manifest, or null when the project has none
  DevSourceHashes devSourceHashes;       ///< current hashes of path-tracked packages (hashDevSources())
  /// Direct dependencies (names) that should be in the image: SysimageConfig::packagesToInclude(), i.e. the
  /// project's direct deps minus `exclude`, so excluded packages never trigger a suggestion.
  std::vector<std::string> directDeps;
  std::uint64_t statementsSinceBuild = 0;  ///< new precompile statements recorded since the image was built
  std::uint64_t statementThreshold = 100;  ///< suggest_rebuild_after_statements; 0 turns that rule off
};

/// The verdict with its reasons.
struct Staleness {
  StalenessState state = StalenessState::none;
  /// Human-readable reasons, most important first (empty for none/upToDate).
  std::vector<std::string> reasons;
  /// The changes that matter: every change to a baked-in package, `added` only for direct deps missing
  /// from the image, and the Julia entry when the version differs. Empty without image or manifest.
  ManifestDiff diff;
  /// True when the statement-count rule fired.
  bool statementThresholdReached = false;
  /// StalenessInput::statementsSinceBuild, for messages.
  std::uint64_t newStatements = 0;
  /// Identifies the image the verdict is about ("<builtAt> <manifestHash>"), empty without metadata. Lets
  /// callers tell a change set of one build from the same change set after a rebuild.
  std::string imageKey;
};

/// Decides, in this order:
///  1. no metadata and no file -> none; metadata or file missing/unreadable -> unusable;
///  2. Julia version or CPU target differs -> unusable (both reasons listed when both differ);
///  3. no manifest, or a baked-in package changed/removed (see diffManifest) -> unsafe;
///  4. a direct dependency is not in the image, or statementsSinceBuild >= statementThreshold > 0 -> suggested;
///  5. otherwise upToDate.
/// Manifest packages that are neither in the image nor direct dependencies do not matter.
Staleness assessStaleness(const StalenessInput& input);

}  // namespace sysimage::core

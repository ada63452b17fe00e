// Server settings as the service sees them (from initializationOptions, juliaSysimage.* settings and the CLI).
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace sysimage::service {

/// Settings that apply to every project of one server process. Project files
/// (JuliaSysimage.toml) may override the per-project ones later.
struct Settings {
  std::optional<std::string> juliaPath;  ///< executable; unset: $JULIA, PATH, project-local runtime
  std::optional<std::string> stateDir;   ///< unset: $SYSIMAGE_SERVER_STATE_DIR, else <first depot>/sysimage-server
  /// Where a workspace folder's environment is, relative to the folder (e.g. "app" or "docs");
  /// unset: the nearest ancestor holding Project.toml, else the default environment.
  std::optional<std::string> environmentPath;
  std::string cpuTarget = "native";      ///< "native", "portable", or a custom LLVM CPU target string
  int suggestRebuildAfterStatements = 100;  ///< new statements since the build that make a rebuild worth it
  bool excludeNonPortableStatements = false;  ///< leave statements with generated names out of builds
  bool autoRecordRepl = true;               ///< REPLs started through the server record (clients read this)
  std::chrono::milliseconds probeTimeout{30000};
  int maxConcurrentBuilds = 1;               ///< builds are memory-hungry
  std::chrono::seconds buildTimeout{7200};   ///< a build running longer is stopped (0: never)
  int keepImages = 3;                        ///< published images kept per project
  int measureRuns = 5;                       ///< runs per variant in a TTFX measurement
  /// How often status notifications may go out per project (≤ 4 per second by default).
  std::chrono::milliseconds statusInterval{250};

  bool operator==(const Settings&) const = default;
};

}  // namespace sysimage::service

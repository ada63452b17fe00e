// A Julia installation as the probe saw it, and how the server finds and probes one.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "server/core/manifest.h"  // core::VersionNumber

namespace sysimage::julia {

/// What `server/julia/scripts/probe.jl` reports (see the script's header for the JSON shape).
struct JuliaInstallation {
  std::filesystem::path executable;  ///< the resolved executable (absolute)
  core::VersionNumber version;
  std::string versionText;  ///< VERSION as Julia prints it, e.g. "1.5.3"
  std::filesystem::path bindir;         ///< Sys.BINDIR
  std::filesystem::path libdir;         ///< Base.LIBDIR (libjulia, for linking)
  std::filesystem::path privateLibdir;  ///< Base.PRIVATE_LIBDIR (default sys.so)
  std::filesystem::path imageFile;      ///< the default sysimage
  std::filesystem::path stdlib;         ///< Sys.STDLIB
  std::vector<std::filesystem::path> depotPath;
  std::string cpuName;  ///< Sys.CPU_NAME, e.g. "skylake"
  int wordSize = 64;
  std::string arch;  ///< "x86_64", "aarch64"
  std::string os;    ///< "Linux", "Darwin"
  bool packageCompiler = false;  ///< PackageCompiler is findable from the default load path
  std::vector<std::string> libjuliaFiles;  ///< e.g. {"libjulia.so.1"}; 1.6+ also libjulia-internal
  /// The libjulia* libraries the probe process had loaded, as the dynamic loader opened them, e.g.
  /// {"/usr/lib/x86_64-linux-gnu/libjulia.so.1"}; empty when the probe did not say.
  std::vector<std::filesystem::path> libjuliaLoaded;

  /// Parses the probe's JSON line. Errors: ProbeError(NotJulia) when it is not the expected shape.
  static JuliaInstallation fromProbeJson(const std::string& line, const std::filesystem::path& executable);
  /// The default environment name, "v1.5".
  std::string defaultEnvironmentName() const {
    return "v" + std::to_string(version.major) + "." + std::to_string(version.minor);
  }
};

/// Why a Julia could not be used. The message is meant for the user.
class ProbeError : public std::runtime_error {
 public:
  enum class Kind { NotFound, NotExecutable, NotJulia, TooOld, Timeout, Failed };
  ProbeError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }
  /// "notFound", "notExecutable", "notJulia", "tooOld", "timeout", "failed" (for the protocol).
  const char* kindName() const;

 private:
  Kind kind_;
};

/// Where a Julia executable may come from, in the order the server tries them.
struct JuliaSearch {
  std::optional<std::string> configured;  ///< initializationOptions.juliaPath / juliaSysimage.juliaPath / --julia
  std::optional<std::string> envJulia;    ///< $JULIA
  std::optional<std::string> pathEnv;     ///< $PATH
  std::vector<std::filesystem::path> projectRuntimes;  ///< e.g. <repo>/.julia-runtime/bin/julia
};

/// The search with the process environment filled in, and the project-local runtime
/// (`.julia-runtime/bin/julia` of the source tree this server was built from).
JuliaSearch defaultJuliaSearch(std::optional<std::string> configured);

/// Resolves the executable to probe: the first candidate that is set. A configured path or
/// $JULIA that does not work is an error (it is not skipped silently). Errors: ProbeError
/// NotFound (nothing found; the message lists what was tried) or NotExecutable.
std::filesystem::path resolveJulia(const JuliaSearch& search);

/// Runs probe.jl and caches the answer by (executable, mtime). Thread-safe.
class JuliaProber {
 public:
  explicit JuliaProber(std::filesystem::path scriptsDir, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  /// Probes `executable` (or returns the cached answer). Errors: ProbeError (NotExecutable,
  /// NotJulia when the output is not the probe's JSON, TooOld below 1.5, Timeout, Failed).
  JuliaInstallation probe(const std::filesystem::path& executable);
  void setTimeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  /// Number of probe processes run so far (for tests of the cache).
  int probesRun() const { return probesRun_; }

 private:
  std::filesystem::path scriptsDir_;
  std::chrono::milliseconds timeout_;
  std::mutex mutex_;
  std::map<std::pair<std::string, long long>, JuliaInstallation> cache_;
  int probesRun_ = 0;
};

/// Directory of the Julia scripts shipped with the server (probe.jl, build_sysimage.jl): the
/// installed `share/sysimage-server/julia` next to the binary, else the source tree's copy.
std::filesystem::path juliaScriptsDir();

}  // namespace sysimage::julia

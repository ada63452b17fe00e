// Plain snapshots the service hands to the protocol layer: project status and REPL commands.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sysimage::service {

/// The Julia a project uses, or why there is none.
struct JuliaStatus {
  std::string path;     ///< executable as resolved (empty when not found)
  std::string version;  ///< "1.5.3" (empty when unknown)
  std::string error;    ///< user-facing reason when Julia is unusable; empty when fine
  std::string errorKind;  ///< "notFound", "notExecutable", "notJulia", "tooOld", "timeout", "failed"; empty when fine
};

/// Statements of one module the project cannot load (core::OutsideStatements).
struct OutsideModuleCount {
  std::string module;      ///< e.g. "VSCodeServer"
  std::size_t statements = 0;
  std::string reason;      ///< why builds leave them out, for the user
};

/// Statement counts of a project's store.
struct StatementStatus {
  std::size_t total = 0;
  std::size_t nonPortable = 0;
  std::size_t excluded = 0;
  std::size_t newSinceBuild = 0;  ///< statements a build would add (outside ones not counted)
  std::size_t invalidLines = 0;  ///< malformed trace lines seen by this server process
  /// Statements naming a module outside the project, its manifest and the standard libraries:
  /// stored, left out of builds; not in `excluded`.
  std::size_t outsideProject = 0;
  std::vector<OutsideModuleCount> outsideModules;  ///< by module, most statements first
};

/// One package difference between the manifest and an image (see core::PackageChange).
struct DiffEntry {
  std::string name;
  std::string uuid;
  std::string change;  ///< added | removed | upgraded | downgraded | treeHashChanged | sourceKindChanged | devSourcesChanged | juliaVersionChanged
  std::string oldValue;  ///< version (or source kind / Julia version) in the image; empty when none
  std::string newValue;  ///< in the manifest now; empty when none
  std::string reason;    ///< one sentence for the user
};

/// A file that could not be parsed (1-based line and column; 0 when unknown).
struct FileProblem {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;
};

/// Timings of one kind of run, in seconds.
struct Timing {
  double median = 0, min = 0, max = 0;
  std::vector<double> samples;
};

/// TTFX: a workload in fresh processes with and without the image, and bare `julia -e 0`.
struct Measurement {
  std::string workload;  ///< the workload file run
  int runs = 0;
  Timing bare, withoutImage;
  std::optional<Timing> withImage;  ///< nullopt when there is no usable image
  double speedup = 0;               ///< median(withoutImage) / median(withImage)
  std::string image;                ///< the image measured
};

/// How the newest image relates to the project now.
struct StalenessStatus {
  std::string state = "none";  ///< none | upToDate | suggested | unsafe | unusable
  std::vector<std::string> reasons;
  std::vector<DiffEntry> diff;
  std::optional<FileProblem> manifestError;  ///< set while the manifest is unreadable (last good state kept)
  std::optional<FileProblem> projectError;
  std::optional<FileProblem> configError;    ///< JuliaSysimage.toml
};

/// The image the staleness is about.
struct ImageStatus {
  std::string path;
  std::string builtAt;  ///< ISO 8601 UTC
  long long ageSeconds = 0;
  std::string juliaVersion;
  std::string cpuTarget;
  std::string backend;
  std::size_t statements = 0;
  double buildSeconds = 0;
  std::vector<std::pair<std::string, std::string>> packages;  ///< name, version ("" for stdlibs without one)
  bool usable = false;  ///< REPLs started now get `-J` with it
  std::optional<Measurement> ttfx;  ///< the last measurement of this image, if any
};

/// The last or current build of a project, for the status.
struct BuildStatus {
  std::string state;  ///< queued | running | succeeded | failed | cancelled
  std::string buildId;
  std::string phase;
  std::string message;
  unsigned percentage = 0;
  std::string error;
};

/// Everything `sysimage/status` reports about one project.
struct ProjectStatus {
  std::filesystem::path project;  ///< project directory, or the default environment's directory
  std::string name;               ///< Project.toml `name`, else the directory name, else "@v1.5"
  std::string kind;               ///< "project" or "default"
  JuliaStatus julia;
  StatementStatus statements;
  std::size_t recordingSessions = 0;  ///< trace files of replCommand/record being followed for this project
  /// The project's stable trace file (absolute, under the state directory): followed all the time,
  /// for REPLs that clients start with `--trace-compile=<traceFile>` themselves (the Julia extension's).
  std::filesystem::path traceFile;
  std::size_t traceFileSessions = 0;  ///< Julia processes seen writing it (each truncation starts one)
  std::filesystem::path storeDir;
  bool storeDegraded = false;  ///< statements could not be written to disk (kept in memory)
  std::string storeError;
  std::vector<std::string> warnings;  ///< e.g. corrupt store lines set aside
  StalenessStatus staleness;
  std::optional<ImageStatus> image;
  std::optional<BuildStatus> build;
};

/// A rebuild offer for the user (window/showMessageRequest): message and action titles.
struct RebuildOffer {
  std::filesystem::path project;
  std::string message;
  std::vector<std::string> actions;
};

/// How to start a recorded REPL (the client runs it in a terminal).
struct ReplCommand {
  std::string command;                      ///< the Julia executable
  std::vector<std::string> args;            ///< --project, --trace-compile, [-J image], …
  std::map<std::string, std::string> env;   ///< extra environment variables
  std::filesystem::path traceFile;          ///< the trace file the server follows
  std::filesystem::path project;
};

/// An error for the protocol layer: `code` is a stable name, `message` is for the user.
struct ServiceError {
  ServiceError(std::string code_, std::string message_, std::string buildId_ = {}, std::vector<std::string> logTail_ = {})
      : code(std::move(code_)), message(std::move(message_)), buildId(std::move(buildId_)), logTail(std::move(logTail_)) {}
  std::string code;  ///< "juliaUnavailable", "storeFailed", "cancelled", "buildFailed", "notFound", …
  std::string message;
  std::string buildId;                ///< builds: the failed build (its log stays retrievable)
  std::vector<std::string> logTail;   ///< builds: the last 50 log lines
};

/// What to build.
struct BuildOptions {
  std::optional<std::string> cpuTarget;  ///< overrides the setting / JuliaSysimage.toml
  std::optional<std::string> backend;    ///< "auto" | "native" | "packagecompiler"
  bool measure = false;                  ///< measure TTFX after a successful build
  bool force = false;                    ///< build even when the inputs are unchanged
};

/// A build's progress as clients show it.
struct BuildProgressUpdate {
  std::string buildId;
  std::string phase;    ///< queued | preparing | loading | replaying | executing | compiling | linking | publishing
  std::string message;
  unsigned percentage = 0;  ///< never decreases within one build
};

/// A finished (or cached) build.
struct BuildResult {
  std::string buildId;
  std::filesystem::path image;
  double durationSeconds = 0;
  std::size_t statementsOk = 0, statementsFailed = 0;
  std::string backend;
  bool cached = false;  ///< inputs unchanged: the existing image, no build
  std::optional<Measurement> measurement;
};

/// A build's log.
struct BuildLog {
  std::string buildId;
  std::filesystem::path path;
  std::string text;
};


}  // namespace sysimage::service

// The custom `sysimage/…` methods, notifications and commands: one declaration each.
// Described in docs/protocol.md; mirrored in vscode-extension/src/protocol.ts and
// neovim/lua/sysimage/protocol.lua.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sysimage::protocol::sysimage {

/// The version of the custom `sysimage/…` protocol, sent as
/// `capabilities.experimental.sysimage.protocolVersion` and in `sysimage/serverInfo`. Declared only
/// here; docs/protocol.md states the same number (tests/protocol/ProtocolDocTests.cpp checks it).
inline constexpr int kProtocolVersion = 1;

// Requests.
inline constexpr const char* kServerInfo = "sysimage/serverInfo";
inline constexpr const char* kPing = "sysimage/ping";
inline constexpr const char* kStatus = "sysimage/status";
inline constexpr const char* kReplCommand = "sysimage/replCommand";
inline constexpr const char* kBuild = "sysimage/build";
inline constexpr const char* kCancelBuild = "sysimage/cancelBuild";
inline constexpr const char* kBuildLog = "sysimage/buildLog";
inline constexpr const char* kMeasure = "sysimage/measure";

// Notifications (server -> client).
inline constexpr const char* kStatusChanged = "sysimage/statusChanged";

// Commands (workspace/executeCommand).
inline constexpr const char* kCmdStartRecordedRepl = "sysimage.startRecordedRepl";
inline constexpr const char* kCmdClearStatements = "sysimage.clearStatements";
inline constexpr const char* kCmdBuild = "sysimage.build";
inline constexpr const char* kCmdCancelBuild = "sysimage.cancelBuild";
inline constexpr const char* kCmdMeasure = "sysimage.measure";
inline constexpr const char* kCmdShowBuildLog = "sysimage.showBuildLog";

/// Every custom request and notification, and every command (for checks against docs/protocol.md).
inline constexpr const char* kMethods[] = {kServerInfo, kPing,     kStatus,  kReplCommand, kBuild,
                                           kCancelBuild, kBuildLog, kMeasure, kStatusChanged};
inline constexpr const char* kCommands[] = {kCmdStartRecordedRepl, kCmdClearStatements, kCmdBuild,
                                            kCmdCancelBuild,       kCmdMeasure,         kCmdShowBuildLog};

/// `sysimage/serverInfo` result: what this server is (for health checks of clients).
struct ServerInfoResult {
  std::string version;      ///< sysimage-server version, e.g. "0.1.0"
  int protocolVersion = kProtocolVersion;
  int pid = 0;              ///< server process id
};
void to_json(nlohmann::json& j, const ServerInfoResult& r);

/// `sysimage/ping` params: a diagnostic request answered `{}` after `delayMs` milliseconds
/// (0–60000, default 0); cancellable. Used by health checks, latency benchmarks and tests.
struct PingParams {
  int delayMs = 0;
};
void from_json(const nlohmann::json& j, PingParams& p);

/// `sysimage/ping` result: always `{}`.
struct PingResult {};
void to_json(nlohmann::json& j, const PingResult& r);

/// Params naming a project: `project` is a workspace folder, a file in it, or the project
/// directory, as a path or a `file://` URI. Absent: the session's first workspace folder, else
/// Julia's default environment.
struct ProjectParams {
  std::optional<std::string> project;
};
void from_json(const nlohmann::json& j, ProjectParams& p);

/// `sysimage/build` params.
struct BuildParams {
  std::optional<std::string> project;
  std::optional<std::string> cpuTarget;  ///< options.cpuTarget
  std::optional<std::string> backend;    ///< options.backend: auto | native | packagecompiler
  bool measure = false;                  ///< options.measure
  bool force = false;                    ///< options.force
  std::optional<nlohmann::json> workDoneToken;
};
void from_json(const nlohmann::json& j, BuildParams& p);

/// `sysimage/buildLog` params.
struct BuildLogParams {
  std::optional<std::string> project;
  std::optional<std::string> buildId;
};
void from_json(const nlohmann::json& j, BuildLogParams& p);

/// `sysimage/measure` params.
struct MeasureParams {
  std::optional<std::string> project;
  std::optional<std::string> workload;  ///< a Julia file (path or URI)
  int runs = 0;                         ///< 0: the server's default (5)
};
void from_json(const nlohmann::json& j, MeasureParams& p);

/// `sysimage/cancelBuild` result (and of the command sysimage.cancelBuild).
struct CancelBuildResult {
  bool cancelled = false;  ///< false when no build of the project was running or queued
};
void to_json(nlohmann::json& j, const CancelBuildResult& r);

/// `sysimage/buildLog` result (and of the command sysimage.showBuildLog).
struct BuildLogResult {
  std::string buildId;
  std::string path;  ///< the log file (under `<store dir>/logs/`, or the running build's directory)
  std::string log;   ///< its whole text
};
void to_json(nlohmann::json& j, const BuildLogResult& r);

/// `data` of every -32803 RequestFailed error of the sysimage/… methods; the error's `message`
/// says what went wrong in words (that is what clients show).
struct RequestFailedData {
  std::string reason;  ///< stable name: buildFailed | juliaUnavailable | storeFailed | notFound | measureFailed
  std::optional<std::string> buildId;         ///< builds: the failed build (its log stays retrievable)
  std::optional<std::vector<std::string>> logTail;  ///< builds: the last 50 log lines
};
void to_json(nlohmann::json& j, const RequestFailedData& d);

/// Wall time of one kind of run in fresh processes: seconds.
struct Timing {
  double median = 0, min = 0, max = 0;
  std::vector<double> samples;
};
void to_json(nlohmann::json& j, const Timing& v);

/// `sysimage/measure` result (also `ImageInfo.ttfx`, `BuildResult.measurement`); seconds.
struct Measurement {
  std::string workload;             ///< the Julia file run
  int runs = 0;                     ///< runs of each variant
  Timing bare, withoutImage;        ///< `julia -e 0`; the workload with Julia's default sysimage
  std::optional<Timing> withImage;  ///< the workload with the project's image; null without a usable image
  double speedup = 0;               ///< median(withoutImage) / median(withImage); 0 without an image
  std::optional<std::string> image;  ///< the image measured; null without a usable image
};
void to_json(nlohmann::json& j, const Measurement& v);

/// `sysimage/build` result.
struct BuildResult {
  std::string buildId;
  std::string image;
  double durationSeconds = 0;
  std::size_t statementsOk = 0, statementsFailed = 0;
  std::string backend;
  bool cached = false;
  std::optional<Measurement> measurement;
};
void to_json(nlohmann::json& j, const BuildResult& v);

/// The project's current or last build, in the status.
struct BuildInfo {
  std::string state;  ///< queued | running | succeeded | failed | cancelled
  std::string buildId, phase, message;
  unsigned percentage = 0;
  std::optional<std::string> error;
};
void to_json(nlohmann::json& j, const BuildInfo& v);

struct JuliaInfo {
  std::string path;
  std::string version;
  std::optional<std::string> error;      ///< why Julia cannot be used
  std::optional<std::string> errorKind;  ///< notFound | notExecutable | notJulia | tooOld | timeout | failed
};
void to_json(nlohmann::json& j, const JuliaInfo& v);

/// Statements of one module the project cannot load: stored, left out of builds.
struct OutsideModule {
  std::string module;  ///< e.g. "VSCodeServer"
  std::size_t statements = 0;
  std::string reason;  ///< why builds leave them out
};
void to_json(nlohmann::json& j, const OutsideModule& v);

struct StatementCounts {
  std::size_t total = 0;
  std::size_t nonPortable = 0;
  std::size_t excluded = 0;
  std::size_t newSinceBuild = 0;
  std::size_t invalidLines = 0;
  std::size_t outsideProject = 0;            ///< statements naming a module the project cannot load
  std::vector<OutsideModule> outsideModules;  ///< those by module, most statements first
};
void to_json(nlohmann::json& j, const StatementCounts& v);

/// `recording` of the status: trace files the server follows.
struct RecordingInfo {
  std::size_t sessions = 0;  ///< trace files of sysimage/replCommand and `record` being followed
  /// The project's stable trace file (absolute), followed all the time: clients start REPLs with
  /// `--trace-compile=<traceFile>` (the Julia extension's, through `julia.additionalArgs`).
  std::optional<std::string> traceFile;
  std::size_t traceFileSessions = 0;  ///< Julia processes seen writing it since the server started
};
void to_json(nlohmann::json& j, const RecordingInfo& v);

/// A file that could not be parsed; line/column 1-based, 0 when unknown.
struct FileProblem {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;
};
void to_json(nlohmann::json& j, const FileProblem& v);

/// One package difference between the manifest and the image.
struct DiffEntry {
  std::string name, uuid;
  std::string change;  ///< added | removed | upgraded | downgraded | treeHashChanged | sourceKindChanged | devSourcesChanged | juliaVersionChanged
  std::optional<std::string> oldValue, newValue;  ///< sent as "old" / "new"
  std::string reason;
};
void to_json(nlohmann::json& j, const DiffEntry& v);

struct Staleness {
  std::string state = "none";  ///< none | upToDate | suggested | unsafe | unusable
  std::vector<std::string> reasons;
  std::vector<DiffEntry> diff;
  std::optional<FileProblem> manifestError, projectError, configError;
};
void to_json(nlohmann::json& j, const Staleness& v);

struct ImagePackage {
  std::string name;
  std::optional<std::string> version;
};
struct ImageInfo {
  std::string path;
  std::string builtAt;
  long long ageSeconds = 0;
  std::string juliaVersion, cpuTarget, backend;
  std::size_t statements = 0;
  double buildSeconds = 0;
  std::vector<ImagePackage> packages;
  bool usable = false;  ///< REPLs started now get -J with it
  std::optional<Measurement> ttfx;
};
void to_json(nlohmann::json& j, const ImageInfo& v);

/// `sysimage/status` result and `sysimage/statusChanged` params.
struct Status {
  std::string project;  ///< absolute directory of the project (or default environment)
  std::string name;
  std::string kind;  ///< "project" | "default"
  JuliaInfo julia;
  StatementCounts statements;
  RecordingInfo recording;
  std::string storeDir;
  bool storeDegraded = false;
  std::optional<std::string> storeError;
  std::vector<std::string> warnings;
  Staleness staleness;
  std::optional<ImageInfo> image;  ///< null when there is no image
  std::optional<BuildInfo> build;  ///< null before the first build of this server process
};
void to_json(nlohmann::json& j, const Status& v);

/// `sysimage/replCommand` result (and of the command sysimage.startRecordedRepl).
struct ReplCommandResult {
  std::string command;
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
  std::string traceFile;
  std::string project;
};
void to_json(nlohmann::json& j, const ReplCommandResult& v);

}  // namespace sysimage::protocol::sysimage

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

// Requests.
inline constexpr const char* kServerInfo = "sysimage/serverInfo";
inline constexpr const char* kPing = "sysimage/ping";
inline constexpr const char* kStatus = "sysimage/status";
inline constexpr const char* kReplCommand = "sysimage/replCommand";

// Notifications (server -> client).
inline constexpr const char* kStatusChanged = "sysimage/statusChanged";

// Commands (workspace/executeCommand).
inline constexpr const char* kCmdStartRecordedRepl = "sysimage.startRecordedRepl";
inline constexpr const char* kCmdClearStatements = "sysimage.clearStatements";

/// `sysimage/serverInfo` result: what this server is (for health checks of clients).
struct ServerInfoResult {
  std::string version;      ///< sysimage-server version, e.g. "0.1.0"
  int protocolVersion = 1;  ///< version of the sysimage/… protocol
  int pid = 0;              ///< server process id
};
void to_json(nlohmann::json& j, const ServerInfoResult& r);

/// `sysimage/ping` params: a diagnostic request answered `{}` after `delayMs` milliseconds
/// (0–60000, default 0); cancellable. Used by health checks, latency benchmarks and tests.
struct PingParams {
  int delayMs = 0;
};
void from_json(const nlohmann::json& j, PingParams& p);

/// Params naming a project: `project` is a workspace folder, a file in it, or the project
/// directory, as a path or a `file://` URI. Absent: the session's first workspace folder, else
/// Julia's default environment.
struct ProjectParams {
  std::optional<std::string> project;
};
void from_json(const nlohmann::json& j, ProjectParams& p);

struct JuliaInfo {
  std::string path;
  std::string version;
  std::optional<std::string> error;      ///< why Julia cannot be used
  std::optional<std::string> errorKind;  ///< notFound | notExecutable | notJulia | tooOld | timeout | failed
};
void to_json(nlohmann::json& j, const JuliaInfo& v);

struct StatementCounts {
  std::size_t total = 0;
  std::size_t nonPortable = 0;
  std::size_t excluded = 0;
  std::size_t newSinceBuild = 0;
  std::size_t invalidLines = 0;
};
void to_json(nlohmann::json& j, const StatementCounts& v);

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
};
void to_json(nlohmann::json& j, const ImageInfo& v);

/// `sysimage/status` result and `sysimage/statusChanged` params.
struct Status {
  std::string project;  ///< absolute directory of the project (or default environment)
  std::string name;
  std::string kind;  ///< "project" | "default"
  JuliaInfo julia;
  StatementCounts statements;
  std::size_t recordingSessions = 0;
  std::string storeDir;
  bool storeDegraded = false;
  std::optional<std::string> storeError;
  std::vector<std::string> warnings;
  Staleness staleness;
  std::optional<ImageInfo> image;  ///< null when there is no image
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

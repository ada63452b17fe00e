// The domain service of one server process (clangd's ClangdServer): Julia, projects, recording
// sessions and their statement stores. No JSON here; the LSP layer translates.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "server/julia/julia_installation.h"
#include "server/platform/cancellation.h"
#include "server/platform/post.h"
#include "server/service/service_platform.h"
#include "server/service/settings.h"
#include "server/service/status.h"

namespace sysimage::service {

template <class T>
using Result = std::variant<T, ServiceError>;
template <class T>
using Callback = std::function<void(Result<T>)>;

/// Owns all per-process state. Every public method must be called on the owner's loop (the thread
/// that runs the tasks handed to `post`); callbacks run there too, and so must cancellation tokens
/// fire. Julia is probed on a worker thread; file events, process exits and timers come from the
/// `platform` facilities through `post`.
class SysimageService {
 public:
  struct Options {
    std::optional<std::string> stateDir;  ///< --state-dir
    std::optional<std::string> julia;     ///< --julia
  };
  /// `platform`: the real one (UvServicePlatform::facilities()) or fakes in tests.
  SysimageService(platform::Post post, Options options, ServicePlatform platform);
  /// Calls shutdown().
  ~SysimageService();
  SysimageService(const SysimageService&) = delete;
  SysimageService& operator=(const SysimageService&) = delete;

  /// Releases everything that holds platform resources, so that the platform (its loop) may go
  /// next: stops timers and watches, kills running build steps and measurements (their requests
  /// are not answered), flushes every store and joins the probe thread. Requests after it answer
  /// "shutdown". Idempotent.
  void shutdown();

  /// Applies settings; a different Julia path makes the next request probe again.
  void configure(const Settings& settings);
  const Settings& settings() const { return settings_; }

  /// Status of the project holding `folderOrFile` (a workspace folder, a file in it, or the
  /// project directory). Unset: the default environment. Julia problems are reported inside the
  /// status (julia.error), not as an error.
  void status(const std::optional<std::filesystem::path>& folderOrFile, Callback<ProjectStatus> done);
  /// A recorded REPL command for that project: a fresh trace file the server follows from now on.
  /// (REPLs that clients start themselves use the project's stable trace file, ProjectStatus::traceFile.)
  /// `-J <image>` is added only when the selected image is usable (upToDate or suggested).
  /// Errors: "juliaUnavailable" (with the reason), "storeFailed".
  void replCommand(const std::optional<std::filesystem::path>& folderOrFile, Callback<ReplCommand> done);
  /// Forgets every recorded statement of the project (the store file is emptied atomically).
  void clearStatements(const std::optional<std::filesystem::path>& folderOrFile, Callback<ProjectStatus> done);

  /// Builds the project's sysimage in the background, or answers at once with the existing image
  /// when the inputs (Julia, CPU target, backend, manifest, statements, options) are unchanged.
  /// A request with the same inputs as the running build joins it; different inputs queue behind
  /// it; at most settings().maxConcurrentBuilds run at once, and another server process's build
  /// of the same project (another editor) is waited for and its image reused when it fits.
  /// `onProgress` runs on every progress change; `done` once. Errors: "cancelled",
  /// "buildFailed" (with buildId and logTail), "juliaUnavailable", "storeFailed", "shutdown".
  ///
  /// `cancel` belongs to this request only: when it fires, `done` gets "cancelled" at once, and
  /// the build (or its queue entry, or its measurement) stops only when no other request waits for
  /// it any more; the others still get their result.
  void build(const std::optional<std::filesystem::path>& folderOrFile, const BuildOptions& options,
             std::function<void(const BuildProgressUpdate&)> onProgress, Callback<BuildResult> done,
             platform::CancellationToken cancel = {});
  /// Cancels the project's running and queued builds (and a measurement after a build) for every
  /// request waiting for them: each gets "cancelled". Returns false when none was running.
  bool cancelBuild(const std::optional<std::filesystem::path>& folderOrFile);
  /// The log of build `buildId`, or of the project's newest build. Errors: "notFound".
  void buildLog(const std::optional<std::filesystem::path>& folderOrFile, const std::optional<std::string>& buildId,
                Callback<BuildLog> done);
  /// Runs `workload` (default: the project's execution files, else a replay of its statements) in
  /// fresh processes `runs` times with and without the image, plus bare `julia -e 0`, one process
  /// at a time through the platform's launcher (each may take 10 min). The result is also kept
  /// next to the image (`<image>.ttfx.json`). When `cancel` fires, the running process group is
  /// killed and `done` gets "cancelled". Errors: "notFound" (workload), "measureFailed",
  /// "cancelled", "juliaUnavailable", "storeFailed", "shutdown".
  void measure(const std::optional<std::filesystem::path>& folderOrFile, const std::optional<std::filesystem::path>& workload,
               int runs, Callback<Measurement> done, platform::CancellationToken cancel = {});

  /// What a session (an editor) hears from the service.
  struct Subscriber {
    /// A project's status changed (at most once per settings().statusInterval per project).
    std::function<void(const ProjectStatus&)> onStatus;
    /// Whether this subscriber can show a rebuild offer for `project` (its client supports
    /// window/showMessageRequest and has the project open).
    std::function<bool(const std::filesystem::path& project)> canOffer;
    /// Shows the offer; `answer` gets the chosen action title, or nullopt when dismissed.
    std::function<void(const RebuildOffer&, std::function<void(std::optional<std::string>)> answer)> offer;
    /// The user answered "Rebuild" to this subscriber's offer (unset: a build without client progress).
    std::function<void(const std::filesystem::path& project)> onRebuild;
  };
  /// Returns an id for unsubscribe.
  int subscribe(Subscriber subscriber);
  void unsubscribe(int id);

  /// Called when the user answers "Rebuild" to an offer (the build service hooks in here).
  void setRebuildHandler(std::function<void(const std::filesystem::path& project)> handler) {
    rebuildHandler_ = std::move(handler);
  }

  /// The state directory in use (resolved from settings, CLI, environment and the depot).
  std::filesystem::path stateDir() const;

  struct Project;
  struct TraceRecording;
  struct ActiveBuild;
  struct BuildWaiter;
  struct MeasurementRun;
  using Waiters = std::vector<std::shared_ptr<BuildWaiter>>;

 private:
  void startBuild(Project& project, BuildOptions options, Waiters waiters);
  void launchBuild(Project& project);
  void finishBuild(Project& project, Result<BuildResult> result);
  void publishBuild(Project& project, const std::filesystem::path& builtImage, double seconds, std::size_t ok,
                    std::size_t failed, BuildResult& result, std::string& error);
  void pumpBuildQueue();
  /// Stops what no request waits for any more: queue entries, the running build, a measurement
  /// after a build (a request of them was cancelled).
  void dropUnwantedWork(Project& project);
  /// Stops the running build (its outcome answers whoever still waits).
  void stopActiveBuild(Project& project);
  void runMeasurement(Project& project, std::optional<std::filesystem::path> workload, int runs,
                      platform::CancellationToken cancel, Waiters forBuild, Callback<Measurement> done);
  void stepMeasurement(MeasurementRun& run);
  /// Ends the project's measurements after a build with "cancelled" (all of them, or with
  /// `onlyUnwanted` those no build request waits for any more). Returns whether there was one.
  bool cancelBuildMeasurements(Project& project, bool onlyUnwanted);
  void endMeasurement(MeasurementRun& run, Result<Measurement> result);
  /// The published image built from exactly the active build's inputs, if it is the one in use.
  std::optional<BuildResult> cachedBuild(Project& project);
  struct JuliaState;
  void withJulia(std::function<void()> then);
  /// Runs `body(project, done)` once Julia is probed and the project is open; answers `done` with
  /// "juliaUnavailable" or "storeFailed" otherwise. Defined in service_internal.h.
  template <class T, class Body>
  void withProject(const std::optional<std::filesystem::path>& folderOrFile, Callback<T> done, Body body);
  void startProbe();
  Project* openProject(const std::optional<std::filesystem::path>& folderOrFile, std::string& error);
  /// A recording of `traceFile` into the project's store, watched (a change ingests the project's
  /// traces); nothing read yet.
  std::unique_ptr<TraceRecording> recordTrace(Project& project, const std::filesystem::path& traceFile);
  void followTrace(Project& project, const std::filesystem::path& traceFile);
  void followStableTrace(Project& project);
  void ingest(Project& project);
  /// Statements recorded since the project's last build that a build would replay (statements
  /// naming modules outside the project not counted); brings Project::outside up to date.
  std::size_t newStatementsSinceBuild(Project& project);
  /// Re-reads which modules a build of the project can resolve. Returns true when they changed.
  bool refreshLoadable(Project& project);
  void tick();
  void scheduleNotify(Project& project);
  void watchProjectFiles(Project& project);
  void reloadProject(Project& project);
  void maybeOffer(Project& project);
  ProjectStatus snapshot(Project& project);
  ProjectStatus juliaFailureStatus(const std::optional<std::filesystem::path>& folderOrFile) const;

  platform::Post post_;
  Options options_;
  Settings settings_;
  ServicePlatform platform_;
  std::unique_ptr<platform::Timer> tickTimer_;
  std::unique_ptr<JuliaState> julia_;
  std::map<std::string, std::unique_ptr<Project>> projects_;  // key: julia version + '\n' + project dir
  std::map<int, Subscriber> listeners_;
  std::function<void(const std::filesystem::path&)> rebuildHandler_;
  std::vector<std::unique_ptr<MeasurementRun>> measurements_;  // running TTFX measurements
  bool stopped_ = false;
  int runningBuilds_ = 0;
  std::vector<Project*> waitingForSlot_;  // projects whose build waits for a free build slot
  unsigned nextBuildNumber_ = 1;
  std::uint64_t nextMeasurementId_ = 1;  // MeasurementRun::id
  int nextListener_ = 1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

/// The state directory: `configured`, else $SYSIMAGE_SERVER_STATE_DIR, else
/// `<first depot>/sysimage-server` (from the Julia probe), else `~/.julia/sysimage-server`.
std::filesystem::path resolveStateDir(const std::optional<std::string>& configured,
                                      const std::optional<julia::JuliaInstallation>& julia);

/// Where a folder's environment is: the nearest ancestor holding Project.toml/JuliaProject.toml,
/// else Julia's default environment `<first depot>/environments/v1.X` (kind "default").
struct Environment {
  std::filesystem::path dir;
  std::string name;
  std::string kind;  ///< "project" | "default"
};
Environment resolveEnvironment(const std::optional<std::filesystem::path>& folderOrFile,
                               const julia::JuliaInstallation& julia);

}  // namespace sysimage::service

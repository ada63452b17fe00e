// Internal to server/service: the per-project and Julia state behind SysimageService.
#pragma once

#include <chrono>
#include <deque>
#include <thread>
#include <utility>

#include "server/core/ingest.h"
#include "server/core/outside_statements.h"
#include "server/core/rebuild_prompt.h"
#include "server/core/statement_store.h"
#include "server/core/trace_follower.h"
#include "server/julia/build_job.h"
#include "server/platform/file_lock.h"
#include "server/platform/file_watcher.h"
#include "server/platform/timer.h"
#include "server/service/project_model.h"
#include "server/service/sysimage_service.h"

namespace sysimage::service {

using Clock = std::chrono::steady_clock;

/// The stable trace file of a store directory: `<store>/traces/julia-repl.jl` (sysimage_service.cpp).
std::filesystem::path stableTraceFile(const std::filesystem::path& storeDir);

/// `<image>.ttfx.json`: the last TTFX measurement of an image (measure.cpp).
std::filesystem::path ttfxPathFor(const std::filesystem::path& image);
/// The measurement kept for `image`; nullopt when there is none or it cannot be read.
std::optional<Measurement> loadMeasurement(const std::filesystem::path& image);
/// Replaces `<measurement.image>.ttfx.json` atomically (nothing without an image). Errors:
/// std::system_error naming the file.
void saveMeasurement(const Measurement& measurement);

struct SysimageService::JuliaState {
  enum class Phase { Unknown, Probing, Ready, Failed } phase = Phase::Unknown;
  std::optional<julia::JuliaInstallation> installation;
  JuliaStatus status;
  std::vector<std::function<void()>> waiters;
  std::thread worker;
  unsigned generation = 0;
};

/// A trace file followed into a project's statement store (sysimage_service.cpp: recordTrace).
struct SysimageService::TraceRecording {
  std::unique_ptr<core::TraceFollower> follower;
  std::unique_ptr<core::Ingestor> ingestor;
  platform::FileWatcher::WatchId watch = 0;
  std::size_t sessions = 0;  // Julia processes seen writing the file (a truncation starts a new one)
  bool sessionOpen = false;  // the current content was counted as a session
};

struct SysimageService::Project {
  Environment env;
  std::string juliaVersion;
  std::filesystem::path stdlibDir;  // Sys.STDLIB of that Julia: its standard libraries are loadable
  std::unique_ptr<core::StatementStore> store;
  std::vector<std::unique_ptr<TraceRecording>> recordings;  // trace files of replCommand and leftovers
  std::unique_ptr<TraceRecording> stableTrace;              // <store>/traces/julia-repl.jl, followed always
  core::LoadableModules loadable;                      // modules a build can resolve (outside_statements.h)
  core::OutsideStatements outside;                     // statements naming other modules
  std::size_t invalidLines = 0;
  std::vector<std::string> warnings;
  std::unique_ptr<platform::Timer> notifyTimer;
  Clock::time_point lastNotify{};
  bool notifyScheduled = false;
  std::unique_ptr<ProjectModel> model;
  std::vector<platform::FileWatcher::WatchId> fileWatches;
  std::unique_ptr<platform::Timer> reloadTimer;
  core::PromptState prompt;
  // Builds (builds.cpp).
  std::unique_ptr<ActiveBuild> active;
  struct Pending {
    BuildOptions options;
    Waiters waiters;
  };
  std::deque<Pending> pending;
  std::optional<BuildStatus> lastBuild;

  /// Whether a build is running or queued (no rebuild offers meanwhile).
  bool buildRunning() const { return active != nullptr || !pending.empty(); }
};

/// One request waiting for a build (several join one build). Answered exactly once: by the build's
/// outcome, or earlier with "cancelled" when its own cancellation token fires.
struct SysimageService::BuildWaiter {
  std::function<void(const BuildProgressUpdate&)> onProgress;
  Callback<BuildResult> done;
  bool answered = false;
  Project* project = nullptr;  // set once the project is open

  void progress(const BuildProgressUpdate& update) const {
    if (!answered && onProgress) onProgress(update);
  }
  void answer(const Result<BuildResult>& result) {
    if (answered) return;
    answered = true;
    onProgress = nullptr;
    if (done) std::exchange(done, nullptr)(result);
  }
  static bool anyWaiting(const Waiters& waiters) {
    for (const auto& w : waiters) {
      if (!w->answered) return true;
    }
    return false;
  }
};


/// The build running (or waiting for a slot or for another process's lock) for a project.
struct SysimageService::ActiveBuild {
  std::string buildId;
  std::string inputsKey;
  BuildOptions options;
  Waiters waiters;
  julia::BuildRequest request;
  core::ExportResult exported;
  std::filesystem::path workDir;
  std::unique_ptr<julia::BuildJob> job;
  std::unique_ptr<platform::FileLock> lock;       // <store dir>/build.lock, held while building
  std::unique_ptr<platform::Timer> lockRetry;     // polls the lock while another process builds
  BuildProgressUpdate progress;
  Clock::time_point started = Clock::now();
  bool cancelled = false;
  bool holdsSlot = false;
};

/// A TTFX measurement in progress (measure.cpp): one Julia process at a time through the launcher.
struct SysimageService::MeasurementRun {
  enum class Variant { Bare, WithoutImage, WithImage };
  std::uint64_t id = 0;  // the request's cancellation callback finds the run by id: it may have ended meanwhile
  Project* project = nullptr;
  julia::JuliaInstallation julia;
  std::filesystem::path workload;
  std::optional<std::filesystem::path> image;
  int runs = 0;
  std::vector<std::string> projectArgs;  // --startup-file=no … [--project=…]
  std::vector<Variant> plan;             // the processes to run, interleaved per round
  std::size_t next = 0;
  std::vector<double> bare, withoutImage, withImage;
  std::unique_ptr<platform::Process> process;
  std::unique_ptr<platform::Timer> timeout;
  Clock::time_point started;
  bool timedOut = false;  // the timeout killed the current process
  std::string stderrTail;
  Waiters forBuild;  // the build requests it measures for (empty for sysimage/measure)
  Callback<Measurement> done;
  bool ended = false;
};

template <class T, class Body>
void SysimageService::withProject(const std::optional<std::filesystem::path>& folderOrFile, Callback<T> done, Body body) {
  if (stopped_) {
    done(ServiceError{"shutdown", "the server is shutting down"});
    return;
  }
  withJulia([this, folderOrFile, done = std::move(done), body = std::move(body)]() mutable {
    if (!julia_->installation) {
      done(ServiceError{"juliaUnavailable", julia_->status.error});
      return;
    }
    std::string error;
    Project* project = openProject(folderOrFile, error);
    if (!project) {
      done(ServiceError{"storeFailed", error});
      return;
    }
    body(*project, done);
  });
}

}  // namespace sysimage::service

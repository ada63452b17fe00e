// Internal to server/service: the per-project and Julia state behind SysimageService.
#pragma once

#include <chrono>
#include <deque>
#include <thread>

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

/// `<image>.ttfx.json`: the last TTFX measurement of an image (builds.cpp).
std::filesystem::path ttfxPathFor(const std::filesystem::path& image);
std::optional<Measurement> loadMeasurement(const std::filesystem::path& image);
void saveMeasurement(const Measurement& measurement);

struct SysimageService::JuliaState {
  enum class Phase { Unknown, Probing, Ready, Failed } phase = Phase::Unknown;
  std::optional<julia::JuliaInstallation> installation;
  JuliaStatus status;
  std::vector<std::function<void()>> waiters;
  std::thread worker;
  unsigned generation = 0;
};

struct SysimageService::Project {
  Environment env;
  std::string juliaVersion;
  std::filesystem::path stdlibDir;  // Sys.STDLIB of that Julia: its standard libraries are loadable
  std::unique_ptr<core::StatementStore> store;
  struct Recording {
    std::unique_ptr<core::TraceFollower> follower;
    std::unique_ptr<core::Ingestor> ingestor;
    platform::FileWatcher::WatchId watch = 0;
    std::size_t sessions = 0;  // Julia processes seen writing the file (a truncation starts a new one)
    bool sessionOpen = false;  // the current content was counted as a session
  };
  std::vector<std::unique_ptr<Recording>> recordings;  // trace files of replCommand and leftovers
  std::unique_ptr<Recording> stableTrace;              // <store>/traces/julia-repl.jl, followed always
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
  bool buildRunning = false;  // a build is queued or running (no rebuild offers meanwhile)
  // Builds (builds.cpp).
  std::unique_ptr<ActiveBuild> active;
  struct Pending {
    BuildOptions options;
    std::vector<BuildWaiter> waiters;
  };
  std::deque<Pending> pending;
  std::optional<BuildStatus> lastBuild;
};


/// The build running (or waiting for a slot or for another process's lock) for a project.
struct SysimageService::ActiveBuild {
  std::string buildId;
  std::string inputsKey;
  BuildOptions options;
  std::vector<BuildWaiter> waiters;
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

template <class T, class Body>
void SysimageService::withProject(const std::optional<std::filesystem::path>& folderOrFile, Callback<T> done, Body body) {
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

// Builds of SysimageService: the per-project queue, joining, the cross-process build lock,
// per-request cancellation, atomic publication of images with their sidecars, and build logs.
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <spdlog/spdlog.h>
#include <sstream>

#include "server/core/hash.h"
#include "server/core/utc_time.h"
#include "server/julia/cpu_target.h"
#include "server/service/service_internal.h"

namespace sysimage::service {
namespace fs = std::filesystem;

namespace {

/// Logs kept per project (the newest ones).
constexpr std::size_t kKeptLogs = 10;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void pruneLogs(const fs::path& dir) {
  std::vector<fs::path> logs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".log") logs.push_back(e.path());
  }
  std::sort(logs.begin(), logs.end(), std::greater<>());
  for (std::size_t i = kKeptLogs; i < logs.size(); ++i) fs::remove(logs[i], ec);
}

}  // namespace

/// The inputs that decide whether an image must be rebuilt, and the request that would build it.
struct BuildInputs {
  julia::BuildRequest request;
  core::ExportResult exported;
  std::string key;
};

static std::optional<BuildInputs> prepareInputs(const julia::JuliaInstallation& julia, SysimageService::Project& project,
                                                const Settings& settings, const BuildOptions& options,
                                                const fs::path& workDir, std::string& error) {
  const ProjectModel& model = *project.model;
  BuildInputs in;
  julia::BuildRequest& r = in.request;
  r.julia = julia;
  r.project = project.env.dir;
  r.defaultEnvironment = project.env.kind == "default";
  r.packages = model.packagesToInclude();
  r.cpuTarget = options.cpuTarget.value_or(model.cpuTarget(settings));
  try {
    julia::validateCpuTarget(julia::resolveCpuTarget(r.cpuTarget, julia.arch, julia.version));
  } catch (const std::exception& e) {
    error = e.what();
    return std::nullopt;
  }
  std::string backend = options.backend.value_or(std::string(core::toString(model.config().backend)));
  if (backend == "auto") backend = julia.packageCompiler ? "packagecompiler" : "native";
  if (backend != "native" && backend != "packagecompiler") {
    error = "unknown backend \"" + backend + "\" (auto, native or packagecompiler)";
    return std::nullopt;
  }
  r.backend = backend == "native" ? julia::Backend::Native : julia::Backend::PackageCompiler;
  r.workDir = workDir;
  r.timeout = settings.buildTimeout;
  std::error_code ec;
  fs::create_directories(workDir, ec);
  if (ec) {
    error = "cannot create the build directory " + workDir.string() + ": " + ec.message();
    return std::nullopt;
  }
  const bool excludeNonPortable = settings.excludeNonPortableStatements || model.config().excludeNonPortableStatements;
  // Statements of modules the project cannot load (the Julia extension's VSCodeServer, Revise) would
  // only fail to replay: they are left out, and do not change the inputs.
  in.exported = project.store->exportStatements(workDir / "statements.jl",
                                                core::ExportOptions{excludeNonPortable, &project.loadable});
  if (!in.exported.ok()) {
    error = "cannot write the statements file: " + in.exported.error;
    return std::nullopt;
  }
  r.statementFiles.push_back(workDir / "statements.jl");
  r.firstStatementFileCount = in.exported.written;
  for (const auto& f : model.config().statementsFiles) r.statementFiles.push_back(f);
  r.executionFiles = model.config().executionFiles;
  r.importIntoMain = model.config().importIntoMain;
  std::ostringstream key;
  key << julia.executable.string() << '|' << julia.versionText << '|' << r.cpuTarget << '|' << backend << '|'
      << (model.manifest() ? model.manifest()->contentHash : "") << '|' << core::hashText(in.exported.writtenHash) << '|'
      << in.exported.written << '|' << excludeNonPortable << '|' << r.importIntoMain;
  for (const auto& p : r.packages) key << "|p:" << p;
  for (const auto& f : model.config().statementsFiles) key << "|s:" << f.string();
  for (const auto& f : r.executionFiles) key << "|e:" << f.string();
  in.key = key.str();
  return in;
}

/// Whether a published image was built from exactly these inputs (sidecar fields).
static bool imageMatches(const PublishedImage& image, const BuildInputs& in, const ProjectModel& model) {
  if (!image.metadata) return false;
  const auto& m = *image.metadata;
  const std::string backend = in.request.backend == julia::Backend::Native ? "native" : "packagecompiler";
  std::vector<std::string> baked;
  for (const auto& p : m.packages) baked.push_back(p.name);
  const bool packagesIn = std::all_of(in.request.packages.begin(), in.request.packages.end(), [&](const std::string& p) {
    return std::find(baked.begin(), baked.end(), p) != baked.end();
  });
  return m.juliaVersion == in.request.julia.versionText && m.cpuTarget == in.request.cpuTarget && m.backend == backend &&
         m.manifestHash == (model.manifest() ? model.manifest()->contentHash : "") &&
         m.statementSetHash == core::hashText(in.exported.writtenHash) && m.statementCount == in.exported.written && packagesIn;
}

void SysimageService::build(const std::optional<fs::path>& folderOrFile, const BuildOptions& options,
                            std::function<void(const BuildProgressUpdate&)> onProgress, Callback<BuildResult> done,
                            platform::CancellationToken cancel) {
  auto waiter = std::make_shared<BuildWaiter>();
  waiter->onProgress = std::move(onProgress);
  waiter->done = std::move(done);
  // This request's cancellation answers this request; the build stops only when nobody else waits.
  // Weak: a waiter dropped by shutdown must not be kept alive by its request's token (a cycle
  // through the request's reply).
  cancel.onCancel([this, weak = std::weak_ptr<BuildWaiter>(waiter), alive = alive_] {
    auto waiter = weak.lock();
    if (!*alive || !waiter || waiter->answered) return;
    waiter->answer(ServiceError{"cancelled", "the build request was cancelled"});
    if (waiter->project) dropUnwantedWork(*waiter->project);
  });
  Callback<BuildResult> answer = [waiter](Result<BuildResult> r) { waiter->answer(r); };
  withProject(folderOrFile, std::move(answer), [this, options, waiter](Project& projectRef, auto&) mutable {
    if (waiter->answered) return;  // cancelled while Julia was probed
    Project* project = &projectRef;
    waiter->project = project;
    project->model->reload();
    project->model->rescanImages();
    if (project->active && !project->active->cancelled) {
      // Same inputs as the running build: join it. Otherwise queue behind it.
      std::string err;
      const fs::path probeDir = project->store->dir() / ("inputs-" + std::to_string(nextBuildNumber_++));
      auto inputs = prepareInputs(*julia_->installation, *project, settings_, options, probeDir, err);
      std::error_code ec;
      fs::remove_all(probeDir, ec);
      if (inputs && inputs->key == project->active->inputsKey && !options.force) {
        waiter->progress(project->active->progress);
        project->active->waiters.push_back(waiter);
        spdlog::info("build request for {} joins build {}", project->env.name, project->active->buildId);
        return;
      }
      project->pending.push_back(Project::Pending{options, {waiter}});
      return;
    }
    startBuild(*project, options, {waiter});
  });
}

std::optional<BuildResult> SysimageService::cachedBuild(Project& project) {
  const auto& active = *project.active;
  for (const auto& image : project.model->images()) {
    if (!imageMatches(image, BuildInputs{active.request, active.exported, active.inputsKey}, *project.model)) continue;
    // Judged for the CPU target of this build: `build --cpu-target T` run twice reuses the first image
    // although the target in force (setting, JuliaSysimage.toml) is another one.
    const auto selection = project.model->select(settings_, 0, active.request.cpuTarget);
    if (!selection.usable() || selection.image->path != image.path) continue;
    BuildResult r;
    r.buildId = active.buildId;
    r.image = image.path;
    r.cached = true;
    r.backend = image.metadata->backend;
    r.durationSeconds = image.metadata->buildSeconds;
    r.statementsOk = image.metadata->statementCount;
    return r;
  }
  return std::nullopt;
}

void SysimageService::startBuild(Project& project, BuildOptions options, Waiters waiters) {
  auto active = std::make_unique<ActiveBuild>();
  active->buildId = core::compactUtcStamp() + "-" + std::to_string(::getpid()) + "-" + std::to_string(nextBuildNumber_++);
  active->options = options;
  active->waiters = std::move(waiters);
  active->workDir = project.store->dir() / ("build-" + active->buildId);
  active->progress = BuildProgressUpdate{active->buildId, "preparing", "Preparing", 0};
  std::string error;
  auto inputs = prepareInputs(*julia_->installation, project, settings_, options, active->workDir, error);
  project.active = std::move(active);
  if (!inputs) {
    finishBuild(project, ServiceError{"buildFailed", error, project.active->buildId, {}});
    return;
  }
  project.active->request = inputs->request;
  project.active->exported = inputs->exported;
  project.active->inputsKey = inputs->key;
  if (!options.force) {
    if (auto cached = cachedBuild(project)) {
      spdlog::info("inputs of {} unchanged: reusing {}", project.env.name, cached->image.string());
      finishBuild(project, *cached);
      return;
    }
  }
  project.lastBuild = BuildStatus{"queued", project.active->buildId, "queued", "Queued", 0, ""};
  scheduleNotify(project);
  launchBuild(project);
}

void SysimageService::launchBuild(Project& project) {
  ActiveBuild& active = *project.active;
  auto report = [this, &project](const std::string& phase, const std::string& message) {
    ActiveBuild& a = *project.active;
    a.progress.phase = phase;
    a.progress.message = message;
    for (const auto& w : a.waiters) w->progress(a.progress);
    project.lastBuild = BuildStatus{"queued", a.buildId, phase, message, a.progress.percentage, ""};
    scheduleNotify(project);
  };
  if (!active.holdsSlot && runningBuilds_ >= std::max(1, settings_.maxConcurrentBuilds)) {
    if (std::find(waitingForSlot_.begin(), waitingForSlot_.end(), &project) == waitingForSlot_.end()) {
      waitingForSlot_.push_back(&project);
      report("queued", "Waiting for another build to finish");
    }
    return;
  }
  if (!active.holdsSlot) {
    active.holdsSlot = true;
    ++runningBuilds_;
  }
  // One build per project across server processes (two editors on one project).
  if (!active.lock) active.lock = std::make_unique<platform::FileLock>(project.store->dir() / "build.lock");
  if (!active.lock->locked() && !active.lock->tryLock()) {
    if (!active.lockRetry) {
      active.lockRetry = platform_.makeTimer();
      report("queued", "Waiting for another editor's build of this project");
      Project* p = &project;
      active.lockRetry->start(std::chrono::milliseconds(500), std::chrono::milliseconds(500), [this, p] {
        if (!p->active || p->active->cancelled || !p->active->lock->tryLock()) return;
        p->active->lockRetry->stop();
        // The other build may have produced exactly this image: reuse it.
        p->model->rescanImages();
        if (auto cached = cachedBuild(*p)) {
          finishBuild(*p, *cached);
          return;
        }
        launchBuild(*p);
      });
    }
    return;
  }
  julia::BuildJobContext context;
  context.launcher = platform_.launcher.get();
  context.makeTimer = platform_.makeTimer;
  context.post = post_;
  std::optional<double> expected;
  for (const auto& image : project.model->images()) {
    if (image.metadata && image.metadata->buildSeconds > 0) {
      expected = image.metadata->buildSeconds;  // learned from the newest earlier build
      break;
    }
  }
  active.started = Clock::now();
  active.job = std::make_unique<julia::BuildJob>(active.request, context, expected);
  spdlog::info("building sysimage {} for {} ({} statements, backend {}, cpu target {})", active.buildId,
               project.env.name, active.exported.written, julia::toString(active.request.backend), active.request.cpuTarget);
  Project* p = &project;
  active.job->start(
      [this, p](const julia::BuildProgress& progress) {
        if (!p->active) return;
        ActiveBuild& a = *p->active;
        a.progress.phase = progress.phase;
        a.progress.message = progress.message;
        a.progress.percentage = std::max(a.progress.percentage, std::min(progress.percentage, 99u));
        for (const auto& w : a.waiters) w->progress(a.progress);
        p->lastBuild = BuildStatus{"running", a.buildId, a.progress.phase, a.progress.message, a.progress.percentage, ""};
        scheduleNotify(*p);
      },
      [this, p](const julia::BuildOutcome& outcome) {
        if (!p->active) return;
        const std::string id = p->active->buildId;
        if (outcome.status == julia::BuildOutcome::Status::Cancelled) {
          finishBuild(*p, ServiceError{"cancelled", "the build was cancelled", id, outcome.logTail});
          return;
        }
        if (outcome.status == julia::BuildOutcome::Status::Failed) {
          finishBuild(*p, ServiceError{"buildFailed", outcome.reason, id, outcome.logTail});
          return;
        }
        BuildResult result;
        std::string error;
        publishBuild(*p, outcome.image, outcome.durationSeconds, outcome.statementsOk, outcome.statementsFailed, result, error);
        if (!error.empty()) {
          finishBuild(*p, ServiceError{"buildFailed", error, id, outcome.logTail});
          return;
        }
        result.backend = std::string(julia::toString(outcome.backend));
        finishBuild(*p, result);
      });
}

void SysimageService::publishBuild(Project& project, const fs::path& builtImage, double seconds, std::size_t ok,
                                   std::size_t failed, BuildResult& result, std::string& error) {
  ActiveBuild& a = *project.active;
  const ProjectModel& model = *project.model;
  core::ImageMetadata m;
  m.juliaVersion = a.request.julia.versionText;
  m.juliaPath = a.request.julia.executable;
  m.cpuTarget = a.request.cpuTarget;
  m.cpuName = a.request.julia.cpuName;
  m.backend = std::string(julia::toString(a.request.backend));
  if (model.manifest()) {
    m.packages = core::imagePackagesFor(*model.manifest(), a.request.packages, model.devSourceHashes());
    m.manifestHash = model.manifest()->contentHash;
  }
  m.statementCount = a.exported.written;
  m.statementSetHash = core::hashText(a.exported.writtenHash);
  m.builtAt = std::chrono::system_clock::now();
  m.buildSeconds = seconds;
  const fs::path dir = project.store->dir();
  fs::path image = dir / ("sysimage-" + core::compactUtcStamp() + builtImage.extension().string());
  for (int n = 2; fs::exists(image); ++n) {
    image = dir / ("sysimage-" + core::compactUtcStamp() + "-" + std::to_string(n) + builtImage.extension().string());
  }
  try {
    // The sidecar first, then the image: an image is never visible without its metadata, and the
    // rename of the image is the moment of publication (same file system: atomic).
    core::writeImageMetadata(core::metadataPathFor(image), m);
    fs::rename(builtImage, image);
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove(core::metadataPathFor(image), ec);
    error = std::string("cannot publish the image: ") + e.what();
    return;
  }
  project.store->markBuilt(a.exported);
  // Keep the newest images; older ones are removed (a REPL still running one keeps its mapping).
  project.model->rescanImages();
  const auto& images = project.model->images();
  for (std::size_t i = static_cast<std::size_t>(std::max(1, settings_.keepImages)); i < images.size(); ++i) {
    std::error_code ec;
    fs::remove(images[i].path, ec);
    fs::remove(core::metadataPathFor(images[i].path), ec);
    fs::remove(ttfxPathFor(images[i].path), ec);
  }
  project.model->rescanImages();
  result.buildId = a.buildId;
  result.image = image;
  result.durationSeconds = seconds;
  result.statementsOk = ok;
  result.statementsFailed = failed;
  spdlog::info("published {} ({:.1f} s, {} statements replayed, {} failed)", image.string(), seconds, ok, failed);
}

void SysimageService::finishBuild(Project& project, Result<BuildResult> result) {
  std::unique_ptr<ActiveBuild> active = std::move(project.active);
  std::error_code ec;
  // Keep the log (retrievable with sysimage/buildLog), drop the private build directory.
  const fs::path logs = project.store->dir() / "logs";
  fs::create_directories(logs, ec);
  if (fs::exists(active->workDir / "build.log", ec)) {
    fs::rename(active->workDir / "build.log", logs / (active->buildId + ".log"), ec);
    pruneLogs(logs);
  }
  // BuildJob allows being destroyed from its own completion callback, where this may run.
  active->job.reset();
  fs::remove_all(active->workDir, ec);
  if (active->lockRetry) active->lockRetry->stop();
  if (active->lock) active->lock->unlock();
  if (active->holdsSlot) --runningBuilds_;
  std::erase(waitingForSlot_, &project);

  if (auto* r = std::get_if<BuildResult>(&result)) {
    project.lastBuild = BuildStatus{"succeeded", active->buildId, "done", r->cached ? "Sysimage is up to date" : "Sysimage ready",
                                    100, ""};
  } else {
    const auto& e = std::get<ServiceError>(result);
    project.lastBuild = BuildStatus{e.code == "cancelled" ? "cancelled" : "failed", active->buildId, "done", e.message,
                                    active->progress.percentage, e.code == "cancelled" ? "" : e.message};
    if (e.code != "cancelled") spdlog::warn("build {} of {} failed: {}", active->buildId, project.env.name, e.message);
  }

  auto* ok = std::get_if<BuildResult>(&result);
  if (ok && active->options.measure && BuildWaiter::anyWaiting(active->waiters)) {
    Project* p = &project;
    Waiters waiters = active->waiters;
    runMeasurement(project, std::nullopt, settings_.measureRuns, {}, waiters,
                   [result = *ok, waiters, p, this](Result<Measurement> m) mutable {
                     const auto* error = std::get_if<ServiceError>(&m);
                     if (error && error->code == "cancelled") {
                       for (const auto& w : waiters) w->answer(*error);  // sysimage/cancelBuild
                       return;
                     }
                     // A failed measurement still leaves a good image: answer without one.
                     if (auto* measured = std::get_if<Measurement>(&m)) result.measurement = *measured;
                     for (const auto& w : waiters) w->answer(result);
                     scheduleNotify(*p);
                   });
  } else {
    for (const auto& w : active->waiters) w->answer(result);
  }
  // After the requests were answered (and their progress ended): the new status.
  scheduleNotify(project);
  while (!project.pending.empty() && !project.active) {
    auto next = std::move(project.pending.front());
    project.pending.pop_front();
    if (BuildWaiter::anyWaiting(next.waiters)) startBuild(project, next.options, std::move(next.waiters));
  }
  pumpBuildQueue();
  maybeOffer(project);
}

void SysimageService::pumpBuildQueue() {
  while (!waitingForSlot_.empty() && runningBuilds_ < std::max(1, settings_.maxConcurrentBuilds)) {
    Project* next = waitingForSlot_.front();
    waitingForSlot_.erase(waitingForSlot_.begin());
    if (next->active && !next->active->cancelled) launchBuild(*next);
  }
}

void SysimageService::stopActiveBuild(Project& project) {
  ActiveBuild& active = *project.active;
  active.cancelled = true;
  if (active.job && !active.job->finished()) {
    active.job->cancel();  // the outcome (Cancelled) finishes the build
  } else {
    finishBuild(project, ServiceError{"cancelled", "the build was cancelled", active.buildId, {}});
  }
}

void SysimageService::dropUnwantedWork(Project& project) {
  std::erase_if(project.pending, [](const Project::Pending& p) { return !BuildWaiter::anyWaiting(p.waiters); });
  if (project.active && !project.active->cancelled && !BuildWaiter::anyWaiting(project.active->waiters)) {
    spdlog::info("no request waits for build {} of {} any more: stopping it", project.active->buildId, project.env.name);
    stopActiveBuild(project);
  }
  cancelBuildMeasurements(project, /*onlyUnwanted=*/true);
}

bool SysimageService::cancelBuild(const std::optional<fs::path>& folderOrFile) {
  if (stopped_ || !julia_->installation) return false;
  std::string error;
  Project* project = openProject(folderOrFile, error);
  if (!project) return false;
  bool any = false;
  auto pending = std::move(project->pending);
  project->pending.clear();
  for (auto& entry : pending) {
    for (const auto& w : entry.waiters) w->answer(ServiceError{"cancelled", "the build was cancelled"});
    any = true;
  }
  if (project->active && !project->active->cancelled) {
    any = true;
    stopActiveBuild(*project);
  }
  // A measurement after a finished build is part of that build's requests.
  any |= cancelBuildMeasurements(*project, /*onlyUnwanted=*/false);
  return any;
}

void SysimageService::buildLog(const std::optional<fs::path>& folderOrFile, const std::optional<std::string>& buildId,
                               Callback<BuildLog> done) {
  withProject(folderOrFile, std::move(done), [this, buildId](Project& projectRef, auto& done) mutable {
    Project* project = &projectRef;
    if (project->active && (!buildId || *buildId == project->active->buildId)) {
      const fs::path live = project->active->workDir / "build.log";
      done(BuildLog{project->active->buildId, live, readFile(live)});
      return;
    }
    const fs::path logs = project->store->dir() / "logs";
    fs::path path;
    if (buildId) {
      if (buildId->find('/') != std::string::npos || buildId->find("..") != std::string::npos) {
        done(ServiceError{"notFound", "no build " + *buildId, "", {}});
        return;
      }
      path = logs / (*buildId + ".log");
    } else {
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(logs, ec)) {
        if (e.path().extension() == ".log" && e.path() > path) path = e.path();
      }
    }
    std::error_code ec;
    if (path.empty() || !fs::exists(path, ec)) {
      done(ServiceError{"notFound", buildId ? "no log for build " + *buildId : "this project has no build yet", "", {}});
      return;
    }
    done(BuildLog{path.stem().string(), path, readFile(path)});
  });
}

}  // namespace sysimage::service

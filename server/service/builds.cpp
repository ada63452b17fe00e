// Builds of SysimageService: the per-project queue, joining, the cross-process build lock,
// atomic publication of images with their sidecars, build logs and TTFX measurement.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <iomanip>
#include <sstream>

#include "server/julia/cpu_target.h"
#include "server/platform/process.h"
#include "server/service/service_internal.h"

namespace sysimage::service {
namespace fs = std::filesystem;

namespace {

std::string utcStamp() {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", std::gmtime(&now));
  return stamp;
}

std::string hashText(std::uint64_t h) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "fnv1a64:%016llx", static_cast<unsigned long long>(h));
  return buf;
}

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

Timing timingOf(std::vector<double> samples) {
  Timing t;
  t.samples = samples;
  if (samples.empty()) return t;
  std::sort(samples.begin(), samples.end());
  t.min = samples.front();
  t.max = samples.back();
  const std::size_t n = samples.size();
  t.median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  return t;
}

nlohmann::json timingJson(const Timing& t) {
  return {{"median", t.median}, {"min", t.min}, {"max", t.max}, {"samples", t.samples}};
}

Timing timingFromJson(const nlohmann::json& j) {
  Timing t;
  t.median = j.value("median", 0.0);
  t.min = j.value("min", 0.0);
  t.max = j.value("max", 0.0);
  t.samples = j.value("samples", std::vector<double>{});
  return t;
}

}  // namespace

fs::path ttfxPathFor(const fs::path& image) {
  fs::path p = image;
  p += ".ttfx.json";
  return p;
}

void saveMeasurement(const Measurement& m) {
  if (m.image.empty()) return;
  nlohmann::json j{{"workload", m.workload}, {"runs", m.runs}, {"bare", timingJson(m.bare)},
                   {"withoutImage", timingJson(m.withoutImage)}, {"speedup", m.speedup}, {"image", m.image}};
  if (m.withImage) j["withImage"] = timingJson(*m.withImage);
  std::ofstream(ttfxPathFor(m.image)) << j.dump(1);
}

std::optional<Measurement> loadMeasurement(const fs::path& image) {
  std::ifstream in(ttfxPathFor(image));
  if (!in) return std::nullopt;
  try {
    const auto j = nlohmann::json::parse(in);
    Measurement m;
    m.workload = j.value("workload", "");
    m.runs = j.value("runs", 0);
    m.bare = timingFromJson(j.at("bare"));
    m.withoutImage = timingFromJson(j.at("withoutImage"));
    if (j.contains("withImage")) m.withImage = timingFromJson(j["withImage"]);
    m.speedup = j.value("speedup", 0.0);
    m.image = j.value("image", "");
    return m;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

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
    julia::validateCpuTarget(julia::resolveCpuTarget(r.cpuTarget, julia.arch));
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
  for (const auto& f : model.config().statementsFiles) r.statementFiles.push_back(f);
  r.executionFiles = model.config().executionFiles;
  std::ostringstream key;
  key << julia.executable.string() << '|' << julia.versionText << '|' << r.cpuTarget << '|' << backend << '|'
      << (model.manifest() ? model.manifest()->contentHash : "") << '|' << hashText(in.exported.writtenHash) << '|'
      << in.exported.written << '|' << excludeNonPortable;
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
         m.statementSetHash == hashText(in.exported.writtenHash) && m.statementCount == in.exported.written && packagesIn;
}

void SysimageService::build(const std::optional<fs::path>& folderOrFile, const BuildOptions& options,
                            std::function<void(const BuildProgressUpdate&)> onProgress, Callback<BuildResult> done) {
  withProject(folderOrFile, std::move(done), [this, options, onProgress = std::move(onProgress)](Project& projectRef, auto& done) mutable {
    Project* project = &projectRef;
    project->model->reload();
    project->model->rescanImages();
    BuildWaiter waiter{std::move(onProgress), std::move(done)};
    if (project->active && !project->active->cancelled) {
      // Same inputs as the running build: join it. Otherwise queue behind it.
      std::string err;
      const fs::path probeDir = project->store->dir() / ("inputs-" + std::to_string(nextBuildNumber_++));
      auto inputs = prepareInputs(*julia_->installation, *project, settings_, options, probeDir, err);
      std::error_code ec;
      fs::remove_all(probeDir, ec);
      if (inputs && inputs->key == project->active->inputsKey && !options.force) {
        if (waiter.onProgress) waiter.onProgress(project->active->progress);
        project->active->waiters.push_back(std::move(waiter));
        spdlog::info("build request for {} joins build {}", project->env.name, project->active->buildId);
        return;
      }
      project->pending.push_back(Project::Pending{options, {}});
      project->pending.back().waiters.push_back(std::move(waiter));
      return;
    }
    std::vector<BuildWaiter> waiters;
    waiters.push_back(std::move(waiter));
    startBuild(*project, options, std::move(waiters));
  });
}

std::optional<BuildResult> SysimageService::cachedBuild(Project& project) {
  const auto& active = *project.active;
  for (const auto& image : project.model->images()) {
    if (!imageMatches(image, BuildInputs{active.request, active.exported, active.inputsKey}, *project.model)) continue;
    const auto selection = project.model->select(settings_, 0);
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

void SysimageService::startBuild(Project& project, BuildOptions options, std::vector<BuildWaiter> waiters) {
  auto active = std::make_unique<ActiveBuild>();
  active->buildId = utcStamp() + "-" + std::to_string(::getpid()) + "-" + std::to_string(nextBuildNumber_++);
  active->options = options;
  active->waiters = std::move(waiters);
  active->workDir = project.store->dir() / ("build-" + active->buildId);
  active->progress = BuildProgressUpdate{active->buildId, "preparing", "Preparing", 0};
  std::string error;
  auto inputs = prepareInputs(*julia_->installation, project, settings_, options, active->workDir, error);
  project.active = std::move(active);
  project.buildRunning = true;
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
    for (auto& w : a.waiters) {
      if (w.onProgress) w.onProgress(a.progress);
    }
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
      active.lockRetry = platform::makeUvTimer(*loop_, post_);
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
  context.launcher = launcher_.get();
  context.makeTimer = [this] { return platform::makeUvTimer(*loop_, post_); };
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
        for (auto& w : a.waiters) {
          if (w.onProgress) w.onProgress(a.progress);
        }
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
  m.statementSetHash = hashText(a.exported.writtenHash);
  m.builtAt = std::chrono::system_clock::now();
  m.buildSeconds = seconds;
  const fs::path dir = project.store->dir();
  fs::path image = dir / ("sysimage-" + utcStamp() + builtImage.extension().string());
  for (int n = 2; fs::exists(image); ++n) {
    image = dir / ("sysimage-" + utcStamp() + "-" + std::to_string(n) + builtImage.extension().string());
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
  // We may be inside the job's own completion callback: let it unwind before the job goes away.
  post_([dying = std::shared_ptr<julia::BuildJob>(std::move(active->job))] {});
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
  project.buildRunning = !project.pending.empty();

  auto deliver = [waiters = std::move(active->waiters)](const Result<BuildResult>& r) mutable {
    for (auto& w : waiters) {
      if (w.done) w.done(r);
    }
  };
  auto* ok = std::get_if<BuildResult>(&result);
  if (ok && active->options.measure) {
    Project* p = &project;
    runMeasurement(project, std::nullopt, settings_.measureRuns,
                   [result = *ok, deliver, p, this](Result<Measurement> m) mutable {
                     if (auto* measured = std::get_if<Measurement>(&m)) result.measurement = *measured;
                     deliver(result);
                     scheduleNotify(*p);
                   });
  } else {
    deliver(result);
  }
  // After the requests were answered (and their progress ended): the new status.
  scheduleNotify(project);
  if (!project.pending.empty() && !project.active) {
    auto next = std::move(project.pending.front());
    project.pending.pop_front();
    startBuild(project, next.options, std::move(next.waiters));
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

bool SysimageService::cancelBuild(const std::optional<fs::path>& folderOrFile) {
  if (!julia_->installation) return false;
  std::string error;
  Project* project = openProject(folderOrFile, error);
  if (!project) return false;
  bool any = false;
  for (auto& pending : project->pending) {
    for (auto& w : pending.waiters) {
      if (w.done) w.done(ServiceError{"cancelled", "the build was cancelled", "", {}});
    }
    any = true;
  }
  project->pending.clear();
  if (project->active && !project->active->cancelled) {
    any = true;
    project->active->cancelled = true;
    if (project->active->job && !project->active->job->finished()) {
      project->active->job->cancel();  // the outcome (Cancelled) finishes the build
    } else {
      finishBuild(*project, ServiceError{"cancelled", "the build was cancelled", project->active->buildId, {}});
    }
  }
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

void SysimageService::measure(const std::optional<fs::path>& folderOrFile, const std::optional<fs::path>& workload,
                              int runs, Callback<Measurement> done) {
  withProject(folderOrFile, std::move(done), [this, workload, runs](Project& projectRef, auto& done) mutable {
    Project* project = &projectRef;
    runMeasurement(*project, workload, runs > 0 ? runs : settings_.measureRuns, std::move(done));
  });
}

void SysimageService::runMeasurement(Project& project, std::optional<fs::path> workload, int runs,
                                     Callback<Measurement> done) {
  const ProjectModel& model = *project.model;
  std::error_code ec;
  if (!workload) {
    if (!model.config().executionFiles.empty()) {
      workload = model.config().executionFiles.front();
    } else {
      // The statements' own replay: load the packages, then run every recorded statement.
      const fs::path dir = project.store->dir();
      const auto exported = project.store->exportStatements(dir / "ttfx-statements.jl", {false, &project.loadable});
      std::ofstream out(dir / "ttfx-workload.jl");
      out << "# Generated by sysimage-server: loads the project's packages and replays its statements.\n";
      for (const auto& p : model.packagesToInclude()) out << "try; @eval using " << p << "; catch; end\n";
      out << "for line in eachline(" << std::quoted((dir / "ttfx-statements.jl").string())
          << ")\n    try; Core.eval(Main, Meta.parse(line)); catch; end\nend\n";
      (void)exported;
      workload = dir / "ttfx-workload.jl";
    }
  }
  if (!fs::exists(*workload, ec)) {
    done(ServiceError{"notFound", "workload file " + workload->string() + " does not exist", "", {}});
    return;
  }
  const auto selection = model.select(settings_, newStatementsSinceBuild(project));
  std::optional<fs::path> image;
  if (selection.usable()) image = selection.image->path;
  const julia::JuliaInstallation julia = *julia_->installation;
  const fs::path dir = project.env.dir;
  const bool defaultEnv = project.env.kind == "default";
  Project* p = &project;
  // Runs on a worker thread: whole Julia processes, one after another, never on the main loop.
  std::thread([julia, dir, defaultEnv, workload = *workload, image, runs, p, done = std::move(done), alive = alive_,
               post = post_]() mutable {
    auto timeOne = [&](std::vector<std::string> args) -> double {
      platform::ProcessOptions o;
      o.program = julia.executable;
      o.args = std::move(args);
      o.cwd = dir;
      o.unsetEnv = {"JULIA_PROJECT"};
      const auto start = std::chrono::steady_clock::now();
      const auto r = platform::runProcessSync(o, std::chrono::minutes(10));
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (r.timedOut || r.status.exitCode != 0) {
        throw std::runtime_error("the workload failed (exit " + std::to_string(r.status.exitCode) + "): " +
                                 r.err.substr(r.err.size() > 300 ? r.err.size() - 300 : 0));
      }
      return s;
    };
    std::vector<std::string> base = {"--startup-file=no", "--history-file=no"};
    if (!defaultEnv) base.push_back("--project=" + dir.string());
    Result<Measurement> result = ServiceError{"failed", "", "", {}};
    try {
      std::vector<double> bare, without, with;
      for (int i = 0; i < runs; ++i) {  // interleaved, so load changes hit every variant alike
        bare.push_back(timeOne({"--startup-file=no", "-e", "0"}));
        auto a = base;
        a.push_back(workload.string());
        without.push_back(timeOne(a));
        if (image) {
          auto b = base;
          b.insert(b.begin(), {"-J", image->string()});
          b.push_back(workload.string());
          with.push_back(timeOne(b));
        }
      }
      Measurement m;
      m.workload = workload.string();
      m.runs = runs;
      m.bare = timingOf(bare);
      m.withoutImage = timingOf(without);
      if (image) {
        m.withImage = timingOf(with);
        m.image = image->string();
        if (m.withImage->median > 0) m.speedup = m.withoutImage.median / m.withImage->median;
      }
      result = m;
    } catch (const std::exception& e) {
      result = ServiceError{"measureFailed", e.what(), "", {}};
    }
    post([result = std::move(result), done = std::move(done), alive, p]() mutable {
      if (!*alive) return;
      if (auto* m = std::get_if<Measurement>(&result)) {
        saveMeasurement(*m);
        p->model->rescanImages();
      }
      done(std::move(result));
    });
  }).detach();
}

}  // namespace sysimage::service

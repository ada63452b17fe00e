// The domain service: probing Julia, resolving projects, following trace files into stores.
#include "server/service/sysimage_service.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <spdlog/spdlog.h>

#include "server/core/ingest.h"
#include "server/core/rebuild_prompt.h"
#include "server/core/project_file.h"
#include "server/core/statement_store.h"
#include "server/core/trace_follower.h"
#include "server/core/utc_time.h"
#include "server/platform/file_watcher.h"
#include "server/platform/process.h"
#include "server/platform/timer.h"
#include "server/service/project_model.h"
#include "server/service/service_internal.h"

namespace sysimage::service {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/// Trace files older than this, fully ingested and not written to, are deleted when a project opens.
constexpr auto kTraceRetention = std::chrono::hours(24);
/// Safety-net poll of every trace file and store (file events do the real work).
constexpr auto kTickInterval = std::chrono::milliseconds(1000);
/// Project files are re-read this long after the last change event (editors save in bursts).
constexpr auto kProjectDebounce = std::chrono::milliseconds(300);
/// Why builds leave out statements of a module outside the project (status, per module).
constexpr const char* kOutsideReason = "not the project, a package of its manifest or a standard library";

fs::path stableTraceFile(const fs::path& storeDir) { return storeDir / "traces" / "julia-repl.jl"; }

fs::path resolveStateDir(const std::optional<std::string>& configured, const std::optional<julia::JuliaInstallation>& julia) {
  if (configured && !configured->empty()) return fs::absolute(*configured);
  if (const char* env = std::getenv("SYSIMAGE_SERVER_STATE_DIR"); env && *env) return fs::absolute(env);
  if (julia && !julia->depotPath.empty()) return julia->depotPath.front() / "sysimage-server";
  const char* home = std::getenv("HOME");
  return fs::path(home ? home : "/tmp") / ".julia" / "sysimage-server";
}

Environment resolveEnvironment(const std::optional<fs::path>& folderOrFile, const julia::JuliaInstallation& julia) {
  if (folderOrFile) {
    std::error_code ec;
    fs::path start = fs::absolute(*folderOrFile);
    if (!fs::is_directory(start, ec)) start = start.parent_path();
    if (auto root = core::findProjectRoot(start)) {
      Environment env{fs::weakly_canonical(*root, ec), "", "project"};
      try {
        if (auto file = core::projectFileIn(env.dir)) {
          if (auto name = core::readProjectFile(*file).name) env.name = *name;
        }
      } catch (const std::exception& e) {
        spdlog::warn("cannot read the project file in {}: {}", env.dir.string(), e.what());
      }
      if (env.name.empty()) env.name = env.dir.filename().string();
      return env;
    }
  }
  const fs::path depot = julia.depotPath.empty() ? fs::path(std::getenv("HOME") ? std::getenv("HOME") : "/tmp") / ".julia"
                                                 : julia.depotPath.front();
  return Environment{depot / "environments" / julia.defaultEnvironmentName(), "@" + julia.defaultEnvironmentName(),
                     "default"};
}

SysimageService::SysimageService(platform::Post post, Options options, ServicePlatform platform)
    : post_(std::move(post)),
      options_(std::move(options)),
      platform_(std::move(platform)),
      julia_(std::make_unique<JuliaState>()) {
  rebuildHandler_ = [this](const fs::path& project) {
    build(project, BuildOptions{}, nullptr, [](const Result<BuildResult>&) {});
  };
  tickTimer_ = platform_.makeTimer();
  tickTimer_->start(kTickInterval, kTickInterval, [this] { tick(); });
}

SysimageService::~SysimageService() { shutdown(); }

void SysimageService::shutdown() {
  if (stopped_) return;
  stopped_ = true;
  *alive_ = false;
  tickTimer_.reset();
  // Killed, not answered: whoever asked is going away with the server.
  measurements_.clear();
  for (auto& [key, project] : projects_) {
    if (project->active) {
      project->active->job.reset();  // SIGKILLs the running step's process group
      project->active->lockRetry.reset();
      std::error_code ec;
      fs::remove_all(project->active->workDir, ec);
      project->active.reset();
    }
    project->pending.clear();
    project->notifyTimer.reset();
    project->reloadTimer.reset();
    for (auto id : project->fileWatches) platform_.watcher->unwatch(id);
    project->fileWatches.clear();
    for (auto& r : project->recordings) {
      platform_.watcher->unwatch(r->watch);
      r->ingestor->poll();
    }
    if (auto& r = project->stableTrace) {
      platform_.watcher->unwatch(r->watch);
      r->ingestor->poll();
    }
    project->store->flush();
  }
  waitingForSlot_.clear();
  listeners_.clear();
  julia_->waiters.clear();
  if (julia_->worker.joinable()) julia_->worker.join();
  platform_ = ServicePlatform{};
}

void SysimageService::configure(const Settings& settings) {
  const bool juliaChanged = settings.juliaPath != settings_.juliaPath;
  settings_ = settings;
  if (juliaChanged && julia_->phase != JuliaState::Phase::Probing) {
    julia_->phase = JuliaState::Phase::Unknown;
    julia_->installation.reset();
  }
}

fs::path SysimageService::stateDir() const {
  std::optional<std::string> configured = settings_.stateDir ? settings_.stateDir : options_.stateDir;
  return resolveStateDir(configured, julia_->installation);
}

void SysimageService::withJulia(std::function<void()> then) {
  if (julia_->phase == JuliaState::Phase::Ready || julia_->phase == JuliaState::Phase::Failed) {
    then();
    return;
  }
  julia_->waiters.push_back(std::move(then));
  if (julia_->phase == JuliaState::Phase::Unknown) startProbe();
}

void SysimageService::startProbe() {
  julia_->phase = JuliaState::Phase::Probing;
  const unsigned generation = ++julia_->generation;
  if (julia_->worker.joinable()) julia_->worker.join();
  std::optional<std::string> configured = settings_.juliaPath ? settings_.juliaPath : options_.julia;
  auto probe = platform_.probeJulia;
  const auto timeout = settings_.probeTimeout;
  julia_->worker = std::thread([probe, timeout, configured, post = post_, this, generation, alive = alive_] {
    std::optional<julia::JuliaInstallation> installation;
    JuliaStatus status;
    try {
      const fs::path exe = julia::resolveJulia(julia::defaultJuliaSearch(configured));
      status.path = exe.string();
      installation = probe(exe, timeout);
      status.version = installation->versionText;
    } catch (const julia::ProbeError& e) {
      status.error = e.what();
      status.errorKind = e.kindName();
    } catch (const std::exception& e) {
      status.error = e.what();
      status.errorKind = "failed";
    }
    post([this, alive, generation, installation, status] {
      if (!*alive || generation != julia_->generation) return;
      julia_->installation = installation;
      julia_->status = status;
      julia_->phase = installation ? JuliaState::Phase::Ready : JuliaState::Phase::Failed;
      if (!installation) spdlog::warn("Julia unavailable: {}", status.error);
      auto waiters = std::move(julia_->waiters);
      julia_->waiters.clear();
      for (auto& w : waiters) w();
    });
  });
}

SysimageService::Project* SysimageService::openProject(const std::optional<fs::path>& folderOrFile, std::string& error) {
  const auto& julia = *julia_->installation;
  Environment env = resolveEnvironment(folderOrFile, julia);
  const std::string key = julia.versionText + "\n" + env.dir.string();
  if (auto it = projects_.find(key); it != projects_.end()) return it->second.get();

  auto project = std::make_unique<Project>();
  project->env = env;
  project->juliaVersion = julia.versionText;
  project->stdlibDir = julia.stdlib;
  const fs::path dir = core::storeDirFor(stateDir(), env.dir, julia.versionText);
  try {
    project->store = std::make_unique<core::StatementStore>(dir);
  } catch (const std::exception& e) {
    error = "cannot open the statement store in " + dir.string() + ": " + e.what();
    return nullptr;
  }
  for (auto& w : project->store->takeWarnings()) project->warnings.push_back(std::move(w));
  project->notifyTimer = platform_.makeTimer();
  project->reloadTimer = platform_.makeTimer();
  project->model = std::make_unique<ProjectModel>(env.dir, dir, julia.version, env.kind == "default", julia.cpuName);
  project->model->reload();
  project->model->rescanImages();
  refreshLoadable(*project);
  try {
    project->prompt = core::loadPromptState(dir);
  } catch (const std::exception& e) {
    spdlog::warn("cannot read the rebuild prompt state in {}: {}", dir.string(), e.what());
  }
  spdlog::info("project {} ({}) with Julia {}: {} statements in {}", env.name, env.dir.string(), julia.versionText,
               project->store->counts().total, dir.string());
  Project* raw = project.get();
  projects_.emplace(key, std::move(project));
  watchProjectFiles(*raw);

  // Build directories left by a server that died mid-build (only when no process is building now).
  {
    platform::FileLock lock(dir / "build.lock");
    if (lock.tryLock()) {
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_directory() && (name.starts_with("build-") || name.starts_with("inputs-"))) {
          fs::remove_all(entry.path(), ec);
        }
      }
    }
  }
  // Pick up trace files left by earlier sessions (a server that crashed while Julia kept writing).
  std::error_code ec;
  const fs::path traces = dir / "traces";
  for (const auto& entry : fs::directory_iterator(traces, ec)) {
    if (entry.path().extension() != ".jl" || entry.path() == stableTraceFile(dir)) continue;
    followTrace(*raw, entry.path());
    const auto age = fs::file_time_type::clock::now() - entry.last_write_time(ec);
    if (!ec && age > kTraceRetention) {
      auto& rec = raw->recordings.back();
      if (rec->follower->partialBytes() == 0) {
        platform_.watcher->unwatch(rec->watch);
        raw->recordings.pop_back();
        fs::remove(entry.path(), ec);
      }
    }
  }
  followStableTrace(*raw);
  if (raw->store->counts().unflushed > 0) raw->store->flush();
  maybeOffer(*raw);
  return raw;
}

void SysimageService::watchProjectFiles(Project& project) {
  Project* p = &project;
  for (const auto& file : project.model->watchedFiles()) {
    std::error_code ec;
    if (!fs::is_directory(file.parent_path(), ec)) continue;  // e.g. no .vscode/ (the tick re-checks nothing there)
    project.fileWatches.push_back(platform_.watcher->watch(file, [this, p, alive = alive_](const fs::path&) {
      if (!*alive) return;
      // Debounce: atomic saves, truncate-then-write and Pkg's bursts become one reload.
      p->reloadTimer->start(kProjectDebounce, std::chrono::milliseconds(0), [this, p] { reloadProject(*p); });
    }));
  }
}

void SysimageService::reloadProject(Project& project) {
  bool changed = project.model->reload();
  changed |= project.model->rescanImages();
  changed |= refreshLoadable(project);
  if (!changed) return;
  spdlog::info("project files of {} changed", project.env.name);
  scheduleNotify(project);
  maybeOffer(project);
}

void SysimageService::maybeOffer(Project& project) {
  const auto selection = project.model->select(settings_, newStatementsSinceBuild(project));
  Subscriber* target = nullptr;
  for (auto& [id, sub] : listeners_) {
    if (sub.canOffer && sub.offer && sub.canOffer(project.env.dir)) {
      target = &sub;
      break;
    }
  }
  core::PromptContext context{target != nullptr, project.buildRunning()};
  const auto decision = core::decideRebuildPrompt(project.env.name, selection.staleness, project.prompt, context);
  if (!decision.offer) {
    if (!decision.skipReason.empty()) spdlog::debug("no rebuild offer for {}: {}", project.env.name, decision.skipReason);
    return;
  }
  project.prompt.recordOffer(decision.changeKey);
  try {
    core::savePromptState(project.store->dir(), project.prompt);
  } catch (const std::exception& e) {
    spdlog::warn("cannot save the rebuild prompt state: {}", e.what());
  }
  Project* p = &project;
  auto onRebuild = target->onRebuild ? target->onRebuild : rebuildHandler_;
  target->offer(RebuildOffer{project.env.dir, decision.message, decision.actions},
                [this, p, onRebuild, alive = alive_](std::optional<std::string> action) {
                  if (!*alive) return;
                  switch (core::promptAnswerFrom(action)) {
                    case core::PromptAnswer::rebuild:
                      if (onRebuild) onRebuild(p->env.dir);
                      break;
                    case core::PromptAnswer::dontAsk:
                      p->prompt.dontAsk = true;
                      try {
                        core::savePromptState(p->store->dir(), p->prompt);
                      } catch (const std::exception& e) {
                        spdlog::warn("cannot save the rebuild prompt state: {}", e.what());
                      }
                      break;
                    case core::PromptAnswer::notNow:
                    case core::PromptAnswer::dismissed:
                      break;
                  }
                });
}

std::unique_ptr<SysimageService::TraceRecording> SysimageService::recordTrace(Project& project, const fs::path& traceFile) {
  auto rec = std::make_unique<TraceRecording>();
  rec->follower = std::make_unique<core::TraceFollower>(traceFile);
  rec->ingestor = std::make_unique<core::Ingestor>(*rec->follower, *project.store);
  Project* p = &project;
  rec->watch = platform_.watcher->watch(traceFile, [this, p, alive = alive_](const fs::path&) {
    if (*alive) ingest(*p);
  });
  return rec;
}

void SysimageService::followTrace(Project& project, const fs::path& traceFile) {
  project.recordings.push_back(recordTrace(project, traceFile));
  ingest(project);
}

void SysimageService::followStableTrace(Project& project) {
  // Julia opens the file for writing (O_TRUNC) at each start, so its directory must exist; the file
  // need not (the watcher and the follower wait for it).
  const fs::path trace = stableTraceFile(project.store->dir());
  std::error_code ec;
  fs::create_directories(trace.parent_path(), ec);
  if (ec) spdlog::warn("cannot create {}: {}", trace.parent_path().string(), ec.message());
  project.stableTrace = recordTrace(project, trace);
  ingest(project);
}

void SysimageService::ingest(Project& project) {
  std::size_t changed = 0;
  auto pollOne = [&](TraceRecording& rec) {
    do {
      const core::IngestCounts counts = rec.ingestor->poll();
      changed += counts.added;
      project.invalidLines += counts.invalid;
      // Truncation or a new file: another Julia started writing. What was read stays in the store,
      // and what the new process writes again is deduplicated there.
      const auto& last = rec.ingestor->lastPoll();
      if (last.truncated || last.replaced || last.missing) rec.sessionOpen = false;
      if (!rec.sessionOpen && rec.follower->offset() > 0) {
        rec.sessionOpen = true;
        ++rec.sessions;
        spdlog::info("a Julia session writes {} (session {})", rec.follower->path().string(), rec.sessions);
        scheduleNotify(project);
      }
    } while (rec.ingestor->lastPoll().more);
    if (!rec.ingestor->lastPoll().error.empty()) {
      spdlog::warn("reading {}: {}", rec.follower->path().string(), rec.ingestor->lastPoll().error);
    }
  };
  for (auto& rec : project.recordings) pollOne(*rec);
  if (project.stableTrace) pollOne(*project.stableTrace);
  if (project.store->counts().unflushed > 0) {
    // Durable before anyone is told: a statement shown in a status survives a crash.
    project.store->flush();
  }
  if (changed > 0) {
    scheduleNotify(project);
    maybeOffer(project);
  }
}

void SysimageService::tick() {
  for (auto& [key, project] : projects_) {
    ingest(*project);
    if (project->store->refresh() > 0) {  // another server process wrote
      scheduleNotify(*project);
      maybeOffer(*project);
    }
    if (project->model->rescanImages()) {  // an image published (possibly by another process)
      scheduleNotify(*project);
      maybeOffer(*project);
    }
    if (project->store->degraded()) project->store->flush();        // retry a failed write
  }
}

void SysimageService::scheduleNotify(Project& project) {
  if (project.notifyScheduled) return;
  const auto now = Clock::now();
  const auto due = project.lastNotify + settings_.statusInterval;
  Project* p = &project;
  auto send = [this, p] {
    p->notifyScheduled = false;
    p->lastNotify = Clock::now();
    const ProjectStatus status = snapshot(*p);
    auto listeners = listeners_;
    for (auto& [id, listener] : listeners) {
      if (listener.onStatus) listener.onStatus(status);
    }
  };
  if (due <= now) {
    send();
    return;
  }
  project.notifyScheduled = true;
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(due - now) + std::chrono::milliseconds(1);
  project.notifyTimer->start(wait, std::chrono::milliseconds(0), send);
}

std::size_t SysimageService::newStatementsSinceBuild(Project& project) {
  project.outside.update(*project.store, project.loadable);
  const core::StatementCounts c = project.store->counts();
  // Statements at insertion index total - newSinceLastBuild and later are the new ones.
  const std::size_t outsideNew = project.outside.since(c.total - c.newSinceLastBuild);
  return c.newSinceLastBuild - std::min(outsideNew, c.newSinceLastBuild);
}

bool SysimageService::refreshLoadable(Project& project) {
  const ProjectModel& model = *project.model;
  core::LoadableModules modules = core::loadableModules(model.project(), model.manifest(), project.stdlibDir);
  if (modules == project.loadable) return false;
  project.loadable = std::move(modules);
  project.outside.reset();  // counted for the old modules; newStatementsSinceBuild() reads all again
  return true;
}

ProjectStatus SysimageService::snapshot(Project& project) {
  ProjectStatus s;
  s.project = project.env.dir;
  s.name = project.env.name;
  s.kind = project.env.kind;
  s.julia = julia_->status;
  const std::size_t newSinceBuild = newStatementsSinceBuild(project);
  const core::StatementCounts c = project.store->counts();
  s.statements = StatementStatus{c.total, c.nonPortable, c.excluded, newSinceBuild, project.invalidLines, 0, {}};
  s.statements.outsideProject = project.outside.total();
  for (const auto& [module, count] : project.outside.byModule()) {
    s.statements.outsideModules.push_back(OutsideModuleCount{module, count, kOutsideReason});
  }
  std::stable_sort(s.statements.outsideModules.begin(), s.statements.outsideModules.end(),
                   [](const OutsideModuleCount& a, const OutsideModuleCount& b) { return a.statements > b.statements; });
  s.recordingSessions = project.recordings.size();
  if (project.stableTrace) {
    s.traceFile = project.stableTrace->follower->path();
    s.traceFileSessions = project.stableTrace->sessions;
  }
  s.storeDir = project.store->dir();
  s.storeDegraded = project.store->degraded();
  if (s.storeDegraded) s.storeError = project.store->degradedReason();
  s.warnings = project.warnings;
  const ProjectModel& model = *project.model;
  const auto selection = model.select(settings_, newSinceBuild);
  auto problem = [](const std::optional<FileError>& e) -> std::optional<FileProblem> {
    if (!e) return std::nullopt;
    return FileProblem{e->file.string(), e->line, e->column, e->message};
  };
  s.staleness.state = std::string(core::toString(selection.staleness.state));
  s.staleness.reasons = selection.staleness.reasons;
  for (const auto& change : selection.staleness.diff.changes) {
    s.staleness.diff.push_back(DiffEntry{change.name, change.uuid, std::string(core::toString(change.kind)),
                                         change.oldVersion.value_or(""), change.newVersion.value_or(""),
                                         change.describe()});
  }
  s.staleness.manifestError = problem(model.manifestError());
  s.staleness.projectError = problem(model.projectError());
  s.staleness.configError = problem(model.configError());
  if (selection.image) {
    ImageStatus image;
    image.path = selection.image->path.string();
    image.usable = selection.usable();
    if (const auto& m = selection.image->metadata) {
      image.builtAt = core::formatIsoUtc(m->builtAt);
      image.ageSeconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - m->builtAt).count();
      image.juliaVersion = m->juliaVersion;
      image.cpuTarget = m->cpuTarget;
      image.backend = m->backend;
      image.statements = m->statementCount;
      image.buildSeconds = m->buildSeconds;
      for (const auto& pkg : m->packages) image.packages.emplace_back(pkg.name, pkg.version.value_or(""));
    }
    image.ttfx = loadMeasurement(selection.image->path);
    s.image = std::move(image);
  }
  if (project.active) {
    const auto& a = *project.active;
    s.build = BuildStatus{a.job ? "running" : "queued", a.buildId, a.progress.phase, a.progress.message,
                          a.progress.percentage, ""};
  } else if (project.lastBuild) {
    s.build = project.lastBuild;
  }
  return s;
}

ProjectStatus SysimageService::juliaFailureStatus(const std::optional<fs::path>& folderOrFile) const {
  ProjectStatus s;
  s.julia = julia_->status;
  s.kind = "default";
  if (folderOrFile) {
    std::error_code ec;
    fs::path start = fs::absolute(*folderOrFile);
    if (!fs::is_directory(start, ec)) start = start.parent_path();
    if (auto root = core::findProjectRoot(start)) {
      s.project = *root;
      s.kind = "project";
      s.name = root->filename().string();
    }
  }
  return s;
}

void SysimageService::status(const std::optional<fs::path>& folderOrFile, Callback<ProjectStatus> done) {
  if (stopped_) {
    done(ServiceError{"shutdown", "the server is shutting down"});
    return;
  }
  withJulia([this, folderOrFile, done = std::move(done)] {
    if (!julia_->installation) {
      done(juliaFailureStatus(folderOrFile));
      return;
    }
    std::string error;
    Project* project = openProject(folderOrFile, error);
    if (!project) {
      done(ServiceError{"storeFailed", error});
      return;
    }
    done(snapshot(*project));
  });
}

void SysimageService::replCommand(const std::optional<fs::path>& folderOrFile, Callback<ReplCommand> done) {
  withProject(folderOrFile, std::move(done), [this](Project& projectRef, auto& done) mutable {
    Project* project = &projectRef;
    // A new trace file per session, owned by the server, under the project's store.
    static unsigned counter = 0;
    const fs::path traces = project->store->dir() / "traces";
    std::error_code ec;
    fs::create_directories(traces, ec);
    const fs::path trace = traces / ("repl-" + core::compactUtcStamp() + "-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(++counter) + ".jl");
    if (FILE* f = std::fopen(trace.c_str(), "a")) {
      std::fclose(f);
    } else {
      done(ServiceError{"storeFailed", "cannot create the trace file " + trace.string()});
      return;
    }
    ReplCommand cmd;
    cmd.command = julia_->installation->executable.string();
    // Re-read the project first: an image is never offered for packages or sources that just changed.
    if (project->model->reload()) scheduleNotify(*project);
    const auto selection = project->model->select(settings_, newStatementsSinceBuild(*project));
    if (selection.usable()) {
      cmd.args.push_back("-J");
      cmd.args.push_back(selection.image->path.string());
    }
    if (project->env.kind == "project") cmd.args.push_back("--project=" + project->env.dir.string());
    cmd.args.push_back("--trace-compile=" + trace.string());
    cmd.traceFile = trace;
    cmd.project = project->env.dir;
    followTrace(*project, trace);
    scheduleNotify(*project);
    done(cmd);
  });
}

void SysimageService::clearStatements(const std::optional<fs::path>& folderOrFile, Callback<ProjectStatus> done) {
  withProject(folderOrFile, std::move(done), [this](Project& projectRef, auto& done) mutable {
    Project* project = &projectRef;
    if (!project->store->clear()) {
      done(ServiceError{"storeFailed", "cannot clear the statement store: " + project->store->degradedReason()});
      return;
    }
    project->invalidLines = 0;
    project->outside.reset();
    scheduleNotify(*project);
    done(snapshot(*project));
  });
}

int SysimageService::subscribe(Subscriber listener) {
  listeners_[nextListener_] = std::move(listener);
  return nextListener_++;
}

void SysimageService::unsubscribe(int id) { listeners_.erase(id); }

}  // namespace sysimage::service

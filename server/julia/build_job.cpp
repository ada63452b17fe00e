// BuildJob: the native and PackageCompiler build steps as a small state machine on the owner's loop.
#include "server/julia/build_job.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include <spdlog/spdlog.h>

#include "server/julia/build_diagnostics.h"
#include "server/julia/build_link.h"
#include "server/julia/build_log.h"
#include "server/julia/packagecompiler_log.h"
#include "server/julia/packagecompiler_setup.h"

namespace sysimage::julia {
namespace fs = std::filesystem;
using Status = BuildOutcome::Status;

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(150);
constexpr auto kTerminateGrace = std::chrono::milliseconds(1000);
constexpr std::uint64_t kDiskNearlyFull = 64ull << 20;

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::nullopt : std::optional<std::string>(v);
}

void writeFile(const fs::path& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot create " + path.string());
  std::string_view rest = text;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      throw std::system_error(e, std::generic_category(), "cannot write " + path.string());
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::close(fd) != 0) throw std::system_error(errno, std::generic_category(), "cannot write " + path.string());
}

std::string fileSystemReason(const fs::path& dir, int error, const std::string& what) {
  if (error == EACCES || error == EPERM || error == EROFS) {
    return "output directory not writable: " + dir.string() + " (" + std::strerror(error) + ")";
  }
  if (error == ENOSPC || error == EDQUOT) {
    auto free = freeDiskBytes(dir);
    return "disk full: " + what + (free ? " (" + formatBytes(*free) + " free)" : std::string());
  }
  return "cannot prepare the build directory " + dir.string() + ": " + what;
}

std::uint64_t fileSize(const fs::path& p) {
  std::error_code ec;
  const auto size = fs::file_size(p, ec);
  return ec ? 0 : size;
}

std::string describeExit(const platform::ExitStatus& s) {
  if (s.termSignal != 0) return "killed by signal " + std::to_string(s.termSignal) + " (" + signalName(s.termSignal) + ")";
  return "exit status " + std::to_string(s.exitCode);
}

}  // namespace

struct BuildJob::Impl : std::enable_shared_from_this<Impl> {
  // Native: Prepare → Trace (once per execution file) → Julia (the --output-o process) → Link.
  // PackageCompiler: Julia only.
  enum class Step { Idle, Prepare, Trace, Julia, Link, Finished };

  BuildRequest request;
  BuildJobContext ctx;
  BuildPaths paths;
  BuildProgressModel model;
  BuildLog log;
  bool logOpen = false;
  ProgressCallback onProgress;
  DoneCallback onDone;

  Step step = Step::Idle;
  std::unique_ptr<platform::Process> process;
  std::unique_ptr<platform::Timer> pollTimer, timeoutTimer;
  std::chrono::steady_clock::time_point started;
  bool cancelRequested = false;
  bool timedOut = false;
  CCompiler compiler;
  Command prepareCommand, objectCommand, link;  // native steps, planned before anything runs
  std::vector<Command> traceCommands;
  std::size_t traceIndex = 0;

  AppendedFileReader progressFile;
  ProgressLineReader progressLines;
  PackageCompilerLogParser pcParser;
  std::optional<std::uint64_t> lowestMemory;
  std::chrono::steady_clock::time_point lastMemorySample;

  Impl(BuildRequest r, BuildJobContext c, std::optional<double> expected)
      : request(std::move(r)), ctx(std::move(c)), paths(BuildPaths::forRequest(request)), model(expected),
        progressFile(paths.progressFile) {
    if (ctx.scriptsDir.empty()) ctx.scriptsDir = juliaScriptsDir();
  }

  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }

  // Runs `fn` on the owner's loop later, unless the job is gone by then.
  void later(std::function<void(Impl&)> fn) {
    ctx.post([weak = weak_from_this(), fn = std::move(fn)] {
      if (auto self = weak.lock()) fn(*self);
    });
  }

  void report(bool changed) {
    if (changed && onProgress && step != Step::Finished) onProgress(model.current());
  }

  // Reports the progress as it is now, from the loop, so that no callback runs inside start().
  void reportLater() {
    later([snapshot = model.current()](Impl& self) {
      if (self.onProgress && self.step != Step::Finished) self.onProgress(snapshot);
    });
  }

  void start() {
    started = std::chrono::steady_clock::now();
    lastMemorySample = started;
    lowestMemory = readMemAvailable();
    reportLater();  // "preparing"

    if (auto reason = prepare()) {
      later([reason = *reason](Impl& self) { self.finish(Status::Failed, reason); });
      return;
    }
    pollTimer = ctx.makeTimer();
    pollTimer->start(kPollInterval, kPollInterval, [this] { poll(); });
    if (request.timeout.count() > 0) {
      timeoutTimer = ctx.makeTimer();
      timeoutTimer->start(std::chrono::duration_cast<std::chrono::milliseconds>(request.timeout),
                          std::chrono::milliseconds(0), [this] { onTimeout(); });
    }
  }

  // Work dir, log, compiler, command and the Julia step. Returns a failure reason.
  std::optional<std::string> prepare() {
    const fs::path& dir = request.workDir;
    try {
      fs::create_directories(dir);
    } catch (const fs::filesystem_error& e) {
      return fileSystemReason(dir, e.code().value(), e.what());
    }
    try {
      log.open(paths.log);
      logOpen = true;
    } catch (const std::system_error& e) {
      return fileSystemReason(dir, e.code().value(), e.what());
    }
    std::error_code ignored;
    for (const auto& stale : {paths.image, paths.objectFile, paths.progressFile, paths.packagesFile}) {
      fs::remove(stale, ignored);
    }
    for (const auto& stale : paths.traceFiles) fs::remove(stale, ignored);
    log.note("sysimage build (" + std::string(toString(request.backend)) + " backend), Julia " +
             request.julia.versionText + ", work dir " + dir.string());
    Command command;
    Step first = Step::Julia;
    try {
      compiler = findCCompiler(env("CC"), env("PATH"), request.julia.os);
      log.note("C compiler: " + compiler.program.string() + " (from " + compiler.origin + ")");
      if (request.backend == Backend::Native) {
        // Every command first, so that a bad CPU target or path fails now rather than later.
        prepareCommand = nativePrepareCommand(request, paths, ctx.scriptsDir);
        for (std::size_t i = 0; i < request.executionFiles.size(); ++i) {
          traceCommands.push_back(executionTraceCommand(request, paths, i));
        }
        objectCommand = nativeObjectCommand(request, paths, ctx.scriptsDir);
        link = linkCommand(request, paths, compiler);  // refuses an unsupported platform before Julia runs
        writeFile(paths.requestFile, nativeRequestFileText(request, paths));
        command = prepareCommand;
        first = Step::Prepare;
      } else {
        command = packageCompilerCommand(request, paths, ctx.scriptsDir, compiler.program,
                                         {env("LIBRARY_PATH"), env("LD_LIBRARY_PATH")});
        preparePackageCompiler();
      }
    } catch (const BuildPlanError& e) {
      return std::string(e.what());
    } catch (const std::system_error& e) {
      return fileSystemReason(dir, e.code().value(), e.what());
    }
    const bool changed = first == Step::Prepare ? model.enter("preparing", "Checking the environment", elapsed())
                                                : model.enter("loading", "Starting Julia", elapsed());
    if (changed) reportLater();
    try {
      launch(command, first);
    } catch (const std::system_error& e) {
      return "cannot start Julia: " + std::string(e.what());
    }
    return std::nullopt;
  }

  // PackageCompiler's private TMPDIR, the libjulia links it may need and the statement total its
  // failures are counted against. Errors: std::filesystem::filesystem_error (a std::system_error).
  void preparePackageCompiler() {
    fs::remove_all(paths.tempDir);
    fs::create_directories(paths.tempDir);
    const auto links = libjuliaDevLinks(request.julia, paths.libjuliaLinkDir);
    createLibraryLinks(links);
    for (const auto& l : links) {
      log.note("no " + l.link.filename().string() + " in this Julia's library directories (a distribution's layout): " +
               l.link.string() + " -> " + l.target.string() + " is on LIBRARY_PATH and LD_LIBRARY_PATH");
    }
    model.expectStatements(replayedStatementTotal(request));
  }

  void launch(const Command& command, Step next) {
    std::error_code ec;
    const fs::path cwd = !command.cwd.empty() && fs::is_directory(command.cwd, ec) ? command.cwd : request.workDir;
    log.note("$ " + command.display());
    for (const auto& [name, value] : command.env) log.note("  with " + name + "=" + value);
    if (cwd != request.workDir) log.note("  in " + cwd.string());
    log.beginStep();
    platform::ProcessOptions options;
    options.program = command.program;
    options.args = command.args;
    options.env = command.env;
    options.unsetEnv = command.unsetEnv;
    options.cwd = cwd;
    options.newProcessGroup = true;
    options.onStdout = [this](std::string_view chunk) { onOutput(0, chunk); };
    options.onStderr = [this](std::string_view chunk) { onOutput(1, chunk); };
    process = ctx.launcher->launch(options, [this, next](platform::ExitStatus status) {
      switch (next) {
        case Step::Prepare: return onPrepareExit(status);
        case Step::Trace: return onTraceExit(status);
        case Step::Julia: return onJuliaExit(status);
        default: return onLinkExit(status);
      }
    });
    step = next;
  }

  void onOutput(int stream, std::string_view chunk) {
    log.write(stream, chunk);
    if (request.backend == Backend::PackageCompiler && step == Step::Julia && stream == 1) {
      for (const auto& e : pcParser.feed(chunk)) report(model.apply(e, elapsed()));
    }
  }

  void readProgressFile() {
    if (request.backend != Backend::Native || (step != Step::Julia && step != Step::Prepare)) return;
    const std::string bytes = progressFile.readNew();
    if (bytes.empty()) return;
    const auto badBefore = progressLines.badLines();
    // One report per event that changed something, so that no phase goes unseen when several
    // lines arrive between two polls (the script writes its last phases within milliseconds).
    for (const auto& e : progressLines.feed(bytes)) report(model.apply(e, elapsed()));
    if (progressLines.badLines() != badBefore) log.note("unreadable progress line: " + progressLines.lastBadLine());
  }

  void poll() {
    if (step == Step::Finished) return;
    readProgressFile();
    // PackageCompiler 1.x says nothing between compiling and linking: its object file appearing
    // in its TMPDIR tells (2.x's spinner also ends with ✔ then).
    if (request.backend == Backend::PackageCompiler && step == Step::Julia && model.current().phase == "compiling" &&
        packageCompilerObjectWritten(paths.tempDir)) {
      report(model.enter("linking", "Linking", elapsed()));
    }
    report(model.tick(elapsed()));
    const auto now = std::chrono::steady_clock::now();
    if (now - lastMemorySample >= std::chrono::seconds(1)) {
      lastMemorySample = now;
      if (auto mem = readMemAvailable()) lowestMemory = lowestMemory ? std::min(*lowestMemory, *mem) : *mem;
    }
  }

  void onTimeout() {
    if (step == Step::Finished || timedOut) return;
    timedOut = true;
    log.note("timeout after " + formatDuration(static_cast<double>(request.timeout.count())) + ": stopping");
    if (process) process->terminate(kTerminateGrace);
  }

  void cancel() {
    if (step == Step::Finished || cancelRequested) return;
    cancelRequested = true;
    log.note("cancel requested: stopping");
    if (process) {
      process->terminate(kTerminateGrace);
    } else {
      later([](Impl& self) { self.finish(Status::Cancelled, "build cancelled"); });
    }
  }

  // Cancellation, timeout and signals end every step the same way. Returns true when handled.
  bool stoppedOrKilled(const platform::ExitStatus& status) {
    if (cancelRequested) {
      finish(Status::Cancelled, "build cancelled");
      return true;
    }
    if (timedOut) {
      finish(Status::Failed, "build timed out after " + formatDuration(static_cast<double>(request.timeout.count())));
      return true;
    }
    if (status.termSignal != 0) {
      std::string reason = killedReason(status.termSignal, readMemAvailable(), lowestMemory);
      if (step == Step::Link) reason = "linking failed: the C compiler was " + describeExit(status);
      if (status.termSignal != SIGKILL) {
        const auto line = telltaleLine(log.stepOutput());
        if (!line.empty()) reason += ": " + line;
      }
      finish(Status::Failed, reason);
      return true;
    }
    return false;
  }

  std::optional<std::string> diskFullReason() {
    const auto free = freeDiskBytes(request.workDir);
    if (mentionsDiskFull(log.stepOutput()) || log.writeError() == ENOSPC || (free && *free < kDiskNearlyFull)) {
      return "disk full: " + (free ? formatBytes(*free) : std::string("little space")) + " free in " +
             request.workDir.string();
    }
    return std::nullopt;
  }

  // A failed step of the native backend: the script's own message when it sent one, else Julia's
  // exit status and the telltale line of its output.
  void failStep(const platform::ExitStatus& status, const std::string& what) {
    if (model.scriptError()) return finish(Status::Failed, *model.scriptError());
    if (auto disk = diskFullReason()) return finish(Status::Failed, *disk);
    std::string reason = what + ": Julia exited with status " + std::to_string(status.exitCode);
    const auto line = telltaleLine(log.stepOutput());
    if (!line.empty()) reason += ": " + line;
    finish(Status::Failed, reason);
  }

  void onPrepareExit(const platform::ExitStatus& status) {
    readProgressFile();
    log.note("julia (prepare.jl): " + describeExit(status));
    if (stoppedOrKilled(status)) return;
    if (status.exitCode != 0) return failStep(status, "preparing the environment failed");
    std::error_code ec;
    if (!fs::is_regular_file(paths.packagesFile, ec)) {
      return finish(Status::Failed, "prepare.jl finished without writing " + paths.packagesFile.string());
    }
    startNextTrace();
  }

  // Execution files, one process each; then the object step.
  void startNextTrace() {
    const std::size_t n = traceCommands.size();
    if (traceIndex >= n) return startObjectStep();
    ProgressEvent e;
    e.kind = ProgressEvent::Kind::Execute;
    e.name = request.executionFiles[traceIndex].string();
    e.index = traceIndex + 1;
    e.total = n;
    try {
      launch(traceCommands[traceIndex], Step::Trace);
    } catch (const std::system_error& ex) {
      return finish(Status::Failed, "cannot start Julia: " + std::string(ex.what()));
    }
    report(model.apply(e, elapsed()));  // after the launch, so that pid() is this step's
  }

  // A workload that fails, calls exit() or crashes ends only its own process: what it traced so
  // far is replayed and the build goes on.
  void onTraceExit(const platform::ExitStatus& status) {
    const std::string file = request.executionFiles[traceIndex].string();
    log.note("julia (execution file " + file + "): " + describeExit(status));
    if (cancelRequested || timedOut) {
      stoppedOrKilled(status);
      return;
    }
    if (status.termSignal != 0 || status.exitCode != 0) {
      log.note("execution file " + file + " did not finish cleanly (" + describeExit(status) +
               "); the statements it traced are replayed");
    }
    ++traceIndex;
    startNextTrace();
  }

  void startObjectStep() {
    try {
      launch(objectCommand, Step::Julia);
    } catch (const std::system_error& e) {
      return finish(Status::Failed, "cannot start Julia: " + std::string(e.what()));
    }
    report(model.enter("loading", "Starting Julia", elapsed()));
  }

  void onJuliaExit(const platform::ExitStatus& status) {
    readProgressFile();
    if (request.backend == Backend::PackageCompiler) {
      for (const auto& e : pcParser.finish()) model.apply(e, elapsed());
    }
    log.note("julia: " + describeExit(status));
    if (stoppedOrKilled(status)) return;
    if (status.exitCode != 0) {
      if (request.backend == Backend::Native) return failStep(status, "building the image failed");
      if (auto disk = diskFullReason()) return finish(Status::Failed, *disk);
      if (auto reason = pcParser.failureReason()) return finish(Status::Failed, *reason);
      std::string reason = "PackageCompiler failed: Julia exited with status " + std::to_string(status.exitCode);
      const auto line = telltaleLine(log.stepOutput());
      if (!line.empty()) reason += ": " + line;
      return finish(Status::Failed, reason);
    }
    if (request.backend == Backend::PackageCompiler) {
      if (fileSize(paths.image) > 0) return finish(Status::Succeeded, "");
      return finish(Status::Failed, "PackageCompiler finished but wrote no sysimage at " + paths.image.string());
    }
    if (!model.scriptDone()) {
      std::string reason = "the build script stopped before it finished";
      const auto line = telltaleLine(log.stepOutput());
      if (!line.empty()) reason += ": " + line;
      return finish(Status::Failed, reason);
    }
    if (fileSize(paths.objectFile) == 0) {
      if (auto disk = diskFullReason()) return finish(Status::Failed, *disk);
      return finish(Status::Failed, "Julia exited without writing the object file " + paths.objectFile.string());
    }
    startLink();
  }

  void startLink() {
    report(model.enter("linking", "Linking", elapsed()));
    try {
      launch(link, Step::Link);
    } catch (const std::system_error& e) {
      finish(Status::Failed, "linking failed: cannot start the C compiler: " + std::string(e.what()));
    }
  }

  void onLinkExit(const platform::ExitStatus& status) {
    log.note("cc: " + describeExit(status));
    std::error_code ignored;
    fs::remove(paths.objectFile, ignored);  // ~170 MB for a small image; never needed again
    if (stoppedOrKilled(status)) return;
    if (status.exitCode == 0 && fileSize(paths.image) > 0) return finish(Status::Succeeded, "");
    if (auto disk = diskFullReason()) return finish(Status::Failed, *disk);
    const auto line = telltaleLine(log.stepOutput());
    finish(Status::Failed, "linking failed: " + (line.empty() ? compiler.program.filename().string() + " " +
                                                                    describeExit(status)
                                                              : line));
  }

  void finish(Status status, const std::string& reason) {
    if (step == Step::Finished) return;
    step = Step::Finished;
    if (pollTimer) pollTimer->stop();
    if (timeoutTimer) timeoutTimer->stop();
    BuildOutcome outcome;
    outcome.status = status;
    outcome.reason = reason;
    outcome.image = status == Status::Succeeded ? paths.image : fs::path();
    outcome.log = logOpen ? paths.log : fs::path();
    outcome.durationSeconds = elapsed();
    outcome.statementsOk = model.current().statementsOk;
    outcome.statementsFailed = model.current().statementsFailed;
    outcome.backend = request.backend;
    if (logOpen) {
      log.note(std::string(status == Status::Succeeded ? "succeeded" : status == Status::Cancelled ? "cancelled" : "failed") +
               " after " + formatDuration(outcome.durationSeconds) + (reason.empty() ? "" : ": " + reason));
    }
    outcome.logTail = log.tail();
    spdlog::info("sysimage build in {} {}: {}", request.workDir.string(),
                 status == Status::Succeeded ? "succeeded" : status == Status::Cancelled ? "cancelled" : "failed",
                 reason);
    auto keepAlive = shared_from_this();  // the owner may destroy the job in onDone
    auto done = std::move(onDone);
    onDone = nullptr;
    onProgress = nullptr;
    if (done) done(outcome);  // may destroy the job: nothing after this
  }

  ~Impl() {
    if (pollTimer) pollTimer->stop();
    if (timeoutTimer) timeoutTimer->stop();
    process.reset();  // SIGKILLs a running step's group; drops its callbacks
  }
};

BuildJob::BuildJob(BuildRequest request, BuildJobContext context, std::optional<double> expectedSeconds)
    : impl_(std::make_shared<Impl>(std::move(request), std::move(context), expectedSeconds)) {}

BuildJob::~BuildJob() = default;

void BuildJob::start(ProgressCallback onProgress, DoneCallback onDone) {
  if (impl_->step != Impl::Step::Idle || impl_->onDone) return;
  impl_->onProgress = std::move(onProgress);
  impl_->onDone = std::move(onDone);
  impl_->start();
}

void BuildJob::cancel() { impl_->cancel(); }

std::optional<int> BuildJob::pid() const {
  if (impl_->process && impl_->process->running()) return impl_->process->pid();
  return std::nullopt;
}

bool BuildJob::finished() const { return impl_->step == Impl::Step::Finished; }
const BuildProgress& BuildJob::progress() const { return impl_->model.current(); }
const BuildPaths& BuildJob::paths() const { return impl_->paths; }

}  // namespace sysimage::julia

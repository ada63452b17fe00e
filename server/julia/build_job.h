// BuildJob: runs one sysimage build (native: Julia object step, then link; or PackageCompiler)
// asynchronously, reporting progress and one outcome on the owner's event loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/julia/build_plan.h"
#include "server/julia/build_progress.h"
#include "server/platform/post.h"
#include "server/platform/process.h"
#include "server/platform/timer.h"

namespace sysimage::julia {

/// How a build ended.
struct BuildOutcome {
  enum class Status { Succeeded, Failed, Cancelled };
  Status status = Status::Failed;
  /// User-facing cause, empty on success: e.g. "Julia was killed (signal 9) — probably out of
  /// memory: 1.2 GiB free", "linking failed: …", "disk full: …", "output directory not writable:
  /// …", "no C compiler found: install gcc (build-essential); …", "build timed out after 30 min",
  /// "cannot load package X: …", "build cancelled".
  std::string reason;
  std::vector<std::string> logTail;  ///< last 50 lines of build.log (ANSI removed)
  std::filesystem::path image;       ///< <workDir>/sysimage.so (.dylib on macOS) on success, else empty
  std::filesystem::path log;         ///< <workDir>/build.log (empty when it could not be created)
  double durationSeconds = 0;        ///< wall time from start() to the outcome
  std::size_t statementsOk = 0, statementsFailed = 0;  ///< from the script's counts (native backend)
  Backend backend = Backend::Native;
};

/// What a BuildJob needs from the platform layer. The launcher's and the timers' Post must run
/// tasks on the same thread as `post` (the owner's loop), which is where every callback of the
/// job runs.
struct BuildJobContext {
  platform::ProcessLauncher* launcher = nullptr;  ///< must outlive the job
  std::function<std::unique_ptr<platform::Timer>()> makeTimer;
  platform::Post post;
  std::filesystem::path scriptsDir;  ///< build_sysimage.jl, packagecompiler_build.jl; empty: juliaScriptsDir()
};

/// One build. Never publishes anything: on success the image is left in the work dir and the
/// caller moves it into place. Not thread-safe: call it on the owner's loop only.
///
/// Native backend: writes <workDir>/request.txt, runs Julia (nativeObjectCommand), follows
/// <workDir>/progress.jsonl every 150 ms (a side channel; Julia's own output is only logged), then
/// links with the C compiler (linkCommand) and deletes the object file. Phases: preparing →
/// loading → replaying → executing → compiling → linking. PackageCompiler backend: runs
/// packagecompiler_build.jl and reads progress from PackageCompiler's stderr
/// (PackageCompilerLogParser). stdout and stderr of every step go to <workDir>/build.log, each step
/// preceded by a "# $ <command>" line.
///
/// The C compiler is looked up first ($CC, else cc/gcc/clang on $PATH of the server), so a
/// missing compiler fails the build at once rather than after minutes of Julia.
class BuildJob {
 public:
  using ProgressCallback = std::function<void(const BuildProgress&)>;
  using DoneCallback = std::function<void(const BuildOutcome&)>;

  /// `expectedSeconds`: how long the caller expects the whole build to take (e.g. the duration of
  /// the project's previous build); it shapes the time-based percentage while compiling.
  BuildJob(BuildRequest request, BuildJobContext context, std::optional<double> expectedSeconds = std::nullopt);
  /// Stops a running build at once: SIGKILL to the step's process group; no callback runs after
  /// the destructor returns.
  ~BuildJob();
  BuildJob(const BuildJob&) = delete;
  BuildJob& operator=(const BuildJob&) = delete;

  /// Starts the build. `onProgress` runs for every change of phase, message, percentage or counts
  /// (also for changes read together from the progress file, so every phase is seen);
  /// `onDone` runs exactly once, last (it may destroy the job). Neither runs inside start().
  /// Calling start() twice is a logic error (ignored).
  void start(ProgressCallback onProgress, DoneCallback onDone);
  /// Stops the build: SIGTERM to the process group of the running step, SIGKILL after 1 s; the
  /// outcome is Cancelled once the process is gone. Racy by nature: a step that finishes at the
  /// same moment may still end the build as Cancelled. No-op after the outcome.
  void cancel();
  /// pid (= process group id) of the step running now, nullopt between steps and after the end.
  std::optional<int> pid() const;
  /// Whether the outcome has been decided (onDone was called or is about to be).
  bool finished() const;
  /// The latest progress.
  const BuildProgress& progress() const;
  const BuildPaths& paths() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sysimage::julia

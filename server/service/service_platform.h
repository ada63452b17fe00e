// The OS facilities a SysimageService works with (file watcher, process launcher, timers, Julia
// probe), passed in so that tests run the service in process with fakes.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "server/julia/julia_installation.h"
#include "server/platform/file_watcher.h"
#include "server/platform/post.h"
#include "server/platform/process.h"
#include "server/platform/timer.h"

namespace sysimage::platform {
class UvLoop;
}

namespace sysimage::service {

/// What the service needs from the platform. Every callback of these facilities must arrive on the
/// service's loop (through the same Post the service got). Tests pass platform::FakeFileWatcher,
/// platform::FakeProcessLauncher, platform::ManualTimers and a probe returning a fixed Julia.
struct ServicePlatform {
  std::shared_ptr<platform::FileWatcher> watcher;        ///< Project.toml, Manifest.toml, trace files
  std::shared_ptr<platform::ProcessLauncher> launcher;   ///< build steps and TTFX runs
  std::function<std::unique_ptr<platform::Timer>()> makeTimer;  ///< debounces, polls, retries, timeouts
  /// Probes the Julia executable `exe` (resolved by julia::resolveJulia), giving up after `timeout`.
  /// Runs on a worker thread. Errors: julia::ProbeError.
  std::function<julia::JuliaInstallation(const std::filesystem::path& exe, std::chrono::milliseconds timeout)> probeJulia;
};

/// The real facilities: a libuv loop on a thread of its own (platform::UvLoop) with the watcher,
/// launcher and timers made from it, and probe.jl (cached per executable and mtime).
///
/// Lifetime: the service using facilities() must be shut down (SysimageService::shutdown, or its
/// destructor) before this is destroyed, since everything made from the loop must go first.
class UvServicePlatform {
 public:
  /// Starts the loop thread; callbacks go through `post`. Errors: std::system_error from libuv.
  explicit UvServicePlatform(platform::Post post);
  ~UvServicePlatform();
  UvServicePlatform(const UvServicePlatform&) = delete;
  UvServicePlatform& operator=(const UvServicePlatform&) = delete;

  /// The facilities (shared: the service holds them until it shuts down).
  ServicePlatform facilities() const;

 private:
  std::unique_ptr<platform::UvLoop> loop_;
  ServicePlatform facilities_;
};

}  // namespace sysimage::service

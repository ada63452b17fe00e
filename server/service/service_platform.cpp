// The real platform of a SysimageService: libuv watcher, launcher and timers on one loop thread, and probe.jl.
#include "server/service/service_platform.h"

#include "server/platform/uv_loop.h"

namespace sysimage::service {

UvServicePlatform::UvServicePlatform(platform::Post post) : loop_(std::make_unique<platform::UvLoop>()) {
  facilities_.watcher = platform::makeUvFileWatcher(*loop_, post);
  facilities_.launcher = platform::makeUvProcessLauncher(*loop_, post);
  facilities_.makeTimer = [loop = loop_.get(), post] { return platform::makeUvTimer(*loop, post); };
  auto prober = std::make_shared<julia::JuliaProber>(julia::juliaScriptsDir());
  facilities_.probeJulia = [prober](const std::filesystem::path& exe, std::chrono::milliseconds timeout) {
    prober->setTimeout(timeout);
    return prober->probe(exe);
  };
}

UvServicePlatform::~UvServicePlatform() {
  // Ours go first, then the loop joins its thread (platform::UvLoop's lifetime rule).
  facilities_ = ServicePlatform{};
}

ServicePlatform UvServicePlatform::facilities() const { return facilities_; }

}  // namespace sysimage::service

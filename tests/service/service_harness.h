// ServiceHarness: a SysimageService in process with fake platform facilities (a FakeFileWatcher, a
// FakeProcessLauncher playing julia and cc, ManualTimers) and a Julia "probed" without running one.
// The projects are copies of Pkg's real output (tests/fixtures/manifests, written by Julia 1.5.3).
#pragma once

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "server/platform/fake_file_watcher.h"
#include "server/platform/fake_process_launcher.h"
#include "server/platform/manual_timer.h"
#include "server/service/sysimage_service.h"
#include "tests/juliaunit/julia_fixture.h"
#include "tests/platform/post_queue.h"
#include "tests/platform/temp_dir.h"

namespace sysimage::service::testing {

namespace fs = std::filesystem;
using Child = platform::FakeProcessLauncher::FakeChild;

/// Whether `c` is the native backend's preparation step (julia … prepare.jl <request>).
inline bool isPrepare(const Child& c) {
  const auto& a = c.options.args;
  return a.size() >= 2 && fs::path(a[a.size() - 2]).filename() == "prepare.jl";
}

inline const fs::path kFixtures = fs::path(SYSIMAGE_SOURCE_DIR) / "tests" / "fixtures" / "manifests";

inline std::string readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// What a request got back (nullopt until answered) and how often it was answered.
template <class T>
struct Answer {
  std::optional<Result<T>> result;
  int calls = 0;
  bool ok() const { return result && std::holds_alternative<T>(*result); }
  const T& value() const { return std::get<T>(*result); }
  std::string errorCode() const {
    if (!result || ok()) return {};
    return std::get<ServiceError>(*result).code;
  }
  Callback<T> callback() {
    return [this](Result<T> r) {
      result = std::move(r);
      ++calls;
    };
  }
};

/// One service process: its fakes and the service. Several may share a state directory (two
/// editors on one project), each with its own fakes, all run by the same PostQueue.
class ServiceInstance {
 public:
  /// The fake julia's "probe" answer, as probe.jl printed it for the Debian Julia 1.5.3.
  ServiceInstance(platform::testing::PostQueue& queue, const fs::path& stateDir, const fs::path& juliaExe,
                  const fs::path& depot, Settings settings = {})
      : watcher(std::make_shared<platform::FakeFileWatcher>()),
        launcher(std::make_shared<platform::FakeProcessLauncher>(queue.post())) {
    julia = julia::testing::debianJulia153();
    julia.executable = juliaExe;
    julia.depotPath = {depot};
    ServicePlatform platform;
    platform.watcher = watcher;
    platform.launcher = launcher;
    platform.makeTimer = timers.factory();
    platform.probeJulia = [installation = julia](const fs::path& exe, std::chrono::milliseconds) {
      auto j = installation;
      j.executable = exe;
      return j;
    };
    service = std::make_unique<SysimageService>(
        queue.post(), SysimageService::Options{stateDir.string(), juliaExe.string()}, std::move(platform));
    service->configure(settings);
  }

  /// The julia build children (`--output-o`), oldest first.
  std::vector<std::shared_ptr<Child>> juliaBuilds() const {
    std::vector<std::shared_ptr<Child>> out;
    for (const auto& c : launcher->children()) {
      if (!c->argAfter("--output-o").empty()) out.push_back(c);
    }
    return out;
  }
  /// The link steps (the C compiler with -shared).
  std::vector<std::shared_ptr<Child>> links() const {
    std::vector<std::shared_ptr<Child>> out;
    for (const auto& c : launcher->children()) {
      if (!c->argAfter("-o").empty() && c->argAfter("--output-o").empty()) out.push_back(c);
    }
    return out;
  }
  /// TTFX runs: julia children that are neither the object step nor the preparation step.
  std::vector<std::shared_ptr<Child>> measureRuns() const {
    std::vector<std::shared_ptr<Child>> out;
    for (const auto& c : launcher->children()) {
      if (c->options.program == julia.executable && c->argAfter("--output-o").empty() && !isPrepare(*c)) {
        out.push_back(c);
      }
    }
    return out;
  }

  std::shared_ptr<platform::FakeFileWatcher> watcher;
  std::shared_ptr<platform::FakeProcessLauncher> launcher;
  platform::ManualTimers timers;
  julia::JuliaInstallation julia;
  std::unique_ptr<SysimageService> service;
};

class ServiceHarness : public ::testing::Test {
 protected:
  void SetUp() override {
    juliaExe_ = dir_ / "bin" / "julia";
    fs::create_directories(juliaExe_.parent_path());
    // Never run (the fake launcher starts nothing): it only has to be an executable file for
    // julia::resolveJulia.
    std::ofstream(juliaExe_) << "#!/bin/sh\necho 'a stand-in: the fake launcher never runs it' >&2\nexit 1\n";
    ::chmod(juliaExe_.c_str(), 0755);
    main_ = &addInstance();
  }

  void TearDown() override {
    for (auto& i : instances_) i->service->shutdown();
  }

  ServiceInstance& addInstance(Settings settings = {}) {
    instances_.push_back(
        std::make_unique<ServiceInstance>(queue_, dir_ / "state", juliaExe_, dir_ / "depot", std::move(settings)));
    return *instances_.back();
  }

  SysimageService& service() { return *main_->service; }
  ServiceInstance& main() { return *main_; }

  /// A project directory with Pkg's real Project.toml and manifest (Foo 0.1.0 and Printf).
  fs::path makeProject(const std::string& name, const std::string& manifest = "julia153_PkgApp_Manifest.before.toml") {
    const fs::path project = dir_ / name;
    fs::create_directories(project);
    fs::copy_file(kFixtures / "julia153_PkgApp_Project.toml", project / "Project.toml", fs::copy_options::overwrite_existing);
    useManifest(project, manifest);
    return project;
  }
  /// Replaces the project's manifest with a fixture (what Pkg.update or Pkg.develop wrote). For the
  /// develop fixture also its Project.toml, and the sources Pkg.generate made (its `path`).
  void useManifest(const fs::path& project, const std::string& manifest) {
    if (manifest.find("develop") != std::string::npos) {
      fs::copy_file(kFixtures / "julia153_PkgApp_Project.develop.toml", project / "Project.toml",
                    fs::copy_options::overwrite_existing);
      fs::create_directories(project / "dev" / "Dev" / "src");
      std::ofstream(project / "dev" / "Dev" / "src" / "Dev.jl") << "module Dev\ngreet() = print(\"Hello World!\")\nend # module\n";
    }
    fs::copy_file(kFixtures / manifest, project / "Manifest.toml", fs::copy_options::overwrite_existing);
  }

  /// Runs posted tasks until `done` holds (false after 10 s: the test fails, it does not hang).
  bool until(const std::function<bool()>& done) { return queue_.runUntil(done, std::chrono::seconds(10)); }
  /// Runs every task posted so far and what they post in turn, without waiting for other threads.
  void drain() { queue_.runFor(std::chrono::milliseconds(0)); }

  /// The test plays julia: writes what build_sysimage.jl and `--output-o` write, then exits 0.
  static void finishJulia(Child& c, std::size_t ok = 3) {
    const fs::path workDir = *c.options.cwd;
    std::ofstream(workDir / "progress.jsonl", std::ios::app)
        << "{\"event\":\"phase\",\"phase\":\"loading\"}\n"
        << "{\"event\":\"package\",\"name\":\"Foo\",\"index\":1,\"total\":1,\"ok\":true}\n"
        << "{\"event\":\"phase\",\"phase\":\"replaying\"}\n"
        << "{\"event\":\"done\",\"ok\":" << ok << ",\"failed\":0}\n";
    std::ofstream(c.argAfter("--output-o")) << "object";
    c.exit(0);
  }
  /// The test plays the preparation step (prepare.jl): writes the packages file next to the
  /// build request (its last argument) and exits 0.
  static void finishPrepare(Child& c) {
    std::ofstream(fs::path(c.options.args.back()).parent_path() / "packages.txt") << "";
    c.exit(0);
  }
  /// The test plays cc: writes the image and exits 0.
  static void finishLink(Child& c) {
    std::ofstream(c.argAfter("-o")) << "image";
    c.exit(0);
  }
  /// Makes `instance`'s launcher play julia and cc to success at once (true), or leave the julia
  /// step running until the test ends it (false; the link step still succeeds at once), and TTFX
  /// runs exit 0 at once unless `holdMeasureRuns`.
  static void playBuildTools(ServiceInstance& instance, bool finishJuliaAtOnce, bool holdMeasureRuns = false) {
    const fs::path julia = instance.julia.executable;
    instance.launcher->onLaunch = [julia, finishJuliaAtOnce, holdMeasureRuns](Child& c) {
      if (!c.argAfter("--output-o").empty()) {
        if (finishJuliaAtOnce) finishJulia(c);
      } else if (isPrepare(c)) {
        finishPrepare(c);
      } else if (!c.argAfter("-o").empty()) {
        finishLink(c);
      } else if (c.options.program == julia && !holdMeasureRuns) {
        c.exit(0);
      }
    };
  }

  /// Builds `project` to the end with the default options; returns the result.
  BuildResult buildNow(const fs::path& project, ServiceInstance* instance = nullptr) {
    ServiceInstance& in = instance ? *instance : main();
    playBuildTools(in, true);
    Answer<BuildResult> answer;
    in.service->build(project, BuildOptions{}, nullptr, answer.callback());
    EXPECT_TRUE(until([&] { return answer.result.has_value(); }));
    EXPECT_TRUE(answer.ok()) << answer.errorCode() << ": "
                             << (answer.ok() || !answer.result ? "" : std::get<ServiceError>(*answer.result).message);
    return answer.ok() ? answer.value() : BuildResult{};
  }

  /// The project's status (answered through the queue).
  ProjectStatus statusOf(const fs::path& project) {
    Answer<ProjectStatus> answer;
    service().status(project, answer.callback());
    EXPECT_TRUE(until([&] { return answer.result.has_value(); }));
    return answer.ok() ? answer.value() : ProjectStatus{};
  }

  platform::testing::TempDir dir_;
  platform::testing::PostQueue queue_;
  fs::path juliaExe_;
  std::vector<std::unique_ptr<ServiceInstance>> instances_;
  ServiceInstance* main_ = nullptr;
};

}  // namespace sysimage::service::testing

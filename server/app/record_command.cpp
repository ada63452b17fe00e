// `sysimage-server record`: a Julia wrapper that records precompile statements into the store.
#include "server/app/record_command.h"

#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <iostream>
#include <mutex>
#include <spdlog/spdlog.h>

#include "server/core/ingest.h"
#include "server/core/statement_store.h"
#include "server/core/trace_follower.h"
#include "server/core/utc_time.h"
#include "server/julia/julia_installation.h"
#include "server/platform/process.h"
#include "server/platform/uv_loop.h"
#include "server/service/sysimage_service.h"

namespace sysimage::app {
namespace fs = std::filesystem;

void addRecordOptions(CLI::App& cmd, RecordOptions& options) {
  cmd.add_option("--project", options.project,
                 "Project whose store receives the statements (default: the command's --project, else the "
                 "project holding the working directory, else the default environment)");
  cmd.add_option("--state-dir", options.stateDir, "State directory (as for serve)");
  cmd.add_option("command", options.command, "-- julia [args...]: the Julia command line to run")->required();
  cmd.positionals_at_end();
}

namespace {

/// Tasks posted by the platform loop, run on this (main) thread.
class TaskQueue {
 public:
  platform::Post post() {
    return [this](std::function<void()> task) {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(task));
      cv_.notify_one();
    };
  }
  /// Runs queued tasks; waits up to `timeout` for the first one.
  void runFor(std::chrono::milliseconds timeout) {
    std::deque<std::function<void()>> tasks;
    {
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, timeout, [this] { return !tasks_.empty(); });
      tasks.swap(tasks_);
    }
    for (auto& t : tasks) t();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
};

std::optional<std::string> projectFromArgs(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a.rfind("--project=", 0) == 0) return a.substr(10);
    if (a == "--") break;
  }
  return std::nullopt;
}

}  // namespace

int runRecord(const RecordOptions& options) {
  if (options.command.empty()) {
    std::cerr << "sysimage-server record: give the Julia command after --, e.g. record -- julia script.jl\n";
    return 2;
  }
  if (std::error_code ec; !options.project.empty() && !fs::exists(options.project, ec)) {
    std::cerr << "sysimage-server record: no such project directory: " << options.project
              << "\n  Give --project a directory that holds Project.toml (or leave it out).\n";
    return 2;
  }
  julia::JuliaInstallation installation;
  try {
    const fs::path exe = julia::resolveJulia(julia::defaultJuliaSearch(options.command.front()));
    julia::JuliaProber prober(julia::juliaScriptsDir());
    installation = prober.probe(exe);
  } catch (const julia::ProbeError& e) {
    std::cerr << "sysimage-server record: " << e.what() << "\n";
    return 2;
  }
  std::vector<std::string> args(options.command.begin() + 1, options.command.end());
  std::optional<fs::path> where;
  if (!options.project.empty()) where = options.project;
  else if (auto p = projectFromArgs(args); p && p->rfind("@", 0) != 0) where = *p;
  else where = fs::current_path();
  const service::Environment env = service::resolveEnvironment(where, installation);
  const fs::path stateDir =
      service::resolveStateDir(options.stateDir.empty() ? std::nullopt : std::optional(options.stateDir), installation);
  const fs::path storeDir = core::storeDirFor(stateDir, env.dir, installation.versionText);

  std::unique_ptr<core::StatementStore> store;
  try {
    store = std::make_unique<core::StatementStore>(storeDir);
  } catch (const std::exception& e) {
    std::cerr << "sysimage-server record: cannot open the statement store in " << storeDir << ": " << e.what() << "\n";
    return 2;
  }
  const std::size_t before = store->counts().total;
  std::error_code ec;
  fs::create_directories(storeDir / "traces", ec);
  const fs::path trace = storeDir / "traces" / ("record-" + core::compactUtcStamp() + "-" + std::to_string(::getpid()) + ".jl");

  // --trace-compile must come before the script: Julia passes everything after it to the script.
  platform::ProcessOptions process;
  process.program = installation.executable;
  process.args.push_back("--trace-compile=" + trace.string());
  process.args.insert(process.args.end(), args.begin(), args.end());
  process.newProcessGroup = false;  // Ctrl-C at the terminal reaches Julia as usual
  process.inheritStdio = true;  // Julia talks to the user's terminal (or pipes) directly

  TaskQueue queue;
  platform::UvLoop loop;
  auto launcher = platform::makeUvProcessLauncher(loop, queue.post());
  core::TraceFollower follower(trace);
  core::Ingestor ingestor(follower, *store);
  std::optional<platform::ExitStatus> exit;
  std::unique_ptr<platform::Process> child;
  try {
    child = launcher->launch(process, [&](platform::ExitStatus status) { exit = status; });
  } catch (const std::system_error& e) {
    std::cerr << "sysimage-server record: " << e.what() << "\n";
    return 2;
  }
  while (!exit) {
    queue.runFor(std::chrono::milliseconds(100));
    do {
      ingestor.poll();
    } while (ingestor.lastPoll().more);
    if (store->counts().unflushed > 0) store->flush();
  }
  ingestor.finish();
  store->flush();
  fs::remove(trace, ec);
  const auto counts = store->counts();
  std::cerr << "sysimage-server: recorded " << (counts.total - before) << " new precompile statements for "
            << env.name << " (" << counts.total << " in all, " << ingestor.totals().invalid << " invalid lines)";
  if (store->degraded()) std::cerr << "; WARNING: not all were saved: " << store->degradedReason();
  std::cerr << "\n";
  child.reset();
  launcher.reset();
  if (exit->termSignal != 0) return 128 + exit->termSignal;
  return exit->exitCode;
}

}  // namespace sysimage::app

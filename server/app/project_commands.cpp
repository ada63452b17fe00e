// `sysimage-server build | status | bench`: the service on a private event loop, driven from the CLI.
#include "server/app/project_commands.h"

#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "server/lsp/sysimage_convert.h"
#include "server/service/sysimage_service.h"

namespace sysimage::app {
namespace fs = std::filesystem;

namespace {

void addCommon(CLI::App& cmd, ProjectCommandOptions& o) {
  cmd.add_option("--project", o.project, "Project directory (default: the project holding the working directory)");
  cmd.add_option("--state-dir", o.stateDir, "State directory (as for serve)");
  cmd.add_option("--julia", o.julia, "Julia executable");
}

/// The service on an io_context of its own, for one command. Members go in reverse order: the
/// service releases its timers, watches and processes, then the platform joins its loop thread,
/// and only then the io_context (which the loop thread posts to) goes. The work guard keeps
/// `run()` going while nothing is queued yet (Julia is probed on a worker thread that posts its
/// answer later); `finish()` releases it once the command has its answer.
struct Runner {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work = boost::asio::make_work_guard(io);
  service::UvServicePlatform platform;
  service::SysimageService service;
  explicit Runner(const ProjectCommandOptions& o)
      : platform(post()),
        service(post(),
                service::SysimageService::Options{o.stateDir.empty() ? std::nullopt : std::optional(o.stateDir),
                                                  o.julia.empty() ? std::nullopt : std::optional(o.julia)},
                platform.facilities()) {}
  platform::Post post() {
    return [this](std::function<void()> task) { boost::asio::post(io, std::move(task)); };
  }
  /// Ends run() once the current handler returns.
  void finish() {
    std::fflush(stdout);  // piped output survives whatever happens at exit
    work.reset();
  }
};

/// The project directory named by --project (default: the working directory). A path that does
/// not exist is an error, not the default environment.
std::optional<fs::path> projectOf(const ProjectCommandOptions& o, int& code) {
  const fs::path p = o.project.empty() ? fs::current_path() : fs::absolute(o.project);
  std::error_code ec;
  if (!fs::exists(p, ec)) {
    std::fprintf(stderr, "sysimage-server: no such project directory: %s\n  Give --project a directory that holds "
                 "Project.toml (default: the working directory).\n", p.c_str());
    code = 2;
    return std::nullopt;
  }
  return p;
}

/// What the user can do about a service error, on stderr; returns the exit code for it
/// (2: Julia or the state directory cannot be used; 1: anything else).
int reportError(const char* what, const service::ServiceError& e) {
  std::fprintf(stderr, "sysimage-server: %s: %s\n", what, e.message.c_str());
  if (e.code == "juliaUnavailable") {
    std::fprintf(stderr, "  Give --julia PATH (or set JULIA, or put julia >= 1.5 on PATH).\n");
    return 2;
  }
  if (e.code == "storeFailed") {
    std::fprintf(stderr, "  Give --state-dir DIR (or set SYSIMAGE_SERVER_STATE_DIR) to a writable directory.\n");
    return 2;
  }
  return 1;
}

void printJson(const nlohmann::json& j) { std::printf("%s\n", j.dump(2).c_str()); }

std::string bar(unsigned percentage) {
  const int width = 30;
  const int filled = static_cast<int>(percentage) * width / 100;
  return "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]";
}

void printStatus(const service::ProjectStatus& s) {
  std::printf("project     %s (%s)\n", s.name.c_str(), s.project.c_str());
  if (!s.julia.error.empty()) {
    std::printf("julia       unavailable: %s\n", s.julia.error.c_str());
    return;
  }
  std::printf("julia       %s (%s)\n", s.julia.version.c_str(), s.julia.path.c_str());
  std::printf("statements  %zu recorded, %zu new since the last build, %zu non-portable, %zu excluded\n",
              s.statements.total, s.statements.newSinceBuild, s.statements.nonPortable, s.statements.excluded);
  if (s.statements.outsideProject > 0) {
    std::string modules;
    for (const auto& m : s.statements.outsideModules) {
      modules += (modules.empty() ? "" : ", ") + m.module + " " + std::to_string(m.statements);
    }
    std::printf("            %zu left out of builds, naming modules outside the project: %s\n",
                s.statements.outsideProject, modules.c_str());
  }
  if (!s.traceFile.empty()) std::printf("trace file  %s\n", s.traceFile.c_str());
  std::printf("sysimage    %s\n", s.staleness.state.c_str());
  for (const auto& r : s.staleness.reasons) std::printf("            - %s\n", r.c_str());
  if (s.image) {
    std::printf("image       %s\n            built %s in %.0f s, %zu statements, cpu target %s%s\n", s.image->path.c_str(),
                s.image->builtAt.c_str(), s.image->buildSeconds, s.image->statements, s.image->cpuTarget.c_str(),
                s.image->usable ? "" : " (not used)");
    if (s.image->ttfx && s.image->ttfx->withImage) {
      std::printf("ttfx        %.2f s without, %.2f s with the image (bare julia %.2f s)\n",
                  s.image->ttfx->withoutImage.median, s.image->ttfx->withImage->median, s.image->ttfx->bare.median);
    }
  }
  for (const auto* e : {&s.staleness.manifestError, &s.staleness.projectError, &s.staleness.configError}) {
    if (*e) std::printf("error       %s:%d:%d: %s\n", (*e)->file.c_str(), (*e)->line, (*e)->column, (*e)->message.c_str());
  }
  std::printf("store       %s%s\n", s.storeDir.c_str(), s.storeDegraded ? (" (cannot be written: " + s.storeError + ")").c_str() : "");
  for (const auto& w : s.warnings) std::printf("warning     %s\n", w.c_str());
}

}  // namespace

void addBuildOptions(CLI::App& cmd, ProjectCommandOptions& o) {
  addCommon(cmd, o);
  cmd.add_option("--cpu-target", o.cpuTarget, "native (default), portable, or an LLVM CPU target string");
  cmd.add_option("--backend", o.backend, "auto, native or packagecompiler")
      ->check(CLI::IsMember({"auto", "native", "packagecompiler"}));
  cmd.add_flag("--force", o.force, "Build even when the inputs are unchanged");
  cmd.add_flag("--measure", o.measure, "Measure TTFX with and without the new image");
}

void addStatusOptions(CLI::App& cmd, ProjectCommandOptions& o) {
  addCommon(cmd, o);
  cmd.add_flag("--json", o.json, "Print the status as one JSON object, the sysimage/status result");
}

void addBenchOptions(CLI::App& cmd, ProjectCommandOptions& o) {
  addCommon(cmd, o);
  cmd.add_option("--workload", o.workload, "Julia file to time (default: the project's execution files, else a "
                                           "replay of its statements)");
  cmd.add_option("--runs", o.runs, "Runs per variant")->check(CLI::Range(1, 100))->capture_default_str();
  cmd.add_flag("--json", o.json, "Print the measurement as one JSON object, the sysimage/measure result");
}

int runBuild(const ProjectCommandOptions& o) {
  int code = 1;
  const auto project = projectOf(o, code);
  if (!project) return code;
  Runner r(o);
  const bool tty = ::isatty(STDOUT_FILENO);
  service::BuildOptions options;
  if (!o.cpuTarget.empty()) options.cpuTarget = o.cpuTarget;
  if (!o.backend.empty()) options.backend = o.backend;
  options.force = o.force;
  options.measure = o.measure;
  boost::asio::signal_set signals(r.io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    std::fprintf(stderr, "\ncancelling the build...\n");
    r.service.cancelBuild(project);
  });
  std::string lastLine;
  auto finish = [&](int exitCode) {
    code = exitCode;
    signals.cancel();
    r.finish();
  };
  r.service.build(
      project, options,
      [&](const service::BuildProgressUpdate& u) {
        char line[256];
        std::snprintf(line, sizeof line, "%s %3u%%  %s", bar(u.percentage).c_str(), u.percentage, u.message.c_str());
        if (tty) {
          std::printf("\r\033[2K%s", line);
          std::fflush(stdout);
        } else if (u.message != lastLine) {
          std::printf("%3u%%  %s\n", u.percentage, u.message.c_str());
          std::fflush(stdout);
        }
        lastLine = u.message;
      },
      [&](service::Result<service::BuildResult> result) {
        if (tty) std::printf("\r\033[2K");
        if (auto* b = std::get_if<service::BuildResult>(&result)) {
          if (b->cached) {
            std::printf("sysimage is up to date: %s\n", b->image.c_str());
          } else {
            std::printf("%s 100%%  built %s in %.1f s (%zu statements replayed, %zu failed, backend %s)\n",
                        bar(100).c_str(), b->image.c_str(), b->durationSeconds, b->statementsOk, b->statementsFailed,
                        b->backend.c_str());
          }
          if (b->measurement && b->measurement->withImage) {
            std::printf("TTFX: %.2f s without, %.2f s with the image (%.1fx)\n", b->measurement->withoutImage.median,
                        b->measurement->withImage->median, b->measurement->speedup);
          }
          finish(0);
          return;
        }
        const auto& e = std::get<service::ServiceError>(result);
        if (e.code == "cancelled") {
          std::fprintf(stderr, "build cancelled; nothing was published (the previous image stays in use)\n");
          finish(130);
          return;
        }
        const int failure = reportError("build failed", e);
        for (const auto& l : e.logTail) std::fprintf(stderr, "  | %s\n", l.c_str());
        if (e.buildId.empty()) {
          finish(failure);
          return;
        }
        // Where the whole log is: the service keeps it (sysimage/buildLog).
        r.service.buildLog(project, e.buildId, [&, failure](service::Result<service::BuildLog> log) {
          if (auto* l = std::get_if<service::BuildLog>(&log)) std::fprintf(stderr, "full log: %s\n", l->path.c_str());
          finish(failure);
        });
      });
  r.io.run();
  return code;
}

int runStatus(const ProjectCommandOptions& o) {
  int code = 0;
  const auto project = projectOf(o, code);
  if (!project) return code;
  Runner r(o);
  r.service.status(project, [&](service::Result<service::ProjectStatus> result) {
    if (auto* e = std::get_if<service::ServiceError>(&result)) {
      code = reportError("cannot read the status", *e);
    } else {
      const auto& s = std::get<service::ProjectStatus>(result);
      // --json: exactly the sysimage/status result, through the protocol's own serializer.
      if (o.json) printJson(lsp::toProtocol(s));
      else printStatus(s);
      if (!s.julia.error.empty()) code = reportError("Julia cannot be used", service::ServiceError{"juliaUnavailable", s.julia.error});
    }
    r.finish();
  });
  r.io.run();
  return code;
}

int runBench(const ProjectCommandOptions& o) {
  int code = 1;
  const auto project = projectOf(o, code);
  if (!project) return code;
  std::optional<fs::path> workload;
  if (!o.workload.empty()) workload = fs::absolute(o.workload);
  Runner r(o);
  // Ctrl-C stops the Julia process being timed and ends the command.
  platform::CancellationSource cancel;
  boost::asio::signal_set signals(r.io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) cancel.cancel();
  });
  auto finish = [&](int exitCode) {
    code = exitCode;
    signals.cancel();
    r.finish();
  };
  r.service.measure(project, workload, o.runs, [&](service::Result<service::Measurement> result) {
    if (auto* e = std::get_if<service::ServiceError>(&result)) {
      if (e->code == "cancelled") {
        std::fprintf(stderr, "measurement cancelled\n");
        finish(130);
      } else {
        finish(reportError("measurement failed", *e));
      }
      return;
    }
    const auto& m = std::get<service::Measurement>(result);
    if (o.json) {  // exactly the sysimage/measure result
      printJson(lsp::toProtocol(m));
      finish(0);
      return;
    }
    std::printf("workload: %s (%d runs each, seconds of wall time per fresh process)\n", m.workload.c_str(), m.runs);
    std::printf("%-28s %8s %8s %8s\n", "", "median", "min", "max");
    auto row = [](const char* name, const service::Timing& t) {
      std::printf("%-28s %8.3f %8.3f %8.3f\n", name, t.median, t.min, t.max);
    };
    row("julia -e 0", m.bare);
    row("workload, default sysimage", m.withoutImage);
    if (m.withImage) {
      row("workload, project sysimage", *m.withImage);
      std::printf("speedup: %.2fx (image %s)\n", m.speedup, m.image.c_str());
    } else {
      std::printf("(no usable sysimage yet: build one with `sysimage-server build`)\n");
    }
    finish(0);
  }, cancel.token());
  r.io.run();
  return code;
}

}  // namespace sysimage::app

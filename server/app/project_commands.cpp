// `sysimage-server build | status | bench`: the service on a private event loop, driven from the CLI.
#include "server/app/project_commands.h"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <iostream>

#include "server/service/sysimage_service.h"

namespace sysimage::app {
namespace fs = std::filesystem;

namespace {

void addCommon(CLI::App& cmd, ProjectCommandOptions& o) {
  cmd.add_option("--project", o.project, "Project directory (default: the project holding the working directory)");
  cmd.add_option("--state-dir", o.stateDir, "State directory (as for serve)");
  cmd.add_option("--julia", o.julia, "Julia executable");
}

/// The service on an io_context of its own, for one command.
struct Runner {
  boost::asio::io_context io;
  service::SysimageService service;
  explicit Runner(const ProjectCommandOptions& o)
      : service([this](std::function<void()> task) { boost::asio::post(io, std::move(task)); },
                service::SysimageService::Options{o.stateDir.empty() ? std::nullopt : std::optional(o.stateDir),
                                                  o.julia.empty() ? std::nullopt : std::optional(o.julia)}) {}
};

std::optional<fs::path> projectOf(const ProjectCommandOptions& o) {
  return o.project.empty() ? fs::current_path() : fs::path(o.project);
}

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
  if (s.staleness.manifestError) {
    const auto& e = *s.staleness.manifestError;
    std::printf("manifest    %s:%d:%d: %s\n", e.file.c_str(), e.line, e.column, e.message.c_str());
  }
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
  cmd.add_flag("--json", o.json, "Print the status as JSON fields, one per line");
}

void addBenchOptions(CLI::App& cmd, ProjectCommandOptions& o) {
  addCommon(cmd, o);
  cmd.add_option("--workload", o.workload, "Julia file to time (default: the project's execution files, else a "
                                           "replay of its statements)");
  cmd.add_option("--runs", o.runs, "Runs per variant")->check(CLI::Range(1, 100))->capture_default_str();
}

int runBuild(const ProjectCommandOptions& o) {
  Runner r(o);
  const bool tty = ::isatty(STDOUT_FILENO);
  int code = 1;
  service::BuildOptions options;
  if (!o.cpuTarget.empty()) options.cpuTarget = o.cpuTarget;
  if (!o.backend.empty()) options.backend = o.backend;
  options.force = o.force;
  options.measure = o.measure;
  const auto project = projectOf(o);
  boost::asio::signal_set signals(r.io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    std::fprintf(stderr, "\ncancelling the build...\n");
    r.service.cancelBuild(project);
  });
  std::string lastLine;
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
          code = 0;
        } else {
          const auto& e = std::get<service::ServiceError>(result);
          if (e.code == "cancelled") {
            std::fprintf(stderr, "build cancelled; nothing was published\n");
            code = 130;
          } else {
            std::fprintf(stderr, "build failed: %s\n", e.message.c_str());
            for (const auto& l : e.logTail) std::fprintf(stderr, "  | %s\n", l.c_str());
            if (!e.buildId.empty()) std::fprintf(stderr, "full log: sysimage-server log of build %s\n", e.buildId.c_str());
            code = e.code == "juliaUnavailable" || e.code == "storeFailed" ? 2 : 1;
          }
        }
        signals.cancel();
        r.io.stop();
      });
  r.io.run();
  return code;
}

int runStatus(const ProjectCommandOptions& o) {
  Runner r(o);
  int code = 0;
  r.service.status(projectOf(o), [&](service::Result<service::ProjectStatus> result) {
    if (auto* e = std::get_if<service::ServiceError>(&result)) {
      std::fprintf(stderr, "%s\n", e->message.c_str());
      code = 2;
    } else {
      const auto& s = std::get<service::ProjectStatus>(result);
      if (o.json) {
        std::printf("project=%s\nstate=%s\nstatements=%zu\nnewSinceBuild=%zu\nimage=%s\njulia=%s\n", s.project.c_str(),
                    s.staleness.state.c_str(), s.statements.total, s.statements.newSinceBuild,
                    s.image ? s.image->path.c_str() : "", s.julia.version.c_str());
      } else {
        printStatus(s);
      }
      if (!s.julia.error.empty()) code = 2;
    }
    r.io.stop();
  });
  r.io.run();
  return code;
}

int runBench(const ProjectCommandOptions& o) {
  Runner r(o);
  int code = 1;
  std::optional<fs::path> workload;
  if (!o.workload.empty()) workload = fs::absolute(o.workload);
  r.service.measure(projectOf(o), workload, o.runs, [&](service::Result<service::Measurement> result) {
    if (auto* e = std::get_if<service::ServiceError>(&result)) {
      std::fprintf(stderr, "measurement failed: %s\n", e->message.c_str());
    } else {
      const auto& m = std::get<service::Measurement>(result);
      std::printf("workload: %s (%d runs each, seconds of wall time per fresh process)\n", m.workload.c_str(), m.runs);
      std::printf("%-28s %8s %8s %8s\n", "", "median", "min", "max");
      auto row = [](const char* name, const service::Timing& t) {
        std::printf("%-28s %8.3f %8.3f %8.3f\n", name, t.median, t.min, t.max);
      };
      row("julia -e 0", m.bare);
      row("workload, default sysimage", m.withoutImage);
      if (m.withImage) {
        row("workload, project sysimage", *m.withImage);
        std::printf("speedup: %.2fx\n", m.speedup);
      } else {
        std::printf("(no usable sysimage yet: build one with `sysimage-server build`)\n");
      }
      code = 0;
    }
    r.io.stop();
  });
  r.io.run();
  return code;
}

}  // namespace sysimage::app

// sysimage-server: command line entry point (serve, and the terminal subcommands).
#include <CLI/CLI.hpp>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>

#include "server/app/project_commands.h"
#include "server/app/record_command.h"
#include "server/app/serve_command.h"

namespace {

void setUpLogging(const std::string& logFile, const std::string& level) {
  // Logs never go to stdout: in stdio mode stdout carries the protocol.
  std::shared_ptr<spdlog::logger> logger;
  if (logFile.empty()) {
    logger = spdlog::stderr_color_mt("sysimage-server");
  } else {
    logger = spdlog::basic_logger_mt("sysimage-server", logFile);
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%^%l%$] %v");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Julia Sysimage Server: records what Julia compiles, builds sysimages in the background, "
               "and tells the editor when to use or rebuild them.",
               "sysimage-server"};
  app.set_version_flag("--version", std::string("sysimage-server ") + SYSIMAGE_SERVER_VERSION);
  app.require_subcommand(0, 1);

  std::string logFile;
  std::string logLevel = "info";
  app.add_option("--log-file", logFile, "Write logs to this file instead of stderr");
  app.add_option("--log-level", logLevel, "Log level")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "warning", "error", "critical", "off"}))
      ->capture_default_str();

  sysimage::app::ServeOptions serve;
  auto* serveCmd = app.add_subcommand("serve", "Serve editors over JSON-RPC (the default): stdio, or --listen sockets");
  sysimage::app::addServeOptions(*serveCmd, serve);
  // Options of `serve` are also accepted without the subcommand name.
  sysimage::app::addServeOptions(app, serve);

  sysimage::app::RecordOptions record;
  auto* recordCmd = app.add_subcommand(
      "record", "Run a Julia command line with --trace-compile and add what it compiles to the project's statements");
  sysimage::app::addRecordOptions(*recordCmd, record);

  sysimage::app::ProjectCommandOptions projectOptions;
  auto* buildCmd = app.add_subcommand("build", "Build the project's sysimage (progress bar on a terminal, lines when piped)");
  sysimage::app::addBuildOptions(*buildCmd, projectOptions);
  auto* statusCmd = app.add_subcommand("status", "Show the project's recorded statements, sysimage and staleness");
  sysimage::app::addStatusOptions(*statusCmd, projectOptions);
  auto* benchCmd = app.add_subcommand("bench", "Measure TTFX with and without the project's sysimage");
  sysimage::app::addBenchOptions(*benchCmd, projectOptions);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; a usage error exits 2 (CLI11 prints what was wrong on stderr).
    return app.exit(e) == 0 ? 0 : 2;
  }
  // A wrapper around Julia should not chatter on the terminal unless asked to.
  const bool terminalCommand = recordCmd->parsed() || buildCmd->parsed() || statusCmd->parsed() || benchCmd->parsed();
  if (terminalCommand && app.get_option("--log-level")->count() == 0) logLevel = "warn";
  setUpLogging(logFile, logLevel);
  if (recordCmd->parsed()) return sysimage::app::runRecord(record);
  if (buildCmd->parsed()) return sysimage::app::runBuild(projectOptions);
  if (statusCmd->parsed()) return sysimage::app::runStatus(projectOptions);
  if (benchCmd->parsed()) return sysimage::app::runBench(projectOptions);
  return sysimage::app::runServe(serve);
}

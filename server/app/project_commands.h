// `sysimage-server build | status | bench`: the service driven from a terminal, CI or Docker
// (no editor, no JSON-RPC): one project, progress on the terminal, an exit code.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace sysimage::app {

struct ProjectCommandOptions {
  std::string project;   ///< project directory (default: the working directory's project)
  std::string stateDir;  ///< as `serve --state-dir`
  std::string julia;     ///< Julia executable (else JULIA, PATH, project-local runtime)
  // build
  std::string cpuTarget;
  std::string backend;
  bool force = false;
  bool measure = false;
  // bench
  std::string workload;
  int runs = 5;
  // status, bench
  bool json = false;  ///< print the protocol's JSON object instead of text
};

void addBuildOptions(CLI::App& cmd, ProjectCommandOptions& options);
void addStatusOptions(CLI::App& cmd, ProjectCommandOptions& options);
void addBenchOptions(CLI::App& cmd, ProjectCommandOptions& options);

/// Builds the project's sysimage: a progress bar on a terminal, plain lines when piped.
/// Returns 0 on success (also when the image was already up to date), 1 when the build failed
/// (the last log lines and the log's path on stderr), 130 when interrupted (SIGINT/SIGTERM: the
/// build is cancelled, nothing is published), 2 when the project directory does not exist or
/// Julia or the state directory cannot be used.
int runBuild(const ProjectCommandOptions& options);
/// Prints the project's status; `--json`: one JSON object, exactly the `sysimage/status` result
/// (docs/protocol.md). Returns 0; 2 when the project directory does not exist or Julia or the
/// state directory cannot be used (the status is still printed when there is one).
int runStatus(const ProjectCommandOptions& options);
/// Measures TTFX with and without the image and prints a table; `--json`: one JSON object, exactly
/// the `sysimage/measure` result. Returns 0; 1 when the workload fails or does not exist; 2 as for
/// runStatus.
int runBench(const ProjectCommandOptions& options);

}  // namespace sysimage::app

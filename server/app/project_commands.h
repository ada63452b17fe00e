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
  // status
  bool json = false;
};

void addBuildOptions(CLI::App& cmd, ProjectCommandOptions& options);
void addStatusOptions(CLI::App& cmd, ProjectCommandOptions& options);
void addBenchOptions(CLI::App& cmd, ProjectCommandOptions& options);

/// Builds the project's sysimage: a progress bar on a terminal, plain lines when piped.
/// Returns 0 on success (also when the image was already up to date), 1 when the build failed,
/// 130 when interrupted, 2 when Julia or the store cannot be used.
int runBuild(const ProjectCommandOptions& options);
/// Prints the project's status (`--json`: the sysimage/status JSON). Returns 0, or 2 without Julia.
int runStatus(const ProjectCommandOptions& options);
/// Measures TTFX with and without the image and prints a table. Returns 0, 1 on failure.
int runBench(const ProjectCommandOptions& options);

}  // namespace sysimage::app

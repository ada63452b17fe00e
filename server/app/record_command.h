// `sysimage-server record [--project P] -- julia [args…]`: runs any Julia command line with
// --trace-compile added and feeds what it compiles into the project's statement store.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace sysimage::app {

struct RecordOptions {
  std::string project;                 ///< project directory; default: --project=… of the command, else the cwd's
  std::string stateDir;                ///< as `serve --state-dir`
  std::vector<std::string> command;    ///< the Julia executable, then its arguments
};

void addRecordOptions(CLI::App& cmd, RecordOptions& options);

/// Runs the command; returns Julia's exit code (128 + signal when it was killed), or 2 when the
/// command could not be started or the store could not be opened.
int runRecord(const RecordOptions& options);

}  // namespace sysimage::app

// `sysimage-server serve`: options and entry point.
#pragma once

#include <CLI/CLI.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace sysimage::app {

struct ServeOptions {
  std::vector<std::string> listen;           ///< `tcp:127.0.0.1:PORT` / `unix:PATH`; empty means stdio
  std::string tokenFile;                     ///< TCP access token: read from here if it exists, else written here
  std::size_t maxMessageBytes = 64u << 20;   ///< frames above this are refused
  std::string stateDir;                      ///< overrides SYSIMAGE_SERVER_STATE_DIR and the default
  std::string julia;                         ///< Julia executable (else settings, JULIA, PATH, project runtime)
};

/// Adds the serve options to `cmd` (the `serve` subcommand, and the top level for `sysimage-server --listen …`).
void addServeOptions(CLI::App& cmd, ServeOptions& options);

/// Runs the server; returns the process exit code (2 for a bad address, token file or bind error).
/// With a TCP listener it prints `token file PATH` and `listening on tcp:HOST:PORT?token=TOKEN` on
/// stdout (the token file is written first), and removes the default token files it wrote at exit
/// (a file given by --token-file is kept, for reuse).
int runServe(const ServeOptions& options);

}  // namespace sysimage::app

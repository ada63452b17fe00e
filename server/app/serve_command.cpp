// `sysimage-server serve`: binds the transports, creates the TCP access token, and runs the sessions.
#include "server/app/serve_command.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <spdlog/spdlog.h>
#include <system_error>

#include "server/app/token_file.h"
#include "server/lsp/server_runner.h"
#include "server/lsp/sysimage_feature.h"

namespace sysimage::app {
namespace fs = std::filesystem;

void addServeOptions(CLI::App& cmd, ServeOptions& options) {
  cmd.add_option("--listen", options.listen,
                 "Listen for clients instead of using stdio: tcp:127.0.0.1:PORT (loopback only; port 0 picks one "
                 "and prints it; clients must present the access token) or unix:PATH (mode 0600). May be repeated.");
  cmd.add_option("--token-file", options.tokenFile,
                 "TCP access token file: read the token from it when it exists (mode 0600), else write a new one "
                 "there (default: a new token in $XDG_RUNTIME_DIR/sysimage-server/tcp-HOST-PORT.token, else under "
                 "$XDG_STATE_HOME or ~/.local/state)");
  cmd.add_option("--max-message-bytes", options.maxMessageBytes, "Largest accepted message body, in bytes")
      ->capture_default_str();
  cmd.add_option("--state-dir", options.stateDir,
                 "Where recorded statements and sysimages live (default: $SYSIMAGE_SERVER_STATE_DIR, else "
                 "<first depot>/sysimage-server)");
  cmd.add_option("--julia", options.julia, "Julia executable to use unless the client sets one");
}

namespace {

/// The token of the TCP listeners: read from `--token-file` when that file exists, else new.
/// `writeGiven` is set when the token still has to be written to that file.
std::shared_ptr<const transport::AccessToken> tcpToken(const ServeOptions& options, bool& writeGiven) {
  std::error_code ec;
  if (!options.tokenFile.empty() && fs::exists(fs::symlink_status(options.tokenFile, ec))) {
    writeGiven = false;
    return std::make_shared<const transport::AccessToken>(readTokenFile(options.tokenFile));
  }
  writeGiven = !options.tokenFile.empty();
  return std::make_shared<const transport::AccessToken>(transport::AccessToken::generate());
}

}  // namespace

int runServe(const ServeOptions& options) {
  lsp::RunOptions run;
  run.limits.maxBodyBytes = options.maxMessageBytes;
  bool tcp = false;
  try {
    for (const auto& text : options.listen) {
      run.listen.push_back(transport::parseListenAddress(text));
      tcp = tcp || run.listen.back().kind == transport::ListenAddress::Kind::Tcp;
    }
  } catch (const transport::ListenAddressError& e) {
    std::cerr << "sysimage-server: " << e.what() << "\n";
    return 2;
  }
  if (!options.tokenFile.empty() && !tcp) {
    std::cerr << "sysimage-server: --token-file is for TCP listeners (--listen tcp:…); stdio and Unix sockets need no token\n";
    return 2;
  }
  bool writeGiven = false;
  try {
    if (tcp) run.tcpToken = tcpToken(options, writeGiven);
    if (writeGiven) writeTokenFile(options.tokenFile, *run.tcpToken, false);
  } catch (const std::exception& e) {
    std::cerr << "sysimage-server: " << e.what() << "\n";
    return 2;
  }

  std::vector<fs::path> written;  // default token files, removed again at exit
  run.onListening = [&](const transport::ListenAddress& address) {
    if (address.kind == transport::ListenAddress::Kind::Tcp) {
      fs::path file = options.tokenFile;
      if (file.empty()) {
        file = defaultTokenFile(address);
        writeTokenFile(file, *run.tcpToken, true);  // TokenFileError ends runServer (exit code 2)
        written.push_back(file);
      }
      // Scripts and editors read these lines: the token file first, so that it exists once the
      // address is printed. The token is printed only here, never logged.
      std::printf("token file %s\n", file.c_str());
      std::printf("listening on %s?token=%s\n", transport::formatListenAddress(address).c_str(),
                  run.tcpToken->text().c_str());
    } else {
      std::printf("listening on %s\n", transport::formatListenAddress(address).c_str());
    }
    std::fflush(stdout);
  };
  boost::asio::io_context io;
  auto services = lsp::makeSysimageServices(io, lsp::ServiceOptions{options.stateDir, options.julia});
  int code = 2;
  try {
    code = lsp::runServer(io, run, lsp::sysimageFeatureFactory(services));
  } catch (const std::exception& e) {  // bind errors, token file errors
    std::cerr << "sysimage-server: " << e.what() << "\n";
  }
  // Handlers still queued in `io` may hold sessions (and so the services) until `io` goes: release
  // every loop resource and stop the platform loop now, while `io` can still take its posts.
  services->shutdown();
  std::error_code ignored;
  for (const auto& file : written) fs::remove(file, ignored);
  return code;
}

}  // namespace sysimage::app

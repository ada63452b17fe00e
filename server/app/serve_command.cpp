// `sysimage-server serve`: binds the transports and runs the sessions.
#include "server/app/serve_command.h"

#include <cstdio>
#include <iostream>
#include <spdlog/spdlog.h>

#include "server/lsp/server_runner.h"
#include "server/lsp/sysimage_feature.h"

namespace sysimage::app {

void addServeOptions(CLI::App& cmd, ServeOptions& options) {
  cmd.add_option("--listen", options.listen,
                 "Listen for clients instead of using stdio: tcp:127.0.0.1:PORT (loopback only; port 0 picks one "
                 "and prints it) or unix:PATH (mode 0600). May be repeated.");
  cmd.add_option("--max-message-bytes", options.maxMessageBytes, "Largest accepted message body, in bytes")
      ->capture_default_str();
  cmd.add_option("--state-dir", options.stateDir,
                 "Where recorded statements and sysimages live (default: $SYSIMAGE_SERVER_STATE_DIR, else "
                 "<first depot>/sysimage-server)");
  cmd.add_option("--julia", options.julia, "Julia executable to use unless the client sets one");
}

int runServe(const ServeOptions& options) {
  lsp::RunOptions run;
  run.limits.maxBodyBytes = options.maxMessageBytes;
  try {
    for (const auto& text : options.listen) run.listen.push_back(transport::parseListenAddress(text));
  } catch (const transport::ListenAddressError& e) {
    std::cerr << "sysimage-server: " << e.what() << "\n";
    return 2;
  }
  run.onListening = [](const transport::ListenAddress& address) {
    // Scripts and editors read this line to learn the port.
    std::printf("listening on %s\n", transport::formatListenAddress(address).c_str());
    std::fflush(stdout);
  };
  boost::asio::io_context io;
  auto services = lsp::makeSysimageServices(io, lsp::ServiceOptions{options.stateDir, options.julia});
  int code = 2;
  try {
    code = lsp::runServer(io, run, lsp::sysimageFeatureFactory(services));
  } catch (const std::system_error& e) {
    std::cerr << "sysimage-server: " << e.what() << "\n";
  }
  // Handlers still queued in `io` may hold sessions (and so the services) until `io` goes: release
  // every loop resource and stop the platform loop now, while `io` can still take its posts.
  services->shutdown();
  return code;
}

}  // namespace sysimage::app

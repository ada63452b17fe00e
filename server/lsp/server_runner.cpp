// The main loop: stdio session or socket listeners, and signal handling.
#include "server/lsp/server_runner.h"

#include <csignal>
#include <set>
#include <stdexcept>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include "server/transport/transports.h"

namespace sysimage::lsp {

int runServer(boost::asio::io_context& io, const RunOptions& options, const FeatureFactory& features) {
  std::signal(SIGPIPE, SIG_IGN);  // a client that goes away must not kill the server mid-write
  int exitCode = 0;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    spdlog::info("signal {} received; stopping", signo);
    exitCode = options.listen.empty() ? 1 : 0;
    io.stop();
  });

  std::set<std::shared_ptr<Session>> sessions;
  if (options.listen.empty()) {
    auto endpoint = std::make_shared<Endpoint>(io, transport::makeStdioConnection(io, options.limits));
    auto session = std::make_shared<Session>(io, endpoint, [&](int code) {
      exitCode = code;
      io.stop();
    });
    sessions.insert(session);
    session->start(features);
    spdlog::info("serving one client on stdio");
    io.run();
    return exitCode;
  }

  std::vector<std::unique_ptr<transport::Listener>> listeners;
  for (const auto& address : options.listen) {
    SessionOptions sessionOptions;
    if (address.kind == transport::ListenAddress::Kind::Tcp) {
      // Any local user can reach a loopback port: never serve TCP without the token.
      if (!options.tcpToken) throw std::invalid_argument("listening on TCP needs an access token");
      sessionOptions.requiredToken = options.tcpToken;
    }
    listeners.push_back(transport::listen(io, address, options.limits, [&, sessionOptions](std::shared_ptr<transport::Connection> c) {
      spdlog::info("new client: {}", c->describe());
      auto endpoint = std::make_shared<Endpoint>(io, std::move(c));
      auto self = std::make_shared<std::weak_ptr<Session>>();
      auto session = std::make_shared<Session>(io, endpoint, [&sessions, &io, self](int code) {
        spdlog::info("session ended with code {}", code);
        // Drop the session after the current callback has unwound.
        boost::asio::post(io, [&sessions, self] {
          if (auto s = self->lock()) sessions.erase(s);
        });
      }, sessionOptions);
      *self = session;
      sessions.insert(session);
      session->start(features);
    }));
    const auto bound = listeners.back()->address();
    spdlog::info("listening on {}", transport::formatListenAddress(bound));
    if (options.onListening) options.onListening(bound);
  }
  io.run();
  for (auto& l : listeners) l->stop();
  return exitCode;
}

}  // namespace sysimage::lsp

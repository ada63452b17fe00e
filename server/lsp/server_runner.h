// Runs sessions on the main event loop: one over stdio, or one per client of the listeners.
#pragma once

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "server/lsp/session.h"
#include "server/transport/listen_address.h"
#include "sysimage/protocol/framing.h"

namespace sysimage::lsp {

struct RunOptions {
  protocol::FramingLimits limits;
  /// Empty: serve one client over stdio. Otherwise listen on each address, one session per client.
  std::vector<transport::ListenAddress> listen;
  /// Required when `listen` has a TCP address: every TCP session must present it (SessionOptions).
  std::shared_ptr<const transport::AccessToken> tcpToken;
  /// Called with each bound address (the real port for port 0) before serving, e.g. to print it.
  std::function<void(const transport::ListenAddress&)> onListening;
};

/// Serves until the stdio session exits (returns its exit code: 0 after shutdown+exit, else 1) or,
/// in listen mode, until SIGINT/SIGTERM (returns 0). Errors: std::system_error when an address
/// cannot be bound; std::invalid_argument for a TCP address without `tcpToken`.
int runServer(boost::asio::io_context& io, const RunOptions& options, const FeatureFactory& features);

}  // namespace sysimage::lsp

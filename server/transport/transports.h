// The concrete transports: stdio (VS Code), and TCP / Unix socket listeners (Neovim, scripts).
#pragma once

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>

#include "server/transport/connection.h"
#include "server/transport/listen_address.h"

namespace sysimage::transport {

/// A connection on the process's stdin/stdout. Nothing else may write to stdout afterwards.
std::shared_ptr<Connection> makeStdioConnection(boost::asio::io_context& io, protocol::FramingLimits limits);

/// Accepts clients on one address and hands each new connection to `onAccept` (on the loop).
class Listener {
 public:
  virtual ~Listener() = default;
  /// The bound address (with the real port when 0 was asked for).
  virtual ListenAddress address() const = 0;
  /// Stops accepting (existing connections stay open). For unix sockets, removes the socket file.
  virtual void stop() = 0;
};

using AcceptHandler = std::function<void(std::shared_ptr<Connection>)>;

/// Binds and starts accepting. Errors: std::system_error with the address in the message (port in
/// use, permission denied, another server already on that Unix socket). A Unix socket is created
/// with mode 0600; a stale socket file left by a dead server is replaced.
std::unique_ptr<Listener> listen(boost::asio::io_context& io, const ListenAddress& address,
                                 protocol::FramingLimits limits, AcceptHandler onAccept);

}  // namespace sysimage::transport

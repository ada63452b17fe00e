// A framed, bidirectional message stream to one client (stdio, TCP or Unix socket).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "sysimage/protocol/framing.h"

namespace sysimage::transport {

/// What a connection reports to its owner. All calls happen on the main event loop.
class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  /// One complete frame body (JSON text, not yet parsed).
  virtual void onMessage(std::string body) = 0;
  /// A framing problem; the stream has already resynchronised (see protocol::FrameParser).
  virtual void onFrameError(const protocol::FrameError& error) = 0;
  /// The peer closed the stream or it failed; no more calls follow. `error` is empty on a clean EOF.
  virtual void onClosed(const std::string& error) = 0;
};

/// A message stream. Knows framing, not methods.
class Connection {
 public:
  virtual ~Connection() = default;
  /// Starts reading; `handler` must outlive the connection or until onClosed.
  virtual void start(ConnectionHandler* handler) = 0;
  /// Frames `body` and queues it; never blocks the event loop. Ignored after close().
  virtual void send(std::string body) = 0;
  /// Stops reading, writes what is queued, then closes the stream and calls `done` (also when the
  /// stream was already closed or a write fails).
  virtual void close(std::function<void()> done = {}) = 0;
  /// For logs: "stdio", "tcp 127.0.0.1:40123", "unix /run/x.sock".
  virtual std::string describe() const = 0;
};

}  // namespace sysimage::transport

// The JSON-RPC endpoint of one connection: parses frames, routes requests, notifications,
// responses and batches, and keeps the server's own outgoing requests with their timeouts.
#pragma once

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "server/lsp/reply.h"
#include "server/transport/connection.h"
#include "sysimage/protocol/jsonrpc.h"

namespace sysimage::lsp {

/// What the endpoint hands to the session above it. Called on the main loop.
class MessageHandler {
 public:
  virtual ~MessageHandler() = default;
  /// A request; answer through `reply` exactly once (now or later).
  virtual void onRequest(protocol::Request request, std::shared_ptr<ReplyOnce> reply) = 0;
  virtual void onNotification(protocol::Notification notification) = 0;
  /// The connection is gone (EOF, error, or close()).
  virtual void onDisconnected(const std::string& error) = 0;
};

/// Outcome of a request this server sent to the client.
struct ClientResponse {
  std::optional<json> result;
  std::optional<ResponseError> error;  ///< also set on timeout (RequestFailed) and disconnect
};

class Endpoint : public transport::ConnectionHandler, public std::enable_shared_from_this<Endpoint> {
 public:
  Endpoint(boost::asio::io_context& io, std::shared_ptr<transport::Connection> connection);
  ~Endpoint() override;

  /// Starts reading; `handler` must outlive the endpoint's connection.
  void start(MessageHandler* handler);

  void notify(std::string_view method, json params);
  /// Sends a request to the client; `onResponse` runs once: with the answer, or with an error
  /// after `timeout`, or when the connection closes.
  void call(std::string_view method, json params, std::function<void(ClientResponse)> onResponse,
            std::chrono::milliseconds timeout = std::chrono::seconds(30));
  /// Flushes queued output, closes the connection, then calls `done`.
  void close(std::function<void()> done = {});
  std::string describe() const { return connection_->describe(); }

  // transport::ConnectionHandler
  void onMessage(std::string body) override;
  void onFrameError(const protocol::FrameError& error) override;
  void onClosed(const std::string& error) override;

 private:
  struct Pending {
    std::function<void(ClientResponse)> callback;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };
  struct Batch;
  void send(const json& message);
  void handleMessage(protocol::Message message, const std::shared_ptr<Batch>& batch);
  void handleResponse(protocol::Response response);
  void failPending(const std::string& why);

  boost::asio::io_context& io_;
  std::shared_ptr<transport::Connection> connection_;
  MessageHandler* handler_ = nullptr;
  std::map<std::string, Pending> pending_;  // keyed by the dumped id
  long long nextId_ = 1;
  bool closed_ = false;
};

}  // namespace sysimage::lsp

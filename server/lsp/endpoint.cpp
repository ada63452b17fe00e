// JSON-RPC endpoint: routing of incoming messages and the server's outgoing requests.
#include "server/lsp/endpoint.h"

#include <spdlog/spdlog.h>

namespace sysimage::lsp {

/// Collects the responses of one batch so they go out as one array (JSON-RPC 2.0, "Batch").
struct Endpoint::Batch {
  std::weak_ptr<Endpoint> endpoint;
  json responses = json::array();
  std::size_t outstanding = 0;
  bool sealed = false;  // all elements dispatched
  void add(json response) {
    responses.push_back(std::move(response));
    --outstanding;
    flush();
  }
  void flush() {
    if (!sealed || outstanding > 0) return;
    if (auto ep = endpoint.lock(); ep && !responses.empty()) ep->send(responses);
    responses = json::array();
    sealed = false;  // sent once
  }
};

Endpoint::Endpoint(boost::asio::io_context& io, std::shared_ptr<transport::Connection> connection)
    : io_(io), connection_(std::move(connection)) {}

Endpoint::~Endpoint() { failPending("the server is shutting down"); }

void Endpoint::start(MessageHandler* handler) {
  handler_ = handler;
  connection_->start(this);
}

void Endpoint::send(const json& message) {
  if (closed_) return;
  connection_->send(protocol::dump(message));
}

void Endpoint::notify(std::string_view method, json params) { send(protocol::makeNotification(method, std::move(params))); }

void Endpoint::call(std::string_view method, json params, std::function<void(ClientResponse)> onResponse,
                    std::chrono::milliseconds timeout) {
  if (closed_) {
    onResponse(ClientResponse{std::nullopt, ResponseError{ErrorCode::RequestFailed, "client disconnected", std::nullopt}});
    return;
  }
  json id = "sysimage-" + std::to_string(nextId_++);
  const std::string key = protocol::dump(id);
  Pending pending{std::move(onResponse), std::make_unique<boost::asio::steady_timer>(io_, timeout)};
  pending.timer->async_wait([weak = weak_from_this(), key, method = std::string(method), timeout](const boost::system::error_code& ec) {
    if (ec) return;
    auto self = weak.lock();
    if (!self) return;
    auto it = self->pending_.find(key);
    if (it == self->pending_.end()) return;
    auto callback = std::move(it->second.callback);
    self->pending_.erase(it);
    spdlog::warn("client did not answer {} ({}) within {} ms", method, key, timeout.count());
    callback(ClientResponse{std::nullopt, ResponseError{ErrorCode::RequestFailed,
                                                        "the client did not answer " + method + " in time", std::nullopt}});
  });
  pending_.emplace(key, std::move(pending));
  send(protocol::makeRequest(id, method, std::move(params)));
}

void Endpoint::close(std::function<void()> done) {
  closed_ = true;
  connection_->close(std::move(done));
}

void Endpoint::onMessage(std::string body) {
  protocol::ParsedBody parsed = protocol::parseBody(body);
  std::shared_ptr<Batch> batch;
  if (parsed.batch) {
    batch = std::make_shared<Batch>();
    batch->endpoint = weak_from_this();
  }
  for (auto& message : parsed.messages) handleMessage(std::move(message), batch);
  if (batch) {
    batch->sealed = true;
    batch->flush();
  }
}

void Endpoint::handleMessage(protocol::Message message, const std::shared_ptr<Batch>& batch) {
  auto sink = [weak = weak_from_this(), batch](json response) {
    if (batch) {
      batch->add(std::move(response));
    } else if (auto self = weak.lock()) {
      self->send(response);
    }
  };
  if (auto* invalid = std::get_if<protocol::InvalidMessage>(&message)) {
    spdlog::warn("{}: {} ({})", describe(), invalid->error.message, protocol::errorCodeName(invalid->error.code));
    if (batch) ++batch->outstanding;
    sink(protocol::makeError(invalid->id, invalid->error));
  } else if (auto* request = std::get_if<protocol::Request>(&message)) {
    if (batch) ++batch->outstanding;
    auto reply = std::make_shared<ReplyOnce>(request->id, request->method, sink);
    if (handler_) handler_->onRequest(std::move(*request), std::move(reply));
  } else if (auto* notification = std::get_if<protocol::Notification>(&message)) {
    if (handler_) handler_->onNotification(std::move(*notification));
  } else {
    handleResponse(std::move(std::get<protocol::Response>(message)));
  }
}

void Endpoint::handleResponse(protocol::Response response) {
  auto it = pending_.find(protocol::dump(response.id));
  if (it == pending_.end()) {
    // Never answer a response (JSON-RPC 2.0): log and drop.
    spdlog::warn("{}: response with unknown id {} dropped", describe(), protocol::dump(response.id).substr(0, 80));
    return;
  }
  auto callback = std::move(it->second.callback);
  it->second.timer->cancel();
  pending_.erase(it);
  callback(ClientResponse{std::move(response.result), std::move(response.error)});
}

void Endpoint::onFrameError(const protocol::FrameError& error) {
  spdlog::warn("{}: framing error: {} (skipped {} bytes)", describe(), error.message, error.skippedBytes);
  // The spec has no frame-level error; the closest answer is a ParseError with a null id.
  if (error.kind != protocol::FrameError::Kind::TruncatedFrame) {
    send(protocol::makeError(nullptr, ResponseError{ErrorCode::ParseError, error.message, std::nullopt}));
  }
}

void Endpoint::onClosed(const std::string& error) {
  closed_ = true;
  failPending("client disconnected");
  if (handler_) handler_->onDisconnected(error);
}

void Endpoint::failPending(const std::string& why) {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [key, p] : pending) {
    if (p.timer) p.timer->cancel();
    p.callback(ClientResponse{std::nullopt, ResponseError{ErrorCode::RequestFailed, why, std::nullopt}});
  }
}

}  // namespace sysimage::lsp

// An in-memory transport::Connection for in-process tests: records every body the server sends and
// lets the test deliver client messages, frame errors and disconnects, all on the test's thread.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "server/transport/connection.h"
#include "sysimage/protocol/jsonrpc.h"

namespace sysimage::lsp::testing {

using protocol::json;

class TestConnection : public transport::Connection {
 public:
  // transport::Connection
  void start(transport::ConnectionHandler* handler) override { handler_ = handler; }
  void send(std::string body) override {
    if (!closed_) sent_.push_back(std::move(body));
  }
  /// Like StreamConnection with an empty write queue: closes at once, reports onClosed(""), then `done`.
  void close(std::function<void()> done) override {
    closed_ = true;
    if (auto* h = std::exchange(handler_, nullptr)) h->onClosed("");
    if (done) done();
  }
  std::string describe() const override { return "test"; }

  // The client side.
  /// Delivers one frame body, as if the client had sent it.
  void deliver(const std::string& body) {
    ASSERT_NE(handler_, nullptr) << "the connection is not started or already closed";
    handler_->onMessage(body);
  }
  void deliver(const json& message) { deliver(protocol::dump(message)); }
  void deliverFrameError(protocol::FrameError error) {
    ASSERT_NE(handler_, nullptr);
    handler_->onFrameError(error);
  }
  /// The client goes away (EOF when `error` is empty).
  void disconnect(const std::string& error = "") {
    closed_ = true;
    if (auto* h = std::exchange(handler_, nullptr)) h->onClosed(error);
  }

  /// Every body sent since the last take(), parsed.
  std::vector<json> take() {
    std::vector<json> out;
    for (auto& body : sent_) out.push_back(json::parse(body));
    sent_.clear();
    return out;
  }
  /// Sent bodies not yet taken, unparsed.
  const std::vector<std::string>& sent() const { return sent_; }
  bool closed() const { return closed_; }
  bool started() const { return handler_ != nullptr; }

 private:
  transport::ConnectionHandler* handler_ = nullptr;
  std::vector<std::string> sent_;
  bool closed_ = false;
};

/// Message builders for the client side.
inline json request(json id, const std::string& method, json params = nullptr) {
  return protocol::makeRequest(id, method, std::move(params));
}
inline json notification(const std::string& method, json params = nullptr) {
  return protocol::makeNotification(method, std::move(params));
}

/// The responses in `messages` whose id is `id`.
inline std::vector<json> responsesTo(const std::vector<json>& messages, const json& id) {
  std::vector<json> out;
  for (const auto& m : messages) {
    if (m.is_object() && !m.contains("method") && m.contains("id") && m["id"] == id) out.push_back(m);
  }
  return out;
}

/// Error code of a response (0 for a result).
inline int errorCode(const json& response) {
  return response.contains("error") ? response["error"]["code"].get<int>() : 0;
}

}  // namespace sysimage::lsp::testing

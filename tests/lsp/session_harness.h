// An Endpoint + Session over a TestConnection on a private io_context, and a SessionFeature whose
// handlers each test scripts. Drive it with deliver(...) and io.poll() / io.run_for(...).
#pragma once

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/io_context.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/lsp/session.h"
#include "test_connection.h"

namespace sysimage::lsp::testing {

/// Params of a scripted notification: whatever the client sent.
struct AnyParams {
  json raw;
};
inline void from_json(const json& j, AnyParams& p) { p.raw = j; }

/// A feature whose request handlers, notifications and commands are set by the test before the
/// session starts. Records the lifecycle callbacks it receives.
class ScriptedFeature : public SessionFeature {
 public:
  std::map<std::string, Bindings::RawRequestHandler> requests;
  std::map<std::string, CommandHandler> commands;
  std::string notificationMethod = "test/note";  ///< bound to note()
  std::vector<json> notes;                       ///< params of every test/note received
  std::weak_ptr<Session> session;

  int initializeCalls = 0, initializedCalls = 0, shutdownCalls = 0, disconnectedCalls = 0;
  std::optional<protocol::InitializeParams> initializeParams;
  std::vector<json> configurations;

  void bind(Bindings& bindings, std::map<std::string, CommandHandler>& out) override {
    for (const auto& [method, handler] : requests) bindings.requestRaw(method, handler);
    for (const auto& [name, handler] : commands) out[name] = handler;
    bindings.notification(notificationMethod, this, &ScriptedFeature::note);
  }
  void initialize(const protocol::InitializeParams& params) override {
    ++initializeCalls;
    initializeParams = params;
  }
  void initialized() override { ++initializedCalls; }
  void didChangeConfiguration(const json& settings) override { configurations.push_back(settings); }
  void shutdown() override { ++shutdownCalls; }
  void disconnected() override { ++disconnectedCalls; }

 private:
  void note(const AnyParams& params) { notes.push_back(params.raw); }
};

class SessionHarness {
 public:
  boost::asio::io_context io;
  std::shared_ptr<TestConnection> connection = std::make_shared<TestConnection>();
  std::shared_ptr<ScriptedFeature> feature = std::make_shared<ScriptedFeature>();
  std::shared_ptr<Endpoint> endpoint;
  std::shared_ptr<Session> session;
  std::optional<int> exitCode;
  int exitCalls = 0;

  explicit SessionHarness(SessionOptions options = {}) {
    endpoint = std::make_shared<Endpoint>(io, connection);
    session = std::make_shared<Session>(io, endpoint, [this](int code) {
      exitCode = code;
      ++exitCalls;
    }, std::move(options));
  }

  /// Binds the scripted feature and starts reading. Set feature->requests etc. before.
  void start() {
    session->start([this](const std::shared_ptr<Session>& s) {
      feature->session = s;
      return std::vector<std::shared_ptr<SessionFeature>>{feature};
    });
  }

  /// start(), then initialize (with `capabilities`) and initialized; returns the initialize response.
  json startInitialized(json capabilities = json::object()) {
    start();
    connection->deliver(request(0, "initialize", {{"processId", nullptr}, {"capabilities", std::move(capabilities)}}));
    connection->deliver(notification("initialized", json::object()));
    io.poll();
    auto sent = connection->take();
    EXPECT_EQ(sent.size(), 1u);
    return sent.empty() ? json() : sent.front();
  }

  /// Delivers `message`, runs ready handlers, returns what the server sent.
  std::vector<json> exchange(const json& message) {
    connection->deliver(message);
    return poll();
  }
  std::vector<json> poll() {
    io.restart();
    io.poll();
    return connection->take();
  }
};

}  // namespace sysimage::lsp::testing

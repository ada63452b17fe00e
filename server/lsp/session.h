// One client's session: LSP lifecycle, dispatch through the binding table, cancellation,
// server->client calls and progress. Features (the sysimage methods) plug in through SessionFeature.
#pragma once

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/lsp/bindings.h"
#include "server/lsp/client.h"
#include "server/lsp/endpoint.h"
#include "server/lsp/progress.h"
#include "server/transport/access_token.h"
#include "sysimage/protocol/lifecycle.h"
#include "sysimage/protocol/workspace.h"

namespace sysimage::lsp {

class Session;

/// `workspace/executeCommand` handlers: arguments array in, JSON result out.
using CommandHandler = std::function<void(const protocol::ExecuteCommandParams& params, std::shared_ptr<ReplyOnce> reply)>;

/// A feature served to one session (e.g. the sysimage methods). Every callback runs on the main loop.
class SessionFeature {
 public:
  virtual ~SessionFeature() = default;
  /// Registers request/notification handlers and `workspace/executeCommand` commands.
  virtual void bind(Bindings& bindings, std::map<std::string, CommandHandler>& commands) = 0;
  /// After `initialize` was accepted, before its result is sent.
  virtual void initialize(const protocol::InitializeParams&) {}
  virtual void initialized() {}
  virtual void didChangeWorkspaceFolders(const protocol::DidChangeWorkspaceFoldersParams&) {}
  virtual void didChangeConfiguration(const json& /*settings*/) {}
  virtual void shutdown() {}
  /// The session ends (exit, disconnect, or parent died).
  virtual void disconnected() {}
};

using FeatureFactory = std::function<std::vector<std::shared_ptr<SessionFeature>>(const std::shared_ptr<Session>&)>;

/// Who may use a session.
struct SessionOptions {
  /// Set for the sessions of TCP listeners: `initialize` must carry this token as
  /// `initializationOptions.token` (a string). Without it, or with another one, `initialize` gets
  /// an AccessDenied error, no feature's `initialize` runs and the connection is closed. Null for
  /// stdio and Unix sockets (mode 0600), which only the user can reach.
  std::shared_ptr<const transport::AccessToken> requiredToken;
};

class Session : public MessageHandler, public Client, public std::enable_shared_from_this<Session> {
 public:
  enum class State { Uninitialized, Initializing, Running, ShuttingDown, Exited };
  /// `onExit(code)` runs once when the session ends: 0 after shutdown+exit, 1 for exit without
  /// shutdown, a lost connection, or a dead parent process.
  /// The connection is flushed and closed before `onExit` runs.
  Session(boost::asio::io_context& io, std::shared_ptr<Endpoint> endpoint, std::function<void(int)> onExit,
          SessionOptions options = {});
  ~Session() override;

  /// Creates the features, binds all methods and starts reading.
  void start(const FeatureFactory& features);

  // Client
  void notify(std::string_view method, json params) override;
  void call(std::string_view method, json params, std::function<void(ClientResponse)> onResponse,
            std::chrono::milliseconds timeout = std::chrono::seconds(30)) override;
  const protocol::ClientCapabilities& capabilities() const override { return params_.capabilities; }

  /// Progress for a long request; `onCancel` runs when the client cancels it
  /// (window/workDoneProgress/cancel). See WorkDoneProgress for the token rules.
  std::shared_ptr<WorkDoneProgress> createProgress(std::string title, std::optional<protocol::ProgressToken> clientToken,
                                                   bool cancellable, std::function<void()> onCancel,
                                                   WorkDoneProgress::Fallback fallback = {});

  State state() const { return state_; }
  const protocol::InitializeParams& initializeParams() const { return params_; }
  const std::string& trace() const { return trace_; }
  std::string describe() const { return endpoint_->describe(); }
  boost::asio::io_context& io() { return io_; }

  // MessageHandler
  void onRequest(protocol::Request request, std::shared_ptr<ReplyOnce> reply) override;
  void onNotification(protocol::Notification notification) override;
  void onDisconnected(const std::string& error) override;

 private:
  void bindLifecycle();
  void onInitialize(const protocol::InitializeParams& params, Reply<json> reply);
  bool admit(const protocol::InitializeParams& params, Reply<json>& reply);
  void onShutdown(const NoParams&, Reply<std::nullptr_t> reply);
  void onExecuteCommand(const json& raw, const std::shared_ptr<ReplyOnce>& reply);
  void onInitialized(const NoParams&);
  void onExitNotification(const NoParams&);
  void onCancelRequest(const protocol::CancelParams& params);
  void onSetTrace(const protocol::SetTraceParams& params);
  void onDidChangeWorkspaceFolders(const protocol::DidChangeWorkspaceFoldersParams& params);
  void onDidChangeConfiguration(const protocol::DidChangeConfigurationParams& params);
  void onProgressCancel(const protocol::WorkDoneProgressTokenParams& params);
  void watchParent(int pid);
  void pollParent();
  void finish(int code);

  boost::asio::io_context& io_;
  std::shared_ptr<Endpoint> endpoint_;
  std::function<void(int)> onExit_;
  SessionOptions options_;
  Bindings bindings_;
  std::map<std::string, CommandHandler> commands_;
  std::vector<std::shared_ptr<SessionFeature>> features_;
  State state_ = State::Uninitialized;
  protocol::InitializeParams params_;
  std::string trace_ = "off";
  std::map<std::string, std::weak_ptr<ReplyOnce>> inFlight_;  // dumped id -> reply, for $/cancelRequest
  struct ProgressEntry {
    std::weak_ptr<WorkDoneProgress> progress;
    std::function<void()> onCancel;
  };
  std::map<std::string, ProgressEntry> progress_;  // dumped token -> entry
  long long nextProgressToken_ = 1;
  std::unique_ptr<boost::asio::steady_timer> parentTimer_;
  int parentPid_ = 0;
  bool shutdownReceived_ = false;
};

}  // namespace sysimage::lsp

// One client's session: lifecycle rules and dispatch.
#include "server/lsp/session.h"

#include <signal.h>

#include <cerrno>
#include <spdlog/spdlog.h>

#include "sysimage/protocol/progress.h"
#include "sysimage/protocol/sysimage.h"

namespace sysimage::lsp {

Session::Session(boost::asio::io_context& io, std::shared_ptr<Endpoint> endpoint, std::function<void(int)> onExit,
                 SessionOptions options)
    : io_(io), endpoint_(std::move(endpoint)), onExit_(std::move(onExit)), options_(std::move(options)) {}

Session::~Session() = default;

void Session::start(const FeatureFactory& features) {
  bindLifecycle();
  if (features) features_ = features(shared_from_this());
  for (auto& f : features_) f->bind(bindings_, commands_);
  endpoint_->start(this);
}

void Session::bindLifecycle() {
  bindings_.request("initialize", this, &Session::onInitialize);
  bindings_.request("shutdown", this, &Session::onShutdown);
  bindings_.requestRaw("workspace/executeCommand",
                       [this](const json& raw, std::shared_ptr<ReplyOnce> reply) { onExecuteCommand(raw, reply); });
  bindings_.notification("initialized", this, &Session::onInitialized);
  bindings_.notification("exit", this, &Session::onExitNotification);
  bindings_.notification("$/cancelRequest", this, &Session::onCancelRequest);
  bindings_.notification("$/setTrace", this, &Session::onSetTrace);
  bindings_.notification("workspace/didChangeWorkspaceFolders", this, &Session::onDidChangeWorkspaceFolders);
  bindings_.notification("workspace/didChangeConfiguration", this, &Session::onDidChangeConfiguration);
  bindings_.notification("window/workDoneProgress/cancel", this, &Session::onProgressCancel);
}

void Session::notify(std::string_view method, json params) {
  if (state_ == State::Exited) return;
  endpoint_->notify(method, std::move(params));
}

void Session::call(std::string_view method, json params, std::function<void(ClientResponse)> onResponse,
                   std::chrono::milliseconds timeout) {
  endpoint_->call(method, std::move(params), std::move(onResponse), timeout);
}

std::shared_ptr<WorkDoneProgress> Session::createProgress(std::string title, std::optional<protocol::ProgressToken> clientToken,
                                                          bool cancellable, std::function<void()> onCancel,
                                                          WorkDoneProgress::Fallback fallback) {
  auto progress = std::make_shared<WorkDoneProgress>(weak_from_this(), std::move(title), cancellable, std::move(fallback));
  progress->start(clientToken, "sysimage-progress-" + std::to_string(nextProgressToken_++));
  if (progress->state() != WorkDoneProgress::State::Unsupported) {
    // Forget entries of finished progress, then register this one for window/workDoneProgress/cancel.
    std::erase_if(progress_, [](const auto& e) { return e.second.progress.expired(); });
    progress_[protocol::dump(progress->token())] = ProgressEntry{progress, std::move(onCancel)};
  }
  return progress;
}

void Session::onRequest(protocol::Request request, std::shared_ptr<ReplyOnce> reply) {
  if (state_ == State::Uninitialized && request.method != "initialize") {
    reply->error(ErrorCode::ServerNotInitialized, "the server is not initialized: send \"initialize\" first");
    return;
  }
  if (state_ == State::ShuttingDown || state_ == State::Exited) {
    reply->error(ErrorCode::InvalidRequest, "the server is shutting down: only \"exit\" is accepted");
    return;
  }
  const std::string key = protocol::dump(request.id);
  std::erase_if(inFlight_, [](const auto& e) { return e.second.expired() || e.second.lock()->replied(); });
  inFlight_[key] = reply;
  if (!bindings_.dispatch(request.method, request.params, reply)) {
    reply->error(ErrorCode::MethodNotFound, "unknown method \"" + request.method + "\"");
  }
}

void Session::onNotification(protocol::Notification notification) {
  if (notification.method == "exit") {
    bindings_.dispatch(notification.method, notification.params);
    return;
  }
  if (state_ == State::Uninitialized || state_ == State::Exited) {
    spdlog::debug("dropping notification {} before initialize", notification.method);
    return;
  }
  if (!bindings_.dispatch(notification.method, notification.params) && !notification.method.starts_with("$/")) {
    spdlog::info("ignoring unknown notification {}", notification.method);
  }
}

void Session::onDisconnected(const std::string& error) {
  if (state_ == State::Exited) return;
  if (error.empty()) {
    spdlog::info("{}: client closed the connection", describe());
  } else {
    spdlog::warn("{}: connection lost: {}", describe(), error);
  }
  finish(shutdownReceived_ ? 0 : 1);
}

void Session::onInitialize(const protocol::InitializeParams& params, Reply<json> reply) {
  if (state_ != State::Uninitialized) {
    reply.error(ErrorCode::InvalidRequest, "initialize was already received");
    return;
  }
  if (!admit(params, reply)) return;
  params_ = params;
  // The token has done its job: features (and their logs) never see it.
  if (params_.initializationOptions.is_object()) params_.initializationOptions.erase("token");
  trace_ = params.trace;
  for (auto& f : features_) f->initialize(params_);
  state_ = State::Initializing;
  if (params.processId && *params.processId > 0) watchParent(*params.processId);

  json commands = json::array();
  for (const auto& [name, _] : commands_) commands.push_back(name);
  json capabilities = {
      {"executeCommandProvider", {{"commands", commands}}},
      {"workspace", {{"workspaceFolders", {{"supported", true}, {"changeNotifications", true}}}}},
      {"experimental", {{"sysimage", {{"protocolVersion", protocol::sysimage::kProtocolVersion}}}}},
  };
  reply(json(protocol::InitializeResult{capabilities, protocol::ServerInfo{"sysimage-server", SYSIMAGE_SERVER_VERSION}}));
}

bool Session::admit(const protocol::InitializeParams& params, Reply<json>& reply) {
  if (!options_.requiredToken) return true;
  const json& options = params.initializationOptions;
  const auto it = options.is_object() ? options.find("token") : options.end();
  const char* problem = nullptr;
  if (!options.is_object() || it == options.end()) {
    problem = "no access token";
  } else if (!it->is_string()) {
    problem = "an access token that is not a string";
  } else if (!options_.requiredToken->matches(it->get_ref<const std::string&>())) {
    problem = "a wrong access token";
  }
  if (!problem) return true;
  // Never log the presented value: it may be a near miss of the real token, or another secret.
  spdlog::warn("{}: refused: initialize with {}; closing the connection", describe(), problem);
  reply.error(ErrorCode::AccessDenied,
              std::string("access denied: initialize came with ") + problem +
                  "; a TCP client must send the server's access token as initializationOptions.token "
                  "(the server prints it and writes it to its token file; see docs/protocol.md, \"Access token\")");
  finish(1);
  return false;
}

void Session::onInitialized(const NoParams&) {
  if (state_ != State::Initializing) return;
  state_ = State::Running;
  for (auto& f : features_) f->initialized();
}

void Session::onShutdown(const NoParams&, Reply<std::nullptr_t> reply) {
  shutdownReceived_ = true;
  state_ = State::ShuttingDown;
  for (auto& f : features_) f->shutdown();
  reply(nullptr);
}

void Session::onExitNotification(const NoParams&) { finish(shutdownReceived_ ? 0 : 1); }

void Session::onExecuteCommand(const json& raw, const std::shared_ptr<ReplyOnce>& reply) {
  protocol::ExecuteCommandParams params;
  try {
    params = protocol::parseParams<protocol::ExecuteCommandParams>(raw);
  } catch (const protocol::FieldError& e) {
    reply->error(ErrorCode::InvalidParams, "invalid params " + Bindings::describe(e));
    return;
  }
  auto it = commands_.find(params.command);
  if (it == commands_.end()) {
    reply->error(ErrorCode::InvalidParams, "unknown command \"" + params.command + "\"");
    return;
  }
  it->second(params, reply);
}

void Session::onCancelRequest(const protocol::CancelParams& params) {
  auto it = inFlight_.find(protocol::dump(params.id));
  if (it == inFlight_.end()) return;  // already answered or unknown: nothing to do (LSP allows this)
  if (auto reply = it->second.lock()) reply->cancel();
  inFlight_.erase(it);
}

void Session::onSetTrace(const protocol::SetTraceParams& params) { trace_ = params.value; }

void Session::onDidChangeWorkspaceFolders(const protocol::DidChangeWorkspaceFoldersParams& params) {
  auto& folders = params_.workspaceFolders;
  if (!folders) folders.emplace();
  for (const auto& removed : params.removed) {
    std::erase_if(*folders, [&](const protocol::WorkspaceFolder& f) { return f.uri == removed.uri; });
  }
  for (const auto& added : params.added) folders->push_back(added);
  for (auto& f : features_) f->didChangeWorkspaceFolders(params);
}

void Session::onDidChangeConfiguration(const protocol::DidChangeConfigurationParams& params) {
  for (auto& f : features_) f->didChangeConfiguration(params.settings);
}

void Session::onProgressCancel(const protocol::WorkDoneProgressTokenParams& params) {
  auto it = progress_.find(protocol::dump(params.token));
  if (it == progress_.end()) return;
  auto callback = it->second.onCancel;
  progress_.erase(it);
  if (callback) callback();
}

void Session::watchParent(int pid) {
  parentPid_ = pid;
  parentTimer_ = std::make_unique<boost::asio::steady_timer>(io_);
  pollParent();
}

void Session::pollParent() {
  parentTimer_->expires_after(std::chrono::seconds(1));
  parentTimer_->async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->state_ == State::Exited) return;
    if (::kill(self->parentPid_, 0) != 0 && errno == ESRCH) {
      spdlog::warn("parent process {} is gone; ending the session", self->parentPid_);
      self->finish(1);
      return;
    }
    self->pollParent();
  });
}

void Session::finish(int code) {
  if (state_ == State::Exited) return;
  state_ = State::Exited;
  if (parentTimer_) parentTimer_->cancel();
  // Nobody receives answers any more: the requests still running stop waiting (their work stops
  // unless another session's request waits for it too, e.g. a joined build).
  auto inFlight = std::move(inFlight_);
  inFlight_.clear();
  for (auto& [id, weak] : inFlight) {
    if (auto reply = weak.lock()) reply->abandon();
  }
  for (auto& f : features_) f->disconnected();
  endpoint_->close([cb = std::move(onExit_), code] {
    if (cb) cb(code);
  });
}

}  // namespace sysimage::lsp

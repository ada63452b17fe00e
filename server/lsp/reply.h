// Exactly-once replies to requests (after clangd's ReplyOnce).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "server/platform/cancellation.h"
#include "sysimage/protocol/jsonrpc.h"

namespace sysimage::lsp {

using protocol::ErrorCode;
using protocol::json;
using protocol::ResponseError;
using platform::CancellationSource;
using platform::CancellationToken;

/// The one response to one request. The first call to result()/error() sends it; a second call
/// is a bug (asserts in debug builds, logged and dropped otherwise) — except after a cancellation,
/// where the RequestCancelled reply already went out and the handler's late answer is expected and
/// dropped silently. If it is destroyed without replying, it answers InternalError.
class ReplyOnce {
 public:
  using Sink = std::function<void(json message)>;
  ReplyOnce(protocol::RequestId id, std::string method, Sink sink);
  ~ReplyOnce();
  ReplyOnce(const ReplyOnce&) = delete;
  ReplyOnce& operator=(const ReplyOnce&) = delete;

  void result(json value);
  void error(ResponseError error);
  void error(ErrorCode code, std::string message) { error(ResponseError{code, std::move(message), std::nullopt}); }
  /// Answers RequestCancelled now (unless already answered) and fires the cancellation token so
  /// the work stops; later result()/error() calls are dropped.
  void cancel();
  /// The client went away (its session ended): fires the cancellation token so the work stops, and
  /// sends nothing, now or later (no one could receive it).
  void abandon();
  /// Fired when the client cancels this request, or abandons it.
  CancellationToken cancellation() const { return cancel_.token(); }
  bool replied() const { return replied_; }
  const protocol::RequestId& id() const { return id_; }
  const std::string& method() const { return method_; }

 private:
  void send(json message);
  protocol::RequestId id_;
  std::string method_;
  Sink sink_;
  bool replied_ = false;
  bool wasCancelled_ = false;
  CancellationSource cancel_;
};

/// A typed handle on a ReplyOnce, handed to request handlers. Copyable (copies share the reply).
/// `T` must convert to JSON with to_json.
template <class T>
class Reply {
 public:
  explicit Reply(std::shared_ptr<ReplyOnce> once) : once_(std::move(once)) {}
  void operator()(const T& value) const { once_->result(json(value)); }
  void error(ErrorCode code, std::string message) const { once_->error(code, std::move(message)); }
  void error(ResponseError e) const { once_->error(std::move(e)); }
  bool replied() const { return once_->replied(); }
  /// Fired when the client cancels the request ($/cancelRequest or a progress cancel).
  CancellationToken cancellation() const { return once_->cancellation(); }

 private:
  std::shared_ptr<ReplyOnce> once_;
};

}  // namespace sysimage::lsp

// Exactly-once replies.
#include "server/lsp/reply.h"

#include <cassert>
#include <spdlog/spdlog.h>

namespace sysimage::lsp {

ReplyOnce::ReplyOnce(protocol::RequestId id, std::string method, Sink sink)
    : id_(std::move(id)), method_(std::move(method)), sink_(std::move(sink)) {}

ReplyOnce::~ReplyOnce() {
  if (!replied_) {
    spdlog::error("request {} ({}) was never answered; replying InternalError", protocol::dump(id_), method_);
    send(protocol::makeError(id_, ResponseError{ErrorCode::InternalError,
                                                "the server dropped this request without answering it", std::nullopt}));
  }
}

void ReplyOnce::send(json message) {
  replied_ = true;
  if (sink_) sink_(std::move(message));
}

void ReplyOnce::result(json value) {
  if (replied_) {
    if (!wasCancelled_) {
      spdlog::error("second reply to request {} ({}) dropped", protocol::dump(id_), method_);
      assert(false && "request answered twice");
    }
    return;
  }
  send(protocol::makeResult(id_, std::move(value)));
}

void ReplyOnce::error(ResponseError e) {
  if (replied_) {
    if (!wasCancelled_) {
      spdlog::error("second reply to request {} ({}) dropped", protocol::dump(id_), method_);
      assert(false && "request answered twice");
    }
    return;
  }
  send(protocol::makeError(id_, e));
}

void ReplyOnce::cancel() {
  if (!replied_) {
    wasCancelled_ = true;
    send(protocol::makeError(id_, ResponseError{ErrorCode::RequestCancelled, "request cancelled", std::nullopt}));
  }
  cancel_.cancel();
}

void ReplyOnce::abandon() {
  if (!replied_) {
    wasCancelled_ = true;
    replied_ = true;
  }
  cancel_.cancel();
}

}  // namespace sysimage::lsp

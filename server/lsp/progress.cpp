// Work done progress state machine.
#include "server/lsp/progress.h"

#include <algorithm>

namespace sysimage::lsp {

WorkDoneProgress::WorkDoneProgress(std::weak_ptr<Client> client, std::string title, bool cancellable, Fallback fallback)
    : client_(std::move(client)), cancellable_(cancellable), fallback_(std::move(fallback)) {
  snapshot_.title = std::move(title);
}

void WorkDoneProgress::start(std::optional<protocol::ProgressToken> clientToken, const std::string& serverToken) {
  auto client = client_.lock();
  if (clientToken && (clientToken->is_string() || clientToken->is_number_integer())) {
    token_ = *clientToken;
    state_ = State::Live;
    return;
  }
  if (!client || !client->capabilities().workDoneProgress) {
    state_ = State::Unsupported;
    return;
  }
  token_ = serverToken;
  state_ = State::Creating;
  client->call("window/workDoneProgress/create", json(protocol::WorkDoneProgressTokenParams{token_}),
               [weak = weak_from_this()](ClientResponse response) {
                 auto self = weak.lock();
                 if (!self || self->state_ != State::Creating) return;
                 if (response.error) {
                   self->state_ = State::Unsupported;
                   self->toFallback();
                   return;
                 }
                 self->state_ = State::Live;
                 if (self->begun_) self->sendBegin();
                 if (self->snapshot_.ended) self->sendEnd();
               });
}

void WorkDoneProgress::begin(std::optional<std::string> message, unsigned percentage) {
  if (begun_) return;
  begun_ = true;
  snapshot_.message = std::move(message);
  snapshot_.percentage = std::min(percentage, 100u);
  if (state_ == State::Live) sendBegin();
  toFallback();
}

void WorkDoneProgress::report(std::optional<std::string> message, std::optional<unsigned> percentage) {
  if (snapshot_.ended) return;
  if (!begun_) begin();
  if (message) snapshot_.message = std::move(message);
  if (percentage) snapshot_.percentage = std::max(snapshot_.percentage, std::min(*percentage, 100u));
  if (state_ == State::Live) sendReport();
  toFallback();
}

void WorkDoneProgress::end(std::optional<std::string> message) {
  if (snapshot_.ended) return;
  if (!begun_) begin();
  snapshot_.ended = true;
  if (message) snapshot_.message = std::move(message);
  if (state_ == State::Live) sendEnd();
  toFallback();
}

void WorkDoneProgress::sendBegin() {
  auto client = client_.lock();
  if (!client) return;
  beginSent_ = true;
  protocol::WorkDoneProgressBegin value{snapshot_.title, cancellable_, snapshot_.message, snapshot_.percentage};
  client->notify("$/progress", json(protocol::ProgressParams{token_, json(value)}));
}

void WorkDoneProgress::sendReport() {
  auto client = client_.lock();
  if (!client || !beginSent_) return;
  protocol::WorkDoneProgressReport value{std::nullopt, snapshot_.message, snapshot_.percentage};
  client->notify("$/progress", json(protocol::ProgressParams{token_, json(value)}));
}

void WorkDoneProgress::sendEnd() {
  auto client = client_.lock();
  if (!client) return;
  if (!beginSent_) sendBegin();
  state_ = State::Ended;
  protocol::WorkDoneProgressEnd value{snapshot_.message};
  client->notify("$/progress", json(protocol::ProgressParams{token_, json(value)}));
}

void WorkDoneProgress::toFallback() {
  if (state_ == State::Unsupported && fallback_) fallback_(snapshot_);
}

}  // namespace sysimage::lsp

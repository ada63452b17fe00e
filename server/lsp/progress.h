// Work done progress as a state machine (unsupported / creating / live / ended) over LSP $/progress.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "server/lsp/client.h"
#include "sysimage/protocol/progress.h"

namespace sysimage::lsp {

/// What the owner of a long operation sees of its progress (also what the fallback receives).
struct ProgressSnapshot {
  std::string title;
  std::optional<std::string> message;
  unsigned percentage = 0;  ///< 0-100, never decreases
  bool ended = false;
};

/// Reports one long operation to the client.
///
/// Token choice, in order: the request's `workDoneToken` (live at once); else, when the client
/// supports `window.workDoneProgress`, a server-created token (`window/workDoneProgress/create`,
/// live once the client agrees); else unsupported, and every update goes to `fallback` (the
/// server then shows progress in `sysimage/statusChanged`). Updates made while the token is being
/// created are coalesced and sent when it is live. Percentages never go down.
class WorkDoneProgress : public std::enable_shared_from_this<WorkDoneProgress> {
 public:
  enum class State { Unsupported, Creating, Live, Ended };
  using Fallback = std::function<void(const ProgressSnapshot&)>;

  /// Use Session::createProgress (it registers the token for window/workDoneProgress/cancel).
  WorkDoneProgress(std::weak_ptr<Client> client, std::string title, bool cancellable, Fallback fallback);

  /// Starts with the client's token or a server-created one (see class comment).
  void start(std::optional<protocol::ProgressToken> clientToken, const std::string& serverToken);

  void begin(std::optional<std::string> message = std::nullopt, unsigned percentage = 0);
  void report(std::optional<std::string> message, std::optional<unsigned> percentage);
  void end(std::optional<std::string> message = std::nullopt);

  State state() const { return state_; }
  const protocol::ProgressToken& token() const { return token_; }
  const ProgressSnapshot& snapshot() const { return snapshot_; }
  bool cancellable() const { return cancellable_; }

 private:
  void sendBegin();
  void sendReport();
  void sendEnd();
  void toFallback();

  std::weak_ptr<Client> client_;
  bool cancellable_;
  Fallback fallback_;
  State state_ = State::Unsupported;
  protocol::ProgressToken token_;
  ProgressSnapshot snapshot_;
  bool begun_ = false;         // begin() called by the owner
  bool beginSent_ = false;     // begin sent on the wire
};

}  // namespace sysimage::lsp

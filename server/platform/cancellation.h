// Cancellation tokens handed to long-running work (a request's build, a TTFX measurement, a ping).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace sysimage::platform {

/// A read-only view of a cancellation request. Copyable; all copies see the same state.
///
/// Cancellation is racy by nature: the work may finish at the moment the client cancels it. The
/// token only says "stop when you can"; whoever replies first wins, and the reply layer makes sure
/// the client gets exactly one response either way.
class CancellationToken {
 public:
  CancellationToken() = default;
  /// True once cancel() was called on the source. Safe from any thread.
  bool cancelled() const { return state_ && state_->cancelled.load(); }
  /// Runs `callback` when cancelled (at once if already cancelled), on the thread that cancels.
  void onCancel(std::function<void()> callback) const;

 private:
  friend class CancellationSource;
  struct State {
    std::atomic<bool> cancelled{false};
    std::mutex mutex;
    std::vector<std::function<void()>> callbacks;
  };
  explicit CancellationToken(std::shared_ptr<State> s) : state_(std::move(s)) {}
  std::shared_ptr<State> state_;
};

/// Owns the right to cancel.
class CancellationSource {
 public:
  CancellationSource() : state_(std::make_shared<CancellationToken::State>()) {}
  CancellationToken token() const { return CancellationToken(state_); }
  /// Marks the token cancelled and runs the registered callbacks once. Idempotent.
  void cancel();
  bool cancelled() const { return state_->cancelled.load(); }

 private:
  std::shared_ptr<CancellationToken::State> state_;
};

}  // namespace sysimage::platform

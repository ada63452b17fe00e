// Timer: a one-shot or repeating timer on the platform loop, for debouncing and timeouts.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "server/platform/post.h"

namespace sysimage::platform {

class UvLoop;

/// Calls a callback, via Post, after a delay and then optionally at a fixed period.
/// Not thread-safe: use one Timer from one thread (the owner's loop).
class Timer {
 public:
  virtual ~Timer() = default;
  /// (Re)starts the timer: `cb` runs after `timeout`, then every `repeat` when `repeat` > 0.
  /// Restarting cancels the previous schedule, including a firing already posted but not run yet
  /// (under the Post rule: Post runs tasks on the thread calling start()).
  virtual void start(std::chrono::milliseconds timeout, std::chrono::milliseconds repeat,
                     std::function<void()> cb) = 0;
  /// Stops the timer; no callback runs after it returns (same Post rule). Idempotent.
  virtual void stop() = 0;
};

/// A Timer on `loop` (libuv uv_timer_t, millisecond resolution) posting through `post`.
/// Destroying it stops it.
std::unique_ptr<Timer> makeUvTimer(UvLoop& loop, Post post);

}  // namespace sysimage::platform

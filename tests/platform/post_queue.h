// PostQueue: a Post for tests whose tasks the test thread runs while it waits for a condition.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include "server/platform/post.h"

namespace sysimage::platform::testing {

/// Collects posted tasks from any thread; the test thread runs them in runUntil()/runFor(), so
/// callbacks run on the test thread as they would on the server's main loop.
class PostQueue {
 public:
  Post post() {
    return [shared = shared_](std::function<void()> task) {
      std::lock_guard lock(shared->mutex);
      shared->tasks.push_back(std::move(task));
      shared->ready.notify_all();
    };
  }

  /// Runs posted tasks until `done()` holds or `timeout` passed. Returns done(). `done` is checked
  /// after each batch of tasks and at least every 5 ms, so it may also watch outside state.
  bool runUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return false;
      runOnce(std::min(deadline, now + std::chrono::milliseconds(5)));
    }
    return true;
  }

  /// Runs posted tasks for `duration`. Only for asserting that something does not happen, where
  /// no later event can serve as a marker.
  void runFor(std::chrono::milliseconds duration) {
    const auto deadline = std::chrono::steady_clock::now() + duration;
    while (runOnce(deadline)) {
    }
  }

 private:
  struct Shared {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<std::function<void()>> tasks;
  };

  // Waits for tasks until `deadline`, runs them; false when the deadline passed with none.
  bool runOnce(std::chrono::steady_clock::time_point deadline) {
    std::deque<std::function<void()>> batch;
    {
      std::unique_lock lock(shared_->mutex);
      if (!shared_->ready.wait_until(lock, deadline, [this] { return !shared_->tasks.empty(); })) return false;
      batch.swap(shared_->tasks);
    }
    for (auto& task : batch) task();
    return true;
  }

  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
};

}  // namespace sysimage::platform::testing

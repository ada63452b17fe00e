// ManualTimers: Timers on a clock the test moves, for tests of other layers (debounces, polls, retries).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <utility>

#include "server/platform/timer.h"

namespace sysimage::platform {

/// Makes Timers that fire only when the test calls advance(): time stands still otherwise. Callbacks
/// run on the calling thread, in order of due time (then of scheduling). Not thread-safe.
class ManualTimers {
 public:
  /// A new timer (ManualTimers may be destroyed first; the timer then never fires).
  std::unique_ptr<Timer> make() { return std::make_unique<ManualTimer>(state_); }
  /// A factory for code that takes one (e.g. a service's makeTimer).
  std::function<std::unique_ptr<Timer>()> factory() {
    return [state = std::weak_ptr<State>(state_)]() -> std::unique_ptr<Timer> {
      return std::make_unique<ManualTimer>(state.lock());
    };
  }

  /// Moves the clock forward by `by`, running every firing that falls due on the way (a repeating
  /// timer fires once per period passed; a callback may start or stop timers, also itself).
  void advance(std::chrono::milliseconds by) {
    const auto until = state_->now + by;
    for (;;) {
      auto it = state_->due.begin();
      if (it == state_->due.end() || it->first.first > until) break;
      auto [key, entry] = *it;
      state_->due.erase(it);
      state_->now = key.first;
      auto* timer = entry.timer;
      timer->fired();
      if (entry.repeat.count() > 0) timer->schedule(state_->now + entry.repeat, entry.repeat);
      auto cb = timer->callback;  // a copy: the callback may restart or destroy the timer
      if (cb) cb();
    }
    state_->now = until;
  }

  std::chrono::milliseconds now() const { return state_->now; }
  /// Timers scheduled to fire.
  std::size_t scheduled() const { return state_->due.size(); }
  /// Timers that exist (made and not destroyed): a leak check for owners that must release them.
  std::size_t alive() const { return state_->alive; }

 private:
  class ManualTimer;
  struct Entry {
    ManualTimer* timer;
    std::chrono::milliseconds repeat;
  };
  struct State {
    std::chrono::milliseconds now{0};
    std::uint64_t sequence = 0;
    std::map<std::pair<std::chrono::milliseconds, std::uint64_t>, Entry> due;
    std::size_t alive = 0;
  };

  class ManualTimer final : public Timer {
   public:
    explicit ManualTimer(std::shared_ptr<State> state) : state_(std::move(state)) {
      if (state_) ++state_->alive;
    }
    ~ManualTimer() override {
      unschedule();
      if (state_) --state_->alive;
    }
    void start(std::chrono::milliseconds timeout, std::chrono::milliseconds repeat, std::function<void()> cb) override {
      unschedule();
      callback = std::move(cb);
      if (state_) schedule(state_->now + std::max(timeout, std::chrono::milliseconds(0)), repeat);
    }
    void stop() override {
      unschedule();
      callback = nullptr;
    }
    void schedule(std::chrono::milliseconds at, std::chrono::milliseconds repeat) {
      key_ = {at, state_->sequence++};
      state_->due.emplace(key_, Entry{this, repeat});
      scheduled_ = true;
    }
    void fired() { scheduled_ = false; }
    std::function<void()> callback;

   private:
    void unschedule() {
      if (scheduled_ && state_) state_->due.erase(key_);
      scheduled_ = false;
    }
    std::shared_ptr<State> state_;
    std::pair<std::chrono::milliseconds, std::uint64_t> key_{};
    bool scheduled_ = false;
  };

  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace sysimage::platform

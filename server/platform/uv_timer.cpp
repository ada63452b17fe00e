// UvTimer: Timer on a libuv uv_timer_t; a generation number drops firings of an old schedule.
#include <atomic>
#include <mutex>

#include "server/platform/timer.h"
#include "server/platform/uv_loop_internal.h"

namespace sysimage::platform {
namespace {

// Shared by the owner side, the loop side and posted firings.
struct TimerState : std::enable_shared_from_this<TimerState> {
  Post post;
  uv_timer_t* handle = nullptr;          // loop thread only
  std::uint64_t scheduledGeneration = 0;  // loop thread only: the schedule the handle runs
  std::mutex mutex;
  std::uint64_t generation = 0;  // bumped by every start() and stop()
  std::function<void()> callback;

  // Runs on the owner's thread (through Post): calls the callback unless rescheduled since.
  void fire(std::uint64_t firedGeneration) {
    std::function<void()> cb;
    {
      std::lock_guard lock(mutex);
      if (firedGeneration != generation) return;
      cb = callback;
    }
    if (cb) cb();
  }
};

class UvTimer final : public Timer {
 public:
  UvTimer(UvLoop& loop, Post post) : loop_(loop), state_(std::make_shared<TimerState>()) {
    state_->post = std::move(post);
  }

  ~UvTimer() override {
    bump(nullptr);
    detail::LoopAccess::run(loop_, [state = state_](uv_loop_t*) {
      detail::closeHandle(state->handle);
      state->handle = nullptr;
    });
  }

  void start(std::chrono::milliseconds timeout, std::chrono::milliseconds repeat, std::function<void()> cb) override {
    const std::uint64_t generation = bump(std::move(cb));
    const auto first = static_cast<std::uint64_t>(std::max<std::int64_t>(0, timeout.count()));
    const auto period = static_cast<std::uint64_t>(std::max<std::int64_t>(0, repeat.count()));
    detail::LoopAccess::run(loop_, [state = state_, generation, first, period](uv_loop_t* loop) {
      if (state->handle == nullptr) {
        state->handle = detail::newHandle<uv_timer_t>(state);
        uv_timer_init(loop, state->handle);
        state->handle->data = state.get();
      }
      state->scheduledGeneration = generation;
      uv_timer_start(
          state->handle,
          [](uv_timer_t* h) {
            auto self = static_cast<TimerState*>(h->data)->shared_from_this();
            self->post([self, fired = self->scheduledGeneration] { self->fire(fired); });
          },
          first, period);
    });
  }

  void stop() override {
    bump(nullptr);
    detail::LoopAccess::run(loop_, [state = state_](uv_loop_t*) {
      if (state->handle != nullptr) uv_timer_stop(state->handle);
    });
  }

 private:
  std::uint64_t bump(std::function<void()> cb) {
    std::lock_guard lock(state_->mutex);
    state_->callback = std::move(cb);
    return ++state_->generation;
  }

  UvLoop& loop_;
  std::shared_ptr<TimerState> state_;
};

}  // namespace

std::unique_ptr<Timer> makeUvTimer(UvLoop& loop, Post post) {
  return std::make_unique<UvTimer>(loop, std::move(post));
}

}  // namespace sysimage::platform

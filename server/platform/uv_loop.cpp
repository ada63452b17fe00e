// UvLoop: starts, feeds and stops the libuv loop thread that the platform layer shares.
#include "server/platform/uv_loop.h"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <future>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "server/platform/uv_loop_internal.h"

namespace sysimage::platform {

struct UvLoop::Impl {
  uv_loop_t loop{};
  uv_async_t wake{};
  std::mutex mutex;
  std::vector<detail::LoopTask> queue;  // guarded by mutex
  bool stopping = false;                // guarded by mutex
  std::thread thread;
  std::thread::id threadId;

  void drainQueue() {
    for (;;) {
      std::vector<detail::LoopTask> tasks;
      {
        std::lock_guard lock(mutex);
        tasks.swap(queue);
      }
      if (tasks.empty()) return;
      for (auto& task : tasks) {
        try {
          task(&loop);
        } catch (const std::exception& e) {
          spdlog::error("platform loop: task failed: {}", e.what());
        } catch (...) {
          spdlog::error("platform loop: task failed with an unknown exception");
        }
      }
    }
  }

  static void onWake(uv_async_t* async) {
    auto* self = static_cast<Impl*>(async->data);
    self->drainQueue();
    bool stop;
    {
      std::lock_guard lock(self->mutex);
      stop = self->stopping;
    }
    if (!stop) return;
    self->drainQueue();  // tasks queued between the first drain and the check
    uv_close(reinterpret_cast<uv_handle_t*>(&self->wake), nullptr);
    uv_walk(&self->loop, &Impl::forceClose, self);
  }

  // Closes a handle its owner left open at shutdown. A child still running is killed with its
  // group (when it leads one) and reaped here, because nobody will wait for it after the close.
  static void forceClose(uv_handle_t* handle, void* /*arg*/) {
    if (uv_is_closing(handle)) return;
    if (handle->type == UV_PROCESS) {
      const int pid = reinterpret_cast<uv_process_t*>(handle)->pid;
      if (pid > 0) {
        ::kill(getpgid(pid) == pid ? -pid : pid, SIGKILL);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        while (::waitpid(pid, nullptr, WNOHANG) == 0 && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
      }
    }
    detail::closeHandle(handle);
  }
};

UvLoop::UvLoop() : impl_(std::make_unique<Impl>()) {
  if (int err = uv_loop_init(&impl_->loop); err != 0) {
    throw std::system_error(-err, std::generic_category(), "uv_loop_init");
  }
  if (int err = uv_async_init(&impl_->loop, &impl_->wake, &Impl::onWake); err != 0) {
    uv_loop_close(&impl_->loop);
    throw std::system_error(-err, std::generic_category(), "uv_async_init");
  }
  impl_->wake.data = impl_.get();
  std::promise<std::thread::id> started;
  auto startedId = started.get_future();
  impl_->thread = std::thread([impl = impl_.get(), &started] {
    started.set_value(std::this_thread::get_id());
    uv_run(&impl->loop, UV_RUN_DEFAULT);
  });
  impl_->threadId = startedId.get();
}

UvLoop::~UvLoop() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
    uv_async_send(&impl_->wake);
  }
  impl_->thread.join();
  // Runs close callbacks of handles closed by callbacks of the last iteration, if any.
  uv_run(&impl_->loop, UV_RUN_NOWAIT);
  if (int err = uv_loop_close(&impl_->loop); err != 0) {
    spdlog::error("platform loop: uv_loop_close: {}", uv_strerror(err));
  }
}

bool UvLoop::onLoopThread() const {
  return std::this_thread::get_id() == impl_->threadId;
}

namespace detail {

void LoopAccess::run(UvLoop& loop, LoopTask task) {
  auto& impl = *loop.impl_;
  {
    std::lock_guard lock(impl.mutex);
    if (impl.stopping && !loop.onLoopThread()) {
      spdlog::warn("platform loop: task queued after stop was dropped");
      return;
    }
    impl.queue.push_back(std::move(task));
    // Sent under the lock so that the destructor cannot close `wake` in between.
    uv_async_send(&impl.wake);
  }
}

void LoopAccess::runAndWait(UvLoop& loop, LoopTask task) {
  auto& impl = *loop.impl_;
  if (loop.onLoopThread()) {
    task(&impl.loop);
    return;
  }
  std::promise<void> done;
  auto finished = done.get_future();
  {
    std::lock_guard lock(impl.mutex);
    if (impl.stopping) throw std::logic_error("UvLoop is stopping");
    impl.queue.push_back([&task, &done](uv_loop_t* l) {
      try {
        task(l);
        done.set_value();
      } catch (...) {
        done.set_exception(std::current_exception());
      }
    });
    uv_async_send(&impl.wake);
  }
  finished.get();
}

void closeHandle(uv_handle_t* handle) {
  if (handle == nullptr || uv_is_closing(handle)) return;
  uv_close(handle, [](uv_handle_t* h) { delete reinterpret_cast<HandleBox*>(h); });
}

}  // namespace detail
}  // namespace sysimage::platform

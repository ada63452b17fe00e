// How platform .cpp files reach the libuv loop behind a UvLoop; never include this outside server/platform.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <type_traits>

#include "server/platform/uv_loop.h"

namespace sysimage::platform::detail {

/// Work to run on the loop thread; receives the loop it runs on.
using LoopTask = std::function<void(uv_loop_t*)>;

/// The only way into a UvLoop's libuv loop; all libuv calls must happen inside a LoopTask or a
/// libuv callback, because libuv is not thread-safe.
struct LoopAccess {
  /// Queues `task` to run on the loop thread, in FIFO order with other queued tasks. Callable from
  /// any thread. A task that throws is logged and dropped. Tasks queued after the UvLoop started
  /// stopping are dropped.
  static void run(UvLoop& loop, LoopTask task);

  /// Runs `task` on the loop thread and waits until it returned; exceptions it throws are rethrown
  /// to the caller. On the loop thread itself the task runs at once (no deadlock).
  /// Errors: throws std::logic_error when the UvLoop is stopping.
  static void runAndWait(UvLoop& loop, LoopTask task);
};

/// Memory for one handle plus the owner it keeps alive; see newHandle().
struct HandleBox {
  uv_any_handle handle;
  std::shared_ptr<void> keepAlive;
};
static_assert(std::is_standard_layout_v<HandleBox>, "closeHandle casts a handle back to its box");

/// Allocates zeroed memory for a libuv handle of type H; initialise it (uv_*_init) at once. The
/// memory is freed, and `keepAlive` released, by the close callback of closeHandle(), so an owner
/// reached through `handle->data` is alive in every callback of the handle.
template <class H>
H* newHandle(std::shared_ptr<void> keepAlive) {
  auto* box = new HandleBox{};
  box->keepAlive = std::move(keepAlive);
  return reinterpret_cast<H*>(&box->handle);
}

/// Closes a handle made by newHandle(); null-safe and idempotent. Its callbacks stop at once.
void closeHandle(uv_handle_t* handle);

template <class H>
void closeHandle(H* handle) {
  closeHandle(reinterpret_cast<uv_handle_t*>(handle));
}

}  // namespace sysimage::platform::detail

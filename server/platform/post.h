// Post: how the platform layer hands a callback back to the thread that owns the server state.
#pragma once

#include <functional>

namespace sysimage::platform {

/// Queues `task` to run on the owner's event loop (the main Asio loop in the server, or an
/// immediate call in synchronous tests). Must be callable from any thread.
using Post = std::function<void(std::function<void()>)>;

/// A Post that runs the task at once on the calling thread (for tests and single-threaded tools).
inline Post immediatePost() {
  return [](std::function<void()> task) { task(); };
}

}  // namespace sysimage::platform

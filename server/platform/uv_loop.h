// UvLoop: the platform loop, a libuv event loop running on a thread of its own.
#pragma once

#include <memory>

namespace sysimage::platform {

namespace detail {
struct LoopAccess;
}

/// Owns one libuv loop and the thread that runs it. File watchers, process launchers and timers
/// are made from a UvLoop and do their libuv work on its thread; they hand results back through
/// a `Post`, never by touching the caller's state from the loop thread.
///
/// Lifetime: everything made from a UvLoop (watchers, launchers, processes, timers) must be
/// destroyed before it. The destructor runs the work already queued, closes every handle that is
/// still open (children still running at that point get SIGKILL and are reaped, waiting at most
/// one second), and joins the thread. Do not destroy a UvLoop from its own thread.
class UvLoop {
 public:
  /// Starts the loop thread. Errors: throws std::system_error when libuv cannot create the loop.
  UvLoop();
  ~UvLoop();
  UvLoop(const UvLoop&) = delete;
  UvLoop& operator=(const UvLoop&) = delete;

  /// True when called on the loop thread (e.g. from a callback run by an immediate Post).
  bool onLoopThread() const;

  struct Impl;

 private:
  friend struct detail::LoopAccess;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sysimage::platform

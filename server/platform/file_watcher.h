// FileWatcher: tells the owner when a watched file may have changed (Project.toml, Manifest.toml, ...).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>

#include "server/platform/post.h"

namespace sysimage::platform {

class UvLoop;

/// Watches individual file paths. Notifications are "may have changed" hints, not diffs: the
/// owner re-reads the file (and debounces; several notifications per save are normal).
class FileWatcher {
 public:
  using WatchId = std::uint64_t;
  /// Called on the owner's loop (through Post) with the watched path, exactly as given to watch(),
  /// when the file may have changed: written, truncated, created, deleted, renamed over (atomic
  /// save), or its directory removed, recreated or replaced.
  using Callback = std::function<void(const std::filesystem::path&)>;

  virtual ~FileWatcher() = default;

  /// Watches one file path, which need not exist yet. The same path may be watched several times;
  /// each watch has its own id and callback. When the parent directory does not exist (yet), the
  /// watcher polls for it and starts watching once it appears (and notifies then).
  /// Returns an id for unwatch(), never 0.
  virtual WatchId watch(const std::filesystem::path& file, Callback cb) = 0;

  /// Stops a watch; unknown ids are ignored. Once it returns, the callback is not called again,
  /// provided Post runs its tasks on the thread that calls unwatch().
  virtual void unwatch(WatchId id) = 0;
};

struct FileWatcherOptions {
  /// How often polled paths are stat()ed: files when polling, missing directories, and the
  /// identity (device, inode) of watched directories, which catches a replaced ancestor.
  std::chrono::milliseconds pollInterval{250};
  /// Poll every file with uv_fs_poll instead of using inotify (network file systems, tests).
  /// A polled file is compared with its first stat, taken on the libuv thread pool just after
  /// watch() returns, so a change within that first moment may go unreported.
  bool forcePolling = false;
};

/// A FileWatcher on `loop`: inotify on each watched file's parent directory (shared by the files
/// in it, events filtered by file name), falling back to uv_fs_poll on the file when inotify
/// cannot watch the directory (watch limit reached, permissions) or when `forcePolling` is set.
/// Destroying it stops all watches (no callback runs afterwards, under the Post rule above).
std::unique_ptr<FileWatcher> makeUvFileWatcher(UvLoop& loop, Post post, FileWatcherOptions options = {});

}  // namespace sysimage::platform

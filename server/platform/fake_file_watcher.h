// FakeFileWatcher: a FileWatcher for tests of other layers; notifications happen when the test says so.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <utility>
#include <vector>

#include "server/platform/file_watcher.h"

namespace sysimage::platform {

/// Records watches and calls their callbacks synchronously from trigger(). Paths are compared
/// after std::filesystem::absolute + lexically_normal, as the real watcher does. Not thread-safe.
class FakeFileWatcher final : public FileWatcher {
 public:
  WatchId watch(const std::filesystem::path& file, Callback cb) override {
    const WatchId id = nextId_++;
    watches_.emplace(id, Watch{file, normal(file), std::move(cb)});
    return id;
  }

  void unwatch(WatchId id) override { watches_.erase(id); }

  /// Calls, on this thread and in watch() order, the callback of every watch of `file` (each with
  /// the path given to watch()). A callback may watch or unwatch; a watch removed during
  /// trigger() is not called. Returns how many callbacks were called.
  std::size_t trigger(const std::filesystem::path& file) {
    const auto key = normal(file);
    std::vector<WatchId> ids;
    for (const auto& [id, w] : watches_) {
      if (w.normal == key) ids.push_back(id);
    }
    std::size_t called = 0;
    for (WatchId id : ids) {
      auto it = watches_.find(id);
      if (it == watches_.end()) continue;
      auto cb = it->second.callback;  // a copy: the callback may unwatch itself
      auto given = it->second.given;
      cb(given);
      ++called;
    }
    return called;
  }

  /// True when `file` has at least one watch.
  bool watching(const std::filesystem::path& file) const {
    const auto key = normal(file);
    for (const auto& [id, w] : watches_) {
      if (w.normal == key) return true;
    }
    return false;
  }

  /// Number of active watches (all paths).
  std::size_t watchCount() const { return watches_.size(); }

 private:
  struct Watch {
    std::filesystem::path given;
    std::filesystem::path normal;
    Callback callback;
  };

  static std::filesystem::path normal(const std::filesystem::path& p) {
    return std::filesystem::absolute(p).lexically_normal();
  }

  std::map<WatchId, Watch> watches_;
  WatchId nextId_ = 1;
};

}  // namespace sysimage::platform

// UvFileWatcher: FileWatcher on libuv, inotify on parent directories with a uv_fs_poll fallback.
//
// Watching the directory rather than the file is what makes editor saves visible: an atomic save
// renames a new inode over the file, so a watch on the old inode would see nothing more. The
// directory watch sees the rename, create, delete and write events and names the file in each.
// A directory that is itself removed or replaced is noticed from its own inotify events
// (IN_DELETE_SELF / IN_MOVE_SELF, which libuv reports under the directory's base name), and one
// whose ancestor was renamed away from a periodic check of its (device, inode).
#include <sys/stat.h>

#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "server/platform/file_watcher.h"
#include "server/platform/uv_loop_internal.h"

namespace sysimage::platform {
namespace {

using detail::closeHandle;
using detail::newHandle;
using WatchId = FileWatcher::WatchId;

// Owner-side half of a watch: posted notifications check `active` on the owner's thread, so
// nothing is delivered after unwatch().
struct Subscription {
  std::mutex mutex;
  bool active = true;
  FileWatcher::Callback callback;
  std::filesystem::path path;  // as given to watch()

  void deliver() {
    FileWatcher::Callback cb;
    {
      std::lock_guard lock(mutex);
      if (!active) return;
      cb = callback;
    }
    cb(path);
  }
  void deactivate() {
    std::lock_guard lock(mutex);
    active = false;
    callback = nullptr;
  }
};

enum class Mode {
  Inotify,  // uv_fs_event on the directory
  Missing,  // the directory does not exist; the timer looks for it
  Polling,  // uv_fs_poll on each file
};

struct DirWatch;

struct FileEntry {
  WatchId id = 0;
  std::string name;  // file name inside the directory
  std::shared_ptr<Subscription> subscription;
  DirWatch* dir = nullptr;
  uv_fs_poll_t* poll = nullptr;  // in Mode::Polling only
};

class State;

struct DirWatch {
  State* state = nullptr;
  std::string path;  // absolute, lexically normal
  std::string baseName;
  Mode mode = Mode::Missing;
  uv_fs_event_t* event = nullptr;
  dev_t device = 0;
  ino_t inode = 0;
  std::vector<std::unique_ptr<FileEntry>> files;
};

// Loop-thread half: all members are touched on the loop thread only.
class State : public std::enable_shared_from_this<State> {
 public:
  State(Post post, FileWatcherOptions options) : post_(std::move(post)), options_(options) {}

  void add(uv_loop_t* loop, WatchId id, const std::filesystem::path& file,
           std::shared_ptr<Subscription> subscription) {
    loop_ = loop;
    const std::string dirPath = file.parent_path().string();
    auto& slot = dirs_[dirPath];
    const bool created = !slot;
    if (created) {
      slot = std::make_unique<DirWatch>();
      slot->state = this;
      slot->path = dirPath;
      slot->baseName = file.parent_path().filename().string();
    }
    DirWatch& dir = *slot;
    auto entry = std::make_unique<FileEntry>();
    entry->id = id;
    entry->name = file.filename().string();
    entry->subscription = std::move(subscription);
    entry->dir = &dir;
    FileEntry& added = *entry;
    dir.files.push_back(std::move(entry));
    if (created) {
      startDirectory(dir);  // polls `added` too when it falls back to polling
    } else if (dir.mode == Mode::Polling) {
      startPoll(added);
    }
    updateTimer();
  }

  void remove(WatchId id) {
    for (auto it = dirs_.begin(); it != dirs_.end(); ++it) {
      auto& files = it->second->files;
      for (auto f = files.begin(); f != files.end(); ++f) {
        if ((*f)->id != id) continue;
        closeHandle((*f)->poll);
        files.erase(f);
        if (files.empty()) {
          closeHandle(it->second->event);
          dirs_.erase(it);
        }
        updateTimer();
        return;
      }
    }
  }

  void closeAll() {
    for (auto& [path, dir] : dirs_) {
      closeHandle(dir->event);
      for (auto& file : dir->files) closeHandle(file->poll);
    }
    dirs_.clear();
    closeHandle(timer_);
    timer_ = nullptr;
  }

 private:
  // (Re)starts watching `dir` in the best mode available now; leaves the files' polls running
  // when the directory was already polled.
  void startDirectory(DirWatch& dir) {
    closeHandle(dir.event);
    dir.event = nullptr;
    if (options_.forcePolling) {
      enterPolling(dir);
      return;
    }
    // stat() before inotify_add_watch(): if the directory is replaced in between, the recorded
    // inode is the old one and the next check re-watches; the other order could miss the swap.
    struct stat st {};
    if (::stat(dir.path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      dir.mode = Mode::Missing;
      return;
    }
    dir.device = st.st_dev;
    dir.inode = st.st_ino;
    auto* event = newHandle<uv_fs_event_t>(shared_from_this());
    uv_fs_event_init(loop_, event);
    event->data = &dir;
    if (int err = uv_fs_event_start(event, &State::onEvent, dir.path.c_str(), 0); err != 0) {
      closeHandle(event);
      if (err == UV_ENOENT || err == UV_ENOTDIR) {
        dir.mode = Mode::Missing;
        return;
      }
      spdlog::warn("file watcher: cannot watch {} with inotify ({}); polling its files instead", dir.path,
                   uv_strerror(err));
      enterPolling(dir);
      return;
    }
    dir.event = event;
    dir.mode = Mode::Inotify;
  }

  void enterPolling(DirWatch& dir) {
    dir.mode = Mode::Polling;
    for (auto& file : dir.files) {
      if (file->poll == nullptr) startPoll(*file);
    }
  }

  void startPoll(FileEntry& file) {
    auto* poll = newHandle<uv_fs_poll_t>(shared_from_this());
    uv_fs_poll_init(loop_, poll);
    poll->data = &file;
    const std::string full = file.dir->path + "/" + file.name;
    const auto interval = static_cast<unsigned>(std::max<std::int64_t>(1, options_.pollInterval.count()));
    if (int err = uv_fs_poll_start(poll, &State::onPoll, full.c_str(), interval); err != 0) {
      spdlog::error("file watcher: cannot poll {}: {}", full, uv_strerror(err));
      closeHandle(poll);
      return;
    }
    file.poll = poll;
  }

  // Notifications are collected and posted by flush() once the libuv callback or task is done
  // with the containers: with an immediate Post the owner's callback may call watch() at once.
  void notify(const FileEntry& file) { pending_.push_back(file.subscription); }

  void flush() {
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& subscription : pending) {
      post_([subscription = std::move(subscription)] { subscription->deliver(); });
    }
  }

  void notifyAll(const DirWatch& dir) {
    for (const auto& file : dir.files) notify(*file);
  }

  // Re-watches `dir` when it disappeared or is no longer the inode being watched, and then tells
  // every file in it (after re-watching, so that nothing written meanwhile goes unseen).
  void revalidate(DirWatch& dir) {
    struct stat st {};
    const bool same = ::stat(dir.path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_dev == dir.device &&
                      st.st_ino == dir.inode;
    if (same) return;
    startDirectory(dir);
    notifyAll(dir);
  }

  static void onEvent(uv_fs_event_t* handle, const char* filename, int events, int status) {
    auto& dir = *static_cast<DirWatch*>(handle->data);
    State& self = *dir.state;
    if (status < 0 || filename == nullptr) {
      self.revalidate(dir);
      self.flush();
      return;
    }
    const std::string_view name(filename);
    for (const auto& file : dir.files) {
      if (file->name == name) self.notify(*file);
    }
    // Events on the directory itself carry its base name (libuv's inotify backend). A rename
    // event there is IN_DELETE_SELF, IN_MOVE_SELF or IN_IGNORED (or a file named like the
    // directory): re-watch unconditionally, since a recreated directory may reuse the inode
    // number and then look unchanged to revalidate().
    if (name == dir.baseName) {
      if ((events & UV_RENAME) != 0) {
        self.startDirectory(dir);
        self.notifyAll(dir);
      } else {
        self.revalidate(dir);
      }
    }
    self.flush();
  }

  static void onPoll(uv_fs_poll_t* handle, int status, const uv_stat_t* prev, const uv_stat_t* /*curr*/) {
    auto& file = *static_cast<FileEntry*>(handle->data);
    // libuv reports a first failed stat (a file that does not exist yet) as a change from an
    // all-zero stat; that is the initial state, not a change.
    const bool neverSeen = prev->st_ino == 0 && prev->st_mtim.tv_sec == 0 && prev->st_mtim.tv_nsec == 0;
    if (status < 0 && neverSeen) return;
    file.dir->state->notify(file);
    file.dir->state->flush();
  }

  static void onTimer(uv_timer_t* handle) {
    auto& self = *static_cast<State*>(handle->data);
    for (auto& [path, dir] : self.dirs_) {
      if (dir->mode == Mode::Inotify) {
        self.revalidate(*dir);
      } else if (dir->mode == Mode::Missing) {
        self.startDirectory(*dir);
        if (dir->mode != Mode::Missing) self.notifyAll(*dir);
      }
    }
    self.updateTimer();
    self.flush();
  }

  // The timer runs while any directory is watched with inotify or missing.
  void updateTimer() {
    bool needed = false;
    for (const auto& [path, dir] : dirs_) needed = needed || dir->mode != Mode::Polling;
    if (!needed) {
      if (timer_ != nullptr) uv_timer_stop(timer_);
      return;
    }
    if (timer_ == nullptr) {
      timer_ = newHandle<uv_timer_t>(shared_from_this());
      uv_timer_init(loop_, timer_);
      timer_->data = this;
    }
    if (!uv_is_active(reinterpret_cast<uv_handle_t*>(timer_))) {
      const auto interval = static_cast<std::uint64_t>(std::max<std::int64_t>(1, options_.pollInterval.count()));
      uv_timer_start(timer_, &State::onTimer, interval, interval);
    }
  }

  Post post_;
  FileWatcherOptions options_;
  uv_loop_t* loop_ = nullptr;
  std::map<std::string, std::unique_ptr<DirWatch>> dirs_;
  uv_timer_t* timer_ = nullptr;
  std::vector<std::shared_ptr<Subscription>> pending_;
};

class UvFileWatcher final : public FileWatcher {
 public:
  UvFileWatcher(UvLoop& loop, Post post, FileWatcherOptions options)
      : loop_(loop), state_(std::make_shared<State>(std::move(post), options)) {}

  ~UvFileWatcher() override {
    std::lock_guard lock(mutex_);
    for (auto& [id, subscription] : subscriptions_) subscription->deactivate();
    detail::LoopAccess::run(loop_, [state = state_](uv_loop_t*) { state->closeAll(); });
  }

  WatchId watch(const std::filesystem::path& file, Callback cb) override {
    auto absolute = std::filesystem::absolute(file).lexically_normal();
    if (!absolute.has_filename() || absolute.parent_path() == absolute) {
      throw std::invalid_argument("FileWatcher::watch: not a file path: " + file.string());
    }
    auto subscription = std::make_shared<Subscription>();
    subscription->callback = std::move(cb);
    subscription->path = file;
    WatchId id;
    {
      std::lock_guard lock(mutex_);
      id = nextId_++;
      subscriptions_[id] = subscription;
    }
    // Wait, so that every change made after watch() returns is reported.
    detail::LoopAccess::runAndWait(loop_, [state = state_, id, &absolute, &subscription](uv_loop_t* loop) {
      state->add(loop, id, absolute, subscription);
    });
    return id;
  }

  void unwatch(WatchId id) override {
    {
      std::lock_guard lock(mutex_);
      auto it = subscriptions_.find(id);
      if (it == subscriptions_.end()) return;
      it->second->deactivate();
      subscriptions_.erase(it);
    }
    detail::LoopAccess::run(loop_, [state = state_, id](uv_loop_t*) { state->remove(id); });
  }

 private:
  UvLoop& loop_;
  std::shared_ptr<State> state_;
  std::mutex mutex_;
  std::map<WatchId, std::shared_ptr<Subscription>> subscriptions_;
  WatchId nextId_ = 1;
};

}  // namespace

std::unique_ptr<FileWatcher> makeUvFileWatcher(UvLoop& loop, Post post, FileWatcherOptions options) {
  return std::make_unique<UvFileWatcher>(loop, std::move(post), options);
}

}  // namespace sysimage::platform

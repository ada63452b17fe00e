// Tests for the libuv FileWatcher against the real file system: editor save patterns, directory
// replacement, filtering of unrelated files, and the polling fallback.
#include <unistd.h>

#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "server/platform/file_watcher.h"
#include "server/platform/uv_loop.h"
#include "tests/platform/post_queue.h"
#include "tests/platform/temp_dir.h"

namespace sysimage::platform {
namespace {

using namespace std::chrono_literals;
using testing::PostQueue;
using testing::TempDir;
namespace fs = std::filesystem;

void writeFile(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

void appendFile(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::app);
  out << text;
}

class UvFileWatcherTest : public ::testing::Test {
 protected:
  // Declaration order is destruction order reversed: the watcher goes before the loop, and the
  // queue (whose Post the loop side holds) after both.
  TempDir dir;
  PostQueue queue;
  UvLoop loop;
  std::unique_ptr<FileWatcher> watcher;
  std::map<fs::path, int> events;  // per watched path, counted on the test thread

  void SetUp() override { watcher = makeUvFileWatcher(loop, queue.post()); }

  FileWatcher::WatchId watch(const fs::path& p) {
    return watcher->watch(p, [this](const fs::path& changed) { ++events[changed]; });
  }

  // Waits until `p` has been reported more than `before` times.
  bool waitForEvent(const fs::path& p, int before) {
    return queue.runUntil([&] { return events[p] > before; });
  }

  // Touches a watched sentinel and waits for its event. inotify reports a directory's events in
  // order, so once the sentinel's arrives every earlier event in that directory has been handled.
  void barrier(const fs::path& sentinel) {
    const int before = events[sentinel];
    appendFile(sentinel, "x");
    ASSERT_TRUE(waitForEvent(sentinel, before)) << "no event for sentinel " << sentinel;
  }
};

TEST_F(UvFileWatcherTest, WriteInPlace) {
  const auto file = dir / "Project.toml";
  writeFile(file, "name = \"A\"\n");
  watch(file);
  appendFile(file, "version = \"0.1.0\"\n");
  EXPECT_TRUE(waitForEvent(file, 0));
}

TEST_F(UvFileWatcherTest, ReportsThePathAsGiven) {
  const fs::path relative = fs::relative(dir / "Project.toml");
  ASSERT_TRUE(relative.is_relative());
  watch(relative);
  writeFile(dir / "Project.toml", "x");
  EXPECT_TRUE(waitForEvent(relative, 0));
}

TEST_F(UvFileWatcherTest, AtomicRenameSave) {
  const auto file = dir / "Manifest.toml";
  writeFile(file, "old\n");
  watch(file);
  writeFile(dir / ".Manifest.toml.tmp", "new\n");
  fs::rename(dir / ".Manifest.toml.tmp", file);
  ASSERT_TRUE(waitForEvent(file, 0));
  // The watch survives the inode change: the next save is seen too.
  const int before = events[file];
  writeFile(dir / ".Manifest.toml.tmp", "newer\n");
  fs::rename(dir / ".Manifest.toml.tmp", file);
  EXPECT_TRUE(waitForEvent(file, before));
}

TEST_F(UvFileWatcherTest, TruncateThenWrite) {
  const auto file = dir / "Project.toml";
  writeFile(file, "a long first version\n");
  watch(file);
  fs::resize_file(file, 0);
  ASSERT_TRUE(waitForEvent(file, 0));
  const int before = events[file];
  appendFile(file, "second\n");
  EXPECT_TRUE(waitForEvent(file, before));
}

TEST_F(UvFileWatcherTest, DeleteAndRecreate) {
  const auto file = dir / "Project.toml";
  writeFile(file, "x\n");
  watch(file);
  fs::remove(file);
  ASSERT_TRUE(waitForEvent(file, 0));
  const int before = events[file];
  writeFile(file, "y\n");
  EXPECT_TRUE(waitForEvent(file, before));
}

TEST_F(UvFileWatcherTest, FileThatDoesNotExistYet) {
  const auto file = dir / "Manifest.toml";
  watch(file);
  writeFile(file, "created\n");
  EXPECT_TRUE(waitForEvent(file, 0));
}

TEST_F(UvFileWatcherTest, EditorSwapFilesAreNotReported) {
  const auto file = dir / "Project.toml";
  const auto sentinel = dir / "sentinel";
  writeFile(file, "x\n");
  writeFile(sentinel, "");
  watch(file);
  watch(sentinel);
  // What vim, emacs and VS Code leave next to a file while editing it.
  writeFile(dir / ".Project.toml.swp", "swap");
  writeFile(dir / "4913", "");
  fs::remove(dir / "4913");
  writeFile(dir / "Project.toml~", "backup");
  writeFile(dir / ".#Project.toml", "lock");
  writeFile(dir / "Project.toml.tmp", "tmp");
  fs::remove(dir / "Project.toml.tmp");
  barrier(sentinel);
  EXPECT_EQ(events[file], 0);
}

TEST_F(UvFileWatcherTest, EventsOfOtherWatchedFilesInTheDirectoryAreNotCrossDelivered) {
  const auto project = dir / "Project.toml";
  const auto manifest = dir / "Manifest.toml";
  const auto sentinel = dir / "sentinel";
  for (const auto& p : {project, manifest, sentinel}) writeFile(p, "");
  watch(project);
  watch(manifest);
  watch(sentinel);
  appendFile(project, "changed\n");
  ASSERT_TRUE(waitForEvent(project, 0));
  barrier(sentinel);
  EXPECT_EQ(events[manifest], 0);
}

TEST_F(UvFileWatcherTest, SamePathWatchedTwiceNotifiesBoth) {
  const auto file = dir / "Project.toml";
  int first = 0, second = 0;
  watcher->watch(file, [&](const fs::path&) { ++first; });
  watcher->watch(file, [&](const fs::path&) { ++second; });
  writeFile(file, "x");
  EXPECT_TRUE(queue.runUntil([&] { return first > 0 && second > 0; }));
}

TEST_F(UvFileWatcherTest, UnwatchStopsNotifications) {
  const auto file = dir / "Project.toml";
  const auto sentinel = dir / "sentinel";
  writeFile(sentinel, "");
  const auto id = watch(file);
  watch(sentinel);
  writeFile(file, "before unwatch");  // its notification may already be queued ...
  watcher->unwatch(id);               // ... and must be dropped
  writeFile(file, "after unwatch");
  barrier(sentinel);
  EXPECT_EQ(events[file], 0);
  watcher->unwatch(id);  // unknown ids are ignored
}

TEST_F(UvFileWatcherTest, DirectoryRemovedAndRecreated) {
  const auto project = dir / "project";
  fs::create_directory(project);
  const auto file = project / "Project.toml";
  writeFile(file, "x\n");
  watch(file);
  fs::remove_all(project);
  ASSERT_TRUE(waitForEvent(file, 0));
  fs::create_directory(project);
  const int before = events[file];
  writeFile(file, "recreated\n");
  ASSERT_TRUE(waitForEvent(file, before));
  // Once the new directory is watched, ordinary writes are seen again.
  queue.runFor(300ms);  // let a late notification of the swap arrive first
  const int settled = events[file];
  appendFile(file, "more\n");
  EXPECT_TRUE(waitForEvent(file, settled));
}

TEST_F(UvFileWatcherTest, DirectoryReplacedByRename) {
  const auto project = dir / "project";
  fs::create_directory(project);
  const auto file = project / "Manifest.toml";
  writeFile(file, "old\n");
  watch(file);
  fs::create_directory(dir / "project.new");
  writeFile(dir / "project.new" / "Manifest.toml", "new\n");
  fs::rename(project, dir / "project.old");
  fs::rename(dir / "project.new", project);
  ASSERT_TRUE(waitForEvent(file, 0));
  queue.runFor(300ms);  // let a late notification of the swap arrive first
  const int settled = events[file];
  appendFile(file, "edited in the new directory\n");
  EXPECT_TRUE(waitForEvent(file, settled));
  // Writes to the old, moved-away directory are not reported as the watched path any more.
  const auto sentinel = project / "sentinel";
  writeFile(sentinel, "");
  watch(sentinel);
  const int now = events[file];
  appendFile(dir / "project.old" / "Manifest.toml", "stale\n");
  barrier(sentinel);
  EXPECT_EQ(events[file], now);
}

TEST_F(UvFileWatcherTest, ReplacedAncestorDirectoryIsNoticed) {
  fs::create_directories(dir / "a" / "project");
  const auto file = dir / "a" / "project" / "Project.toml";
  writeFile(file, "old\n");
  watch(file);
  fs::rename(dir / "a", dir / "a.old");  // no inotify event reaches the watched directory
  fs::create_directories(dir / "a" / "project");
  writeFile(file, "new\n");
  EXPECT_TRUE(waitForEvent(file, 0));
}

TEST_F(UvFileWatcherTest, MissingParentDirectoryIsPolledUntilItAppears) {
  const auto file = dir / "not" / "yet" / "Project.toml";
  watch(file);
  fs::create_directories(file.parent_path());
  writeFile(file, "x\n");
  ASSERT_TRUE(waitForEvent(file, 0));
  queue.runFor(300ms);
  const int settled = events[file];
  appendFile(file, "y\n");
  EXPECT_TRUE(waitForEvent(file, settled));
}

TEST_F(UvFileWatcherTest, DestroyingTheWatcherWithActiveWatchesStopsNotifications) {
  const auto file = dir / "Project.toml";
  watch(file);
  writeFile(file, "x");
  watcher.reset();
  queue.runFor(100ms);
  EXPECT_EQ(events[file], 0);
}

TEST_F(UvFileWatcherTest, RejectsAPathWithoutAFileName) {
  EXPECT_THROW(watcher->watch("/", [](const fs::path&) {}), std::invalid_argument);
}

class UvFileWatcherPollingTest : public UvFileWatcherTest {
 protected:
  void SetUp() override {
    watcher = makeUvFileWatcher(loop, queue.post(), FileWatcherOptions{.pollInterval = 20ms, .forcePolling = true});
  }
};

TEST_F(UvFileWatcherPollingTest, SeesWritesDeletesAndCreation) {
  const auto file = dir / "Project.toml";
  writeFile(file, "1\n");
  watch(file);
  // uv_fs_poll compares against its first stat, which happens asynchronously after watch().
  queue.runFor(150ms);
  appendFile(file, "22\n");
  ASSERT_TRUE(waitForEvent(file, 0));
  int before = events[file];
  fs::remove(file);
  ASSERT_TRUE(waitForEvent(file, before));
  before = events[file];
  writeFile(file, "333\n");
  ASSERT_TRUE(waitForEvent(file, before));
  before = events[file];
  writeFile(dir / ".tmp", "4444\n");
  fs::rename(dir / ".tmp", file);
  EXPECT_TRUE(waitForEvent(file, before));
}

TEST_F(UvFileWatcherPollingTest, MissingFileIsNotReportedUntilCreated) {
  const auto file = dir / "missing" / "Project.toml";
  watch(file);
  queue.runFor(100ms);  // five poll intervals
  EXPECT_EQ(events[file], 0);
  fs::create_directory(dir / "missing");
  writeFile(file, "x");
  EXPECT_TRUE(waitForEvent(file, 0));
}

}  // namespace
}  // namespace sysimage::platform

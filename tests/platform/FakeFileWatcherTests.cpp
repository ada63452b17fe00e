// Tests for FakeFileWatcher, the watcher other layers' tests use.
#include "server/platform/fake_file_watcher.h"

#include <gtest/gtest.h>

namespace sysimage::platform {
namespace {

namespace fs = std::filesystem;

TEST(FakeFileWatcher, TriggerCallsTheWatchesOfThatPathWithThePathAsGiven) {
  FakeFileWatcher watcher;
  std::vector<fs::path> seen;
  watcher.watch("/p/./Project.toml", [&](const fs::path& p) { seen.push_back(p); });
  watcher.watch("/p/Manifest.toml", [&](const fs::path& p) { seen.push_back(p); });
  EXPECT_TRUE(watcher.watching("/p/Project.toml"));
  EXPECT_EQ(watcher.trigger("/p/Project.toml"), 1u);
  EXPECT_EQ(seen, std::vector<fs::path>{"/p/./Project.toml"});
  EXPECT_EQ(watcher.trigger("/p/Other.toml"), 0u);
}

TEST(FakeFileWatcher, UnwatchDuringTriggerIsHonoured) {
  FakeFileWatcher watcher;
  int first = 0, second = 0;
  FileWatcher::WatchId secondId = 0;
  watcher.watch("/p/Project.toml", [&](const fs::path&) {
    ++first;
    watcher.unwatch(secondId);
  });
  secondId = watcher.watch("/p/Project.toml", [&](const fs::path&) { ++second; });
  EXPECT_EQ(watcher.trigger("/p/Project.toml"), 1u);
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 0);
  EXPECT_EQ(watcher.watchCount(), 1u);
}

}  // namespace
}  // namespace sysimage::platform

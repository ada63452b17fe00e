// Tests for FileLock: exclusion within a process, across processes, timeouts and release.
#include "server/platform/file_lock.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "tests/platform/temp_dir.h"

namespace sysimage::platform {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

// Forks a child that tries the lock once; returns whether it got it.
bool otherProcessCanLock(const std::filesystem::path& file) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    FileLock lock(file);
    ::_exit(lock.tryLock() ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(FileLock, CreatesTheLockFileWithoutLocking) {
  TempDir dir;
  FileLock lock(dir / "store.lock");
  EXPECT_TRUE(std::filesystem::exists(dir / "store.lock"));
  EXPECT_FALSE(lock.locked());
  EXPECT_EQ(lock.path(), dir / "store.lock");
}

TEST(FileLock, SecondLockOnTheSameFileIsRefusedUntilUnlock) {
  TempDir dir;
  FileLock first(dir / "store.lock");
  FileLock second(dir / "store.lock");
  ASSERT_TRUE(first.tryLock());
  EXPECT_TRUE(first.tryLock()) << "already held by this object";
  EXPECT_FALSE(second.tryLock());
  first.unlock();
  EXPECT_FALSE(first.locked());
  EXPECT_TRUE(second.tryLock());
}

TEST(FileLock, ExcludesOtherProcesses) {
  TempDir dir;
  FileLock lock(dir / "store.lock");
  ASSERT_TRUE(lock.tryLock());
  EXPECT_FALSE(otherProcessCanLock(dir / "store.lock"));
  lock.unlock();
  EXPECT_TRUE(otherProcessCanLock(dir / "store.lock"));
}

TEST(FileLock, DestructorReleases) {
  TempDir dir;
  {
    FileLock lock(dir / "store.lock");
    ASSERT_TRUE(lock.tryLock());
  }
  FileLock again(dir / "store.lock");
  EXPECT_TRUE(again.tryLock());
}

TEST(FileLock, LockTimesOutWhileHeld) {
  TempDir dir;
  FileLock holder(dir / "store.lock");
  ASSERT_TRUE(holder.tryLock());
  FileLock waiter(dir / "store.lock");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(waiter.lock(100ms));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);
  EXPECT_FALSE(waiter.lock(0ms));
}

TEST(FileLock, LockWaitsForRelease) {
  TempDir dir;
  FileLock holder(dir / "store.lock");
  ASSERT_TRUE(holder.tryLock());
  std::thread releaser([&] {
    std::this_thread::sleep_for(50ms);
    holder.unlock();
  });
  FileLock waiter(dir / "store.lock");
  EXPECT_TRUE(waiter.lock(10s));
  releaser.join();
}

TEST(FileLock, MoveTransfersTheLock) {
  TempDir dir;
  FileLock a(dir / "store.lock");
  ASSERT_TRUE(a.tryLock());
  FileLock b(std::move(a));
  EXPECT_TRUE(b.locked());
  FileLock other(dir / "store.lock");
  EXPECT_FALSE(other.tryLock());
  b = FileLock(dir / "other.lock");  // closing the old descriptor releases the first lock
  EXPECT_TRUE(other.tryLock());
}

TEST(FileLock, UnopenablePathThrowsWithThePath) {
  TempDir dir;
  const auto bad = dir / "missing" / "store.lock";
  try {
    FileLock lock(bad);
    FAIL() << "expected std::system_error";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
    EXPECT_NE(std::string(e.what()).find(bad.string()), std::string::npos) << e.what();
  }
}

TEST(FileLock, SharedLocksCoexistAndExcludeAnExclusiveOne) {
  TempDir dir;
  FileLock reader1(dir / "lock");
  FileLock reader2(dir / "lock");
  FileLock writer(dir / "lock");
  ASSERT_TRUE(reader1.tryLock(FileLock::Mode::Shared));
  EXPECT_TRUE(reader2.tryLock(FileLock::Mode::Shared));
  EXPECT_FALSE(writer.tryLock(FileLock::Mode::Exclusive));
  reader1.unlock();
  reader2.unlock();
  EXPECT_TRUE(writer.tryLock(FileLock::Mode::Exclusive));
  EXPECT_FALSE(reader1.tryLock(FileLock::Mode::Shared));
}

TEST(FileLock, ReadOnlyLockFileStillLocks) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores file modes";
  TempDir dir;
  { FileLock create(dir / "lock"); }
  ::chmod((dir / "lock").c_str(), 0444);
  FileLock reader(dir / "lock");
  EXPECT_TRUE(reader.tryLock(FileLock::Mode::Shared));
}

}  // namespace
}  // namespace sysimage::platform

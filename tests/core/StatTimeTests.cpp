// Tests of the portable stat modification time (server/core/stat_time.h).
#include "server/core/stat_time.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace sysimage::core {
namespace {

TEST(StatTime, ModificationTimeInNanoseconds) {
  testing::TempDir dir;
  dir.write("f", "x");
  const auto path = dir.path() / "f";
  // 2026-01-02T03:04:05.123456789Z, set to the nanosecond (file systems here keep nanoseconds).
  const struct timespec times[2] = {{1767323045, 123456789}, {1767323045, 123456789}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(modificationTimeNs(st), 1767323045123456789LL);
}

}  // namespace
}  // namespace sysimage::core

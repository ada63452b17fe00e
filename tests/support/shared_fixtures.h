// The shared fixture collection (../shared/fixtures: public manifests, traces and build logs gathered
// next to the project, see its SOURCES.md) is not part of the project: a clone of the project alone
// has none, and the tests that read it skip with this message. The project's own fixtures, written
// by the real Julia here, are in tests/fixtures/ and always run.
#pragma once

#include <filesystem>

#include <gtest/gtest.h>

namespace sysimage::testing {

inline bool haveSharedFixtures() { return std::filesystem::is_directory(SYSIMAGE_FIXTURES_DIR); }

}  // namespace sysimage::testing

/// First statement of a test that reads SYSIMAGE_FIXTURES_DIR.
#define SKIP_WITHOUT_SHARED_FIXTURES()                                                                         \
  if (!::sysimage::testing::haveSharedFixtures())                                                              \
  GTEST_SKIP() << "needs the shared fixture collection " SYSIMAGE_FIXTURES_DIR                                  \
                  " (next to the project, not part of it); the project's own fixtures are in tests/fixtures/"

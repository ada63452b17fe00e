// Tests for CancellationToken/CancellationSource: callbacks run once, late ones at once, default tokens never.
#include "server/platform/cancellation.h"

#include <gtest/gtest.h>

namespace sysimage::platform {
namespace {

TEST(Cancellation, CallbacksRunOnceAndLateRegistrationsRunAtOnce) {
  CancellationSource source;
  CancellationToken token = source.token();
  CancellationToken copy = token;
  int a = 0, b = 0;
  token.onCancel([&] { ++a; });
  EXPECT_FALSE(copy.cancelled());
  source.cancel();
  source.cancel();
  EXPECT_TRUE(copy.cancelled());
  EXPECT_TRUE(source.cancelled());
  EXPECT_EQ(a, 1);
  copy.onCancel([&] { ++b; });
  EXPECT_EQ(b, 1);
  CancellationToken none;  // a default token never fires
  EXPECT_FALSE(none.cancelled());
  none.onCancel([&] { ++b; });
  EXPECT_EQ(b, 1);
}

}  // namespace
}  // namespace sysimage::platform

// Tests for the libuv Timer: one-shot, repeating, stop and restart semantics.
#include <gtest/gtest.h>

#include "server/platform/timer.h"
#include "server/platform/uv_loop.h"
#include "tests/platform/post_queue.h"

namespace sysimage::platform {
namespace {

using namespace std::chrono_literals;
using testing::PostQueue;

class UvTimerTest : public ::testing::Test {
 protected:
  PostQueue queue;
  UvLoop loop;
  std::unique_ptr<Timer> timer = makeUvTimer(loop, queue.post());
};

TEST_F(UvTimerTest, OneShotFiresOnceAfterTheTimeout) {
  int fired = 0;
  const auto start = std::chrono::steady_clock::now();
  timer->start(30ms, 0ms, [&] { ++fired; });
  ASSERT_TRUE(queue.runUntil([&] { return fired == 1; }));
  // libuv keeps loop time in whole milliseconds, rounded down, so a timer may fire up to 1 ms early.
  EXPECT_GE(std::chrono::steady_clock::now() - start, 29ms);
  queue.runFor(100ms);
  EXPECT_EQ(fired, 1);
}

TEST_F(UvTimerTest, RepeatingFiresUntilStopped) {
  int fired = 0;
  timer->start(0ms, 10ms, [&] { ++fired; });
  ASSERT_TRUE(queue.runUntil([&] { return fired >= 3; }));
  timer->stop();
  const int atStop = fired;
  queue.runFor(60ms);
  EXPECT_EQ(fired, atStop) << "no callback after stop(), even one already posted";
}

TEST_F(UvTimerTest, RestartCancelsThePreviousSchedule) {
  int first = 0, second = 0;
  timer->start(20ms, 0ms, [&] { ++first; });
  timer->start(40ms, 0ms, [&] { ++second; });  // debouncing: the later start wins
  ASSERT_TRUE(queue.runUntil([&] { return second == 1; }));
  queue.runFor(50ms);
  EXPECT_EQ(first, 0);
  EXPECT_EQ(second, 1);
}

TEST_F(UvTimerTest, StopBeforeFiringAndDestroyWhileRunning) {
  int fired = 0;
  timer->start(20ms, 0ms, [&] { ++fired; });
  timer->stop();
  timer->stop();
  queue.runFor(60ms);
  EXPECT_EQ(fired, 0);
  timer->start(0ms, 5ms, [&] { ++fired; });
  ASSERT_TRUE(queue.runUntil([&] { return fired > 0; }));
  timer.reset();
  const int atReset = fired;
  queue.runFor(30ms);
  EXPECT_EQ(fired, atReset);
}

TEST_F(UvTimerTest, CallbackMayRestartItsTimer) {
  int fired = 0;
  std::function<void()> again = [&] {
    if (++fired < 3) timer->start(5ms, 0ms, again);
  };
  timer->start(5ms, 0ms, again);
  EXPECT_TRUE(queue.runUntil([&] { return fired == 3; }));
}

}  // namespace
}  // namespace sysimage::platform

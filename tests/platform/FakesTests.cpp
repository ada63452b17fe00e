// Tests for the platform fakes other layers' tests rely on: ManualTimers keep the Timer contract on
// a clock the test moves; FakeProcessLauncher keeps the ProcessLauncher/Process contract.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/platform/fake_process_launcher.h"
#include "server/platform/manual_timer.h"
#include "tests/platform/post_queue.h"

namespace sysimage::platform {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;

ProcessOptions program(const char* name) {
  ProcessOptions o;
  o.program = name;
  return o;
}

TEST(ManualTimers, FireInOrderOfDueTimeOnlyWhenTheClockMoves) {
  ManualTimers timers;
  auto a = timers.make();
  auto b = timers.make();
  std::vector<std::string> fired;
  a->start(300ms, 0ms, [&] { fired.push_back("a"); });
  b->start(100ms, 100ms, [&] { fired.push_back("b"); });
  EXPECT_TRUE(fired.empty());
  timers.advance(250ms);
  EXPECT_THAT(fired, ElementsAre("b", "b"));
  timers.advance(100ms);  // both due at 300 ms: a was scheduled first
  EXPECT_THAT(fired, ElementsAre("b", "b", "a", "b"));
  EXPECT_EQ(timers.now(), 350ms);
}

TEST(ManualTimers, RestartStopAndDestroyCancelTheSchedule) {
  ManualTimers timers;
  int fired = 0;
  auto t = timers.make();
  t->start(100ms, 0ms, [&] { ++fired; });
  timers.advance(50ms);
  t->start(100ms, 0ms, [&] { ++fired; });  // restarted: due at 150 ms now
  timers.advance(60ms);
  EXPECT_EQ(fired, 0);
  timers.advance(40ms);
  EXPECT_EQ(fired, 1);
  t->start(10ms, 10ms, [&] { ++fired; });
  t->stop();
  timers.advance(100ms);
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(timers.alive(), 1u);
  t->start(10ms, 0ms, [&] { t.reset(); });  // a callback may destroy its own timer
  timers.advance(20ms);
  EXPECT_EQ(timers.alive(), 0u);
  EXPECT_EQ(timers.scheduled(), 0u);
}

TEST(FakeProcessLauncher, ExitAndOutputArriveThroughPost) {
  testing::PostQueue queue;
  FakeProcessLauncher launcher(queue.post());
  std::string out;
  std::optional<ExitStatus> exit;
  ProcessOptions o;
  o.program = "/usr/bin/julia";
  o.args = {"-e", "0"};
  o.onStdout = [&](std::string_view chunk) { out += chunk; };
  auto process = launcher.launch(o, [&](ExitStatus s) { exit = s; });
  ASSERT_EQ(launcher.children().size(), 1u);
  auto child = launcher.children()[0];
  EXPECT_EQ(child->program(), "julia");
  EXPECT_EQ(child->argAfter("-e"), "0");
  child->output("hello\n");
  child->exit(3);
  EXPECT_FALSE(exit) << "not inside exit(): through Post";
  EXPECT_TRUE(queue.runUntil([&] { return exit.has_value(); }));
  EXPECT_EQ(out, "hello\n");
  EXPECT_EQ(exit->exitCode, 3);
  EXPECT_FALSE(process->running());
}

TEST(FakeProcessLauncher, TerminateKillsAndDestroyingDropsCallbacks) {
  testing::PostQueue queue;
  FakeProcessLauncher launcher(queue.post());
  std::optional<ExitStatus> first, second;
  auto a = launcher.launch(program("julia"), [&](ExitStatus s) { first = s; });
  auto b = launcher.launch(program("cc"), [&](ExitStatus s) { second = s; });
  a->terminate(1000ms);
  EXPECT_TRUE(queue.runUntil([&] { return first.has_value(); }));
  EXPECT_EQ(first->termSignal, SIGTERM);
  b.reset();  // the owner lets go of a running child: killed, and its callback never runs
  auto cc = launcher.childrenOf("cc")[0];
  EXPECT_TRUE(cc->released());
  EXPECT_THAT(cc->signals, ElementsAre(SIGKILL));
  cc->exit(0);
  queue.runFor(0ms);
  EXPECT_FALSE(second);
  EXPECT_EQ(launcher.running(), 0u);
}

TEST(FakeProcessLauncher, FailLaunchThrowsLikeTheRealLauncher) {
  FakeProcessLauncher launcher(immediatePost());
  launcher.failLaunch = [](const ProcessOptions&) { return std::make_error_code(std::errc::no_such_file_or_directory); };
  EXPECT_THROW(launcher.launch(program("missing"), [](ExitStatus) {}), std::system_error);
  EXPECT_TRUE(launcher.children().empty());
}

}  // namespace
}  // namespace sysimage::platform

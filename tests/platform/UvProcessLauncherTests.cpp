// Tests for the libuv ProcessLauncher and runProcessSync with real children: exit codes, signals,
// output capture, environment, cwd, start errors, process groups, terminate and many children.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include <gtest/gtest.h>

#include "server/platform/process.h"
#include "server/platform/uv_loop.h"
#include "tests/platform/post_queue.h"
#include "tests/platform/temp_dir.h"

namespace sysimage::platform {
namespace {

using namespace std::chrono_literals;
using testing::PostQueue;
using testing::TempDir;

// True when `pid` no longer runs. An orphan whose new parent does not reap it (PID 1 in some
// containers) is dead but still listed as a zombie, which counts as gone.
bool processGone(int pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

// Output and exit of one launched child, collected on the test thread.
struct ChildRun {
  std::string out, err;
  std::optional<ExitStatus> exit;
  int exitCalls = 0;
  bool outputAfterExit = false;
};

class UvProcessLauncherTest : public ::testing::Test {
 protected:
  PostQueue queue;
  UvLoop loop;
  std::unique_ptr<ProcessLauncher> launcher = makeUvProcessLauncher(loop, queue.post());

  std::unique_ptr<Process> start(ProcessOptions options, ChildRun& run) {
    options.onStdout = [&run](std::string_view c) {
      run.outputAfterExit = run.outputAfterExit || run.exit.has_value();
      run.out.append(c);
    };
    options.onStderr = [&run](std::string_view c) {
      run.outputAfterExit = run.outputAfterExit || run.exit.has_value();
      run.err.append(c);
    };
    return launcher->launch(options, [&run](ExitStatus s) {
      run.exit = s;
      ++run.exitCalls;
    });
  }

  static ProcessOptions shell(const std::string& script) {
    ProcessOptions o;
    o.program = "sh";
    o.args = {"-c", script};
    return o;
  }

  bool waitExit(const ChildRun& run, std::chrono::milliseconds timeout = 10s) {
    return queue.runUntil([&] { return run.exit.has_value(); }, timeout);
  }

  // Waits until the child printed one line to stdout and returns it as a pid.
  int readPidLine(ChildRun& run) {
    EXPECT_TRUE(queue.runUntil([&] { return run.out.find('\n') != std::string::npos; }));
    return std::atoi(run.out.c_str());
  }
};

TEST_F(UvProcessLauncherTest, ExitCode) {
  ChildRun run;
  auto p = start(shell("exit 3"), run);
  EXPECT_GT(p->pid(), 0);
  ASSERT_TRUE(waitExit(run));
  EXPECT_EQ(run.exit->exitCode, 3);
  EXPECT_EQ(run.exit->termSignal, 0);
  EXPECT_FALSE(p->running());
}

TEST_F(UvProcessLauncherTest, KilledBySignal) {
  ChildRun run;
  auto p = start(shell("kill -USR1 $$; sleep 5"), run);
  ASSERT_TRUE(waitExit(run));
  EXPECT_EQ(run.exit->termSignal, SIGUSR1);
  EXPECT_EQ(run.exit->exitCode, -1);
}

TEST_F(UvProcessLauncherTest, StdoutAndStderrAreCapturedCompletelyBeforeExit) {
  ChildRun run;
  // 1 MiB on stdout: more than a pipe buffer, so it arrives in many chunks.
  auto p = start(shell("head -c 1048576 /dev/zero | tr '\\0' x; echo oops >&2; exit 0"), run);
  ASSERT_TRUE(waitExit(run));
  EXPECT_EQ(run.out, std::string(1048576, 'x'));
  EXPECT_EQ(run.err, "oops\n");
  EXPECT_FALSE(run.outputAfterExit);
  queue.runFor(50ms);
  EXPECT_EQ(run.exitCalls, 1);
}

TEST_F(UvProcessLauncherTest, EnvironmentIsAddedOverriddenAndUnset) {
  ASSERT_EQ(::setenv("SYSIMAGE_TEST_KEEP", "kept", 1), 0);
  ASSERT_EQ(::setenv("SYSIMAGE_TEST_OVERRIDE", "old", 1), 0);
  ASSERT_EQ(::setenv("SYSIMAGE_TEST_UNSET", "present", 1), 0);
  auto options = shell("echo \"$SYSIMAGE_TEST_KEEP:$SYSIMAGE_TEST_OVERRIDE:${SYSIMAGE_TEST_UNSET-unset}:$JULIA_NUM_THREADS\"");
  options.env = {{"SYSIMAGE_TEST_OVERRIDE", "new"}, {"JULIA_NUM_THREADS", "4"}};
  options.unsetEnv = {"SYSIMAGE_TEST_UNSET"};
  ChildRun run;
  auto p = start(options, run);
  ASSERT_TRUE(waitExit(run));
  EXPECT_EQ(run.out, "kept:new:unset:4\n");
}

TEST_F(UvProcessLauncherTest, WorkingDirectory) {
  TempDir dir;
  auto options = shell("pwd -P");
  options.cwd = dir.path();
  ChildRun run;
  auto p = start(options, run);
  ASSERT_TRUE(waitExit(run));
  EXPECT_EQ(run.out, dir.path().string() + "\n");
}

TEST_F(UvProcessLauncherTest, RedirectsToAndFromFiles) {
  TempDir dir;
  std::ofstream(dir / "in.txt") << "from stdin\n";
  ProcessOptions options = shell("cat; echo to-stderr >&2");
  options.stdinFile = dir / "in.txt";
  options.stdoutFile = dir / "out.txt";
  options.stderrFile = dir / "err.txt";
  ChildRun run;
  auto p = start(options, run);
  ASSERT_TRUE(waitExit(run));
  EXPECT_EQ(run.exit->exitCode, 0);
  EXPECT_EQ(run.out, "");
  auto slurp = [](const std::filesystem::path& f) {
    std::stringstream s;
    s << std::ifstream(f).rdbuf();
    return s.str();
  };
  EXPECT_EQ(slurp(dir / "out.txt"), "from stdin\n");
  EXPECT_EQ(slurp(dir / "err.txt"), "to-stderr\n");
}

TEST_F(UvProcessLauncherTest, StdinIsDevNullByDefault) {
  ChildRun run;
  auto p = start(shell("cat; echo done"), run);
  ASSERT_TRUE(waitExit(run));
  EXPECT_EQ(run.out, "done\n");
}

TEST_F(UvProcessLauncherTest, ProgramNotFoundThrowsWithItsName) {
  ChildRun run;
  ProcessOptions options;
  options.program = "sysimage-no-such-program";
  try {
    start(options, run);
    FAIL() << "expected std::system_error";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
    EXPECT_NE(std::string(e.what()).find("sysimage-no-such-program"), std::string::npos) << e.what();
  }
  queue.runFor(20ms);
  EXPECT_EQ(run.exitCalls, 0);
}

TEST_F(UvProcessLauncherTest, NotExecutableThrows) {
  TempDir dir;
  std::ofstream(dir / "script.sh") << "#!/bin/sh\nexit 0\n";
  ::chmod((dir / "script.sh").c_str(), 0644);
  ProcessOptions options;
  options.program = dir / "script.sh";
  ChildRun run;
  EXPECT_THROW(start(options, run), std::system_error);
}

TEST_F(UvProcessLauncherTest, MissingWorkingDirectoryThrows) {
  auto options = shell("true");
  options.cwd = "/nonexistent/sysimage-test";
  ChildRun run;
  EXPECT_THROW(start(options, run), std::system_error);
}

TEST_F(UvProcessLauncherTest, UnopenableRedirectionThrowsWithThePath) {
  auto options = shell("true");
  options.stdoutFile = "/nonexistent/sysimage-test/out.txt";
  ChildRun run;
  try {
    start(options, run);
    FAIL() << "expected std::system_error";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/sysimage-test/out.txt"), std::string::npos) << e.what();
  }
}

TEST_F(UvProcessLauncherTest, KillingTheGroupLeavesNoGrandchildBehind) {
  ChildRun run;
  auto p = start(shell("sleep 100 & echo $!; sleep 100"), run);
  const int grandchild = readPidLine(run);
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(p->running());
  EXPECT_FALSE(processGone(grandchild));
  p->kill(SIGKILL);
  ASSERT_TRUE(waitExit(run));
  EXPECT_EQ(run.exit->termSignal, SIGKILL);
  EXPECT_TRUE(queue.runUntil([&] { return processGone(grandchild); }));
  EXPECT_TRUE(processGone(p->pid())) << "the child was reaped";
  p->kill(SIGKILL);  // safe after exit
}

TEST_F(UvProcessLauncherTest, WithoutAGroupOnlyTheChildIsSignalled) {
  auto options = shell("sleep 100 & echo $!; sleep 100");
  options.newProcessGroup = false;
  ChildRun run;
  auto p = start(options, run);
  const int grandchild = readPidLine(run);
  p->kill(SIGKILL);
  ASSERT_TRUE(waitExit(run));  // within the drain period: the grandchild holds the pipes
  EXPECT_FALSE(processGone(grandchild));
  ::kill(grandchild, SIGKILL);
  EXPECT_TRUE(queue.runUntil([&] { return processGone(grandchild); }));
}

TEST_F(UvProcessLauncherTest, TerminateEscalatesToSigkillAfterGrace) {
  ChildRun run;
  // SIG_IGN survives exec, so the sleeps ignore SIGTERM as well.
  auto p = start(shell("trap '' TERM; echo ready; while :; do sleep 0.05; done"), run);
  ASSERT_TRUE(queue.runUntil([&] { return run.out == "ready\n"; }));
  const auto start = std::chrono::steady_clock::now();
  p->terminate(200ms);
  ASSERT_TRUE(waitExit(run));
  EXPECT_EQ(run.exit->termSignal, SIGKILL);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 199ms);  // libuv timers have 1 ms granularity
  queue.runFor(50ms);
  EXPECT_EQ(run.exitCalls, 1);
}

TEST_F(UvProcessLauncherTest, TerminateStopsACooperativeProcessWithSigterm) {
  ChildRun run;
  auto p = start(shell("exec sleep 100"), run);
  p->terminate(10s);
  ASSERT_TRUE(waitExit(run, 5s));
  EXPECT_EQ(run.exit->termSignal, SIGTERM);
}

TEST_F(UvProcessLauncherTest, DestroyingARunningProcessKillsItsGroupAndDropsCallbacks) {
  ChildRun run;
  auto p = start(shell("sleep 100 & echo $!; sleep 100"), run);
  const int grandchild = readPidLine(run);
  const int pid = p->pid();
  p.reset();
  EXPECT_TRUE(queue.runUntil([&] { return processGone(pid) && processGone(grandchild); }));
  queue.runFor(50ms);
  EXPECT_EQ(run.exitCalls, 0);
}

TEST_F(UvProcessLauncherTest, ProcessesMayOutliveTheLauncher) {
  ChildRun run;
  auto p = start(shell("echo hi"), run);
  launcher.reset();
  ASSERT_TRUE(waitExit(run));
  EXPECT_EQ(run.out, "hi\n");
}

TEST_F(UvProcessLauncherTest, ManyProcessesAtOnce) {
  constexpr int kCount = 64;
  std::vector<ChildRun> runs(kCount);
  std::vector<std::unique_ptr<Process>> processes;
  for (int i = 0; i < kCount; ++i) {
    auto options = shell("echo $0; exit $(( $0 % 7 ))");
    options.args.push_back(std::to_string(i));
    processes.push_back(start(options, runs[i]));
  }
  ASSERT_TRUE(queue.runUntil([&] {
    for (const auto& r : runs) {
      if (!r.exit) return false;
    }
    return true;
  }, 30s));
  for (int i = 0; i < kCount; ++i) {
    EXPECT_EQ(runs[i].out, std::to_string(i) + "\n");
    EXPECT_EQ(runs[i].exit->exitCode, i % 7);
    EXPECT_EQ(runs[i].exitCalls, 1);
  }
}

TEST(RunProcessSync, CapturesOutputAndExitCode) {
  ProcessOptions options;
  options.program = "sh";
  options.args = {"-c", "echo out; echo err >&2; exit 2"};
  const RunResult r = runProcessSync(options, 10s);
  EXPECT_FALSE(r.timedOut);
  EXPECT_EQ(r.status.exitCode, 2);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
}

TEST(RunProcessSync, TimeoutKillsTheWholeGroup) {
  ProcessOptions options;
  options.program = "sh";
  options.args = {"-c", "sleep 100 & echo $!; sleep 100"};
  const auto start = std::chrono::steady_clock::now();
  const RunResult r = runProcessSync(options, 300ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_TRUE(r.timedOut);
  EXPECT_EQ(r.status.termSignal, SIGKILL);
  const int grandchild = std::atoi(r.out.c_str());
  ASSERT_GT(grandchild, 0);
  PostQueue idle;
  EXPECT_TRUE(idle.runUntil([&] { return processGone(grandchild); }));
}

TEST(RunProcessSync, NotFoundThrows) {
  ProcessOptions options;
  options.program = "/nonexistent/julia";
  EXPECT_THROW(runProcessSync(options, 1s), std::system_error);
}

}  // namespace
}  // namespace sysimage::platform

// In-process tests of SysimageService::shutdown: everything that holds platform resources (timers,
// watches, build steps, measurements) is released, so that the platform's loop may go next.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/core/statement_store.h"
#include "tests/service/service_harness.h"

namespace sysimage::service::testing {
namespace {

class Shutdown : public ServiceHarness {};

TEST_F(Shutdown, ReleasesEveryTimerWatchAndProcess) {
  const auto a = makeProject("A");
  const auto b = makeProject("B");
  buildNow(a);  // an image, so that the measurement below has a third variant
  playBuildTools(main(), false, /*holdMeasureRuns=*/true);
  Answer<ReplCommand> repl;
  service().replCommand(a, repl.callback());  // a recording: a watched trace file
  Answer<BuildResult> build;
  service().build(b, {}, nullptr, build.callback());
  Answer<Measurement> measurement;
  service().measure(a, std::nullopt, 1, measurement.callback());
  ASSERT_TRUE(until([&] { return repl.result && main().juliaBuilds().size() == 2 && main().measureRuns().size() == 1; }));
  ASSERT_GT(main().timers.alive(), 0u);
  ASSERT_GT(main().watcher->watchCount(), 0u);
  ASSERT_EQ(main().launcher->running(), 2u);

  service().shutdown();
  EXPECT_EQ(main().timers.alive(), 0u) << "timers outlived the service";
  EXPECT_EQ(main().watcher->watchCount(), 0u) << "watches outlived the service";
  EXPECT_EQ(main().launcher->running(), 0u);
  for (const auto& c : main().launcher->children()) {
    EXPECT_TRUE(c->released()) << c->program() << " still held";
  }
  EXPECT_THAT(main().juliaBuilds()[1]->signals, ::testing::ElementsAre(SIGKILL));
  EXPECT_EQ(main().launcher.use_count(), 1) << "the service let go of the launcher";
  EXPECT_EQ(main().watcher.use_count(), 1) << "the service let go of the watcher";
  drain();
  EXPECT_FALSE(build.result) << "requests cut off by the shutdown are not answered";
  EXPECT_FALSE(measurement.result);
}

TEST_F(Shutdown, RequestsAfterShutdownAnswerShutdown) {
  const auto project = makeProject("App");
  statusOf(project);
  service().shutdown();
  service().shutdown();  // idempotent
  Answer<ProjectStatus> status;
  service().status(project, status.callback());
  EXPECT_EQ(status.errorCode(), "shutdown");
  Answer<BuildResult> build;
  service().build(project, {}, nullptr, build.callback());
  EXPECT_EQ(build.errorCode(), "shutdown");
  EXPECT_FALSE(service().cancelBuild(project));
  drain();
  EXPECT_TRUE(main().launcher->children().empty());
}

TEST_F(Shutdown, RecordedStatementsAreFlushedToTheStore) {
  const auto project = makeProject("App");
  const fs::path storeDir = statusOf(project).storeDir;
  Answer<ReplCommand> repl;
  service().replCommand(project, repl.callback());
  ASSERT_TRUE(until([&] { return repl.result.has_value(); }));
  ASSERT_TRUE(repl.ok());
  // Julia wrote a statement that no file event reported yet.
  std::ofstream(repl.value().traceFile, std::ios::app) << "precompile(Tuple{typeof(Base.sin), Float64})\n";
  service().shutdown();
  core::StatementStore store(storeDir);
  EXPECT_TRUE(store.contains("precompile(Tuple{typeof(Base.sin), Float64})"));
}

}  // namespace
}  // namespace sysimage::service::testing

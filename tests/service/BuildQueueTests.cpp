// In-process tests of the build queue of SysimageService (server/service/builds.cpp) with a fake
// launcher playing julia and cc: publication, joining, queueing, build slots, the cross-process
// build.lock, and "unchanged inputs" answers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/core/image_metadata.h"
#include "server/platform/file_lock.h"
#include "tests/service/service_harness.h"

namespace sysimage::service::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class BuildQueue : public ServiceHarness {};

TEST_F(BuildQueue, PublishesTheImageWithItsSidecarIntoTheStore) {
  const auto project = makeProject("App");
  const BuildResult result = buildNow(project);
  EXPECT_FALSE(result.cached);
  EXPECT_EQ(result.backend, "native");
  EXPECT_EQ(result.statementsOk, 3u);
  EXPECT_THAT(result.image.filename().string(), StartsWith("sysimage-"));
  EXPECT_EQ(readText(result.image), "image");
  const auto metadata = core::readImageMetadata(core::metadataPathFor(result.image));
  EXPECT_EQ(metadata.juliaVersion, "1.5.3");
  ASSERT_EQ(metadata.packages.size(), 3u);  // Foo, and Printf with its dependency Unicode
  EXPECT_EQ(metadata.packages[0].name, "Foo");
  EXPECT_EQ(metadata.packages[0].version, "0.1.0");
  // The private build directory is gone; the log was kept.
  const ProjectStatus status = statusOf(project);
  EXPECT_EQ(status.staleness.state, "upToDate");
  ASSERT_TRUE(status.image);
  EXPECT_EQ(status.image->path, result.image.string());
  for (const auto& e : fs::directory_iterator(status.storeDir)) {
    EXPECT_FALSE(e.is_directory() && e.path().filename().string().starts_with("build-")) << e.path();
  }
  EXPECT_TRUE(fs::exists(status.storeDir / "logs" / (result.buildId + ".log")));
  EXPECT_EQ(main().juliaBuilds().size(), 1u);
  EXPECT_EQ(main().links().size(), 1u);
}

TEST_F(BuildQueue, RequestWithTheSameInputsJoinsTheRunningBuild) {
  const auto project = makeProject("App");
  playBuildTools(main(), /*finishJuliaAtOnce=*/false);
  Answer<BuildResult> first, second;
  std::vector<BuildProgressUpdate> secondProgress;
  service().build(project, {}, nullptr, first.callback());
  ASSERT_TRUE(until([&] { return main().juliaBuilds().size() == 1; }));
  service().build(project, {}, [&](const BuildProgressUpdate& u) { secondProgress.push_back(u); }, second.callback());
  drain();
  EXPECT_EQ(main().juliaBuilds().size(), 1u) << "a joined request must not start a second build";
  ASSERT_FALSE(secondProgress.empty());  // the joiner sees the running build's progress at once
  finishJulia(*main().juliaBuilds()[0]);
  ASSERT_TRUE(until([&] { return first.result && second.result; }));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first.value().buildId, second.value().buildId);
  EXPECT_EQ(first.value().image, second.value().image);
  EXPECT_EQ(secondProgress.front().buildId, first.value().buildId);
  EXPECT_EQ(first.calls, 1);
  EXPECT_EQ(second.calls, 1);
}

TEST_F(BuildQueue, RequestWithOtherInputsQueuesBehindTheRunningBuild) {
  const auto project = makeProject("App");
  playBuildTools(main(), false);
  Answer<BuildResult> first, second;
  service().build(project, {}, nullptr, first.callback());
  ASSERT_TRUE(until([&] { return main().juliaBuilds().size() == 1; }));
  BuildOptions generic;
  generic.cpuTarget = "generic";
  service().build(project, generic, nullptr, second.callback());
  drain();
  EXPECT_EQ(main().juliaBuilds().size(), 1u) << "one build per project at a time";
  finishJulia(*main().juliaBuilds()[0]);
  ASSERT_TRUE(until([&] { return first.result.has_value() && main().juliaBuilds().size() == 2; }));
  EXPECT_FALSE(second.result) << "the queued request waits for its own build";
  EXPECT_THAT(main().juliaBuilds()[1]->options.args, ::testing::Contains(HasSubstr("generic")));
  finishJulia(*main().juliaBuilds()[1]);
  ASSERT_TRUE(until([&] { return second.result.has_value(); }));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_NE(first.value().buildId, second.value().buildId);
}

TEST_F(BuildQueue, UnchangedInputsAnswerAtOnceWithThePublishedImage) {
  const auto project = makeProject("App");
  const BuildResult built = buildNow(project);
  const BuildResult again = buildNow(project);
  EXPECT_TRUE(again.cached);
  EXPECT_EQ(again.image, built.image);
  EXPECT_EQ(main().juliaBuilds().size(), 1u);
  // force builds anyway.
  Answer<BuildResult> forced;
  BuildOptions force;
  force.force = true;
  service().build(project, force, nullptr, forced.callback());
  ASSERT_TRUE(until([&] { return forced.result.has_value(); }));
  ASSERT_TRUE(forced.ok());
  EXPECT_FALSE(forced.value().cached);
  EXPECT_EQ(main().juliaBuilds().size(), 2u);
}

TEST_F(BuildQueue, BuildsOfTwoProjectsShareOneSlot) {
  const auto a = makeProject("A");
  const auto b = makeProject("B");
  playBuildTools(main(), false);
  Answer<BuildResult> first, second;
  std::vector<BuildProgressUpdate> secondProgress;
  service().build(a, {}, nullptr, first.callback());
  ASSERT_TRUE(until([&] { return main().juliaBuilds().size() == 1; }));
  service().build(b, {}, [&](const BuildProgressUpdate& u) { secondProgress.push_back(u); }, second.callback());
  ASSERT_TRUE(until([&] { return !secondProgress.empty(); }));
  EXPECT_EQ(secondProgress.back().message, "Waiting for another build to finish");
  EXPECT_EQ(main().juliaBuilds().size(), 1u) << "maxConcurrentBuilds is 1";
  finishJulia(*main().juliaBuilds()[0]);
  ASSERT_TRUE(until([&] { return main().juliaBuilds().size() == 2; }));
  EXPECT_NE(main().juliaBuilds()[1]->options.cwd->parent_path(), main().juliaBuilds()[0]->options.cwd->parent_path())
      << "the second build is B's";
  finishJulia(*main().juliaBuilds()[1]);
  ASSERT_TRUE(until([&] { return first.result && second.result; }));
  EXPECT_TRUE(first.ok());
  EXPECT_TRUE(second.ok());
  EXPECT_NE(first.value().image.parent_path(), second.value().image.parent_path()) << "one store per project";
}

TEST_F(BuildQueue, AnotherProcessHoldingBuildLockMakesTheBuildWait) {
  const auto project = makeProject("App");
  const fs::path store = statusOf(project).storeDir;
  auto other = std::make_unique<platform::FileLock>(store / "build.lock");  // another server process building
  ASSERT_TRUE(other->tryLock());
  playBuildTools(main(), true);
  Answer<BuildResult> answer;
  std::vector<BuildProgressUpdate> progress;
  service().build(project, {}, [&](const BuildProgressUpdate& u) { progress.push_back(u); }, answer.callback());
  ASSERT_TRUE(until([&] { return !progress.empty() && progress.back().message.find("editor") != std::string::npos; }));
  EXPECT_EQ(progress.back().message, "Waiting for another editor's build of this project");
  main().timers.advance(std::chrono::seconds(2));  // polled every 500 ms: still held
  drain();
  EXPECT_TRUE(main().juliaBuilds().empty());
  other.reset();
  main().timers.advance(std::chrono::milliseconds(500));
  ASSERT_TRUE(until([&] { return answer.result.has_value(); }));
  ASSERT_TRUE(answer.ok());
  EXPECT_FALSE(answer.value().cached);
  EXPECT_EQ(main().juliaBuilds().size(), 1u);
}

TEST_F(BuildQueue, SecondProcessReusesTheImageTheFirstOneBuiltMeanwhile) {
  const auto project = makeProject("App");
  ServiceInstance& second = addInstance();  // another editor's server on the same state directory
  playBuildTools(main(), false);
  playBuildTools(second, true);
  Answer<BuildResult> mine, theirs;
  service().build(project, {}, nullptr, mine.callback());
  ASSERT_TRUE(until([&] { return main().juliaBuilds().size() == 1; }));
  std::vector<BuildProgressUpdate> progress;
  second.service->build(project, {}, [&](const BuildProgressUpdate& u) { progress.push_back(u); }, theirs.callback());
  ASSERT_TRUE(until([&] { return !progress.empty() && progress.back().phase == "queued"; }));
  finishJulia(*main().juliaBuilds()[0]);
  ASSERT_TRUE(until([&] { return mine.result.has_value(); }));
  ASSERT_TRUE(mine.ok());
  second.timers.advance(std::chrono::milliseconds(500));  // the lock poll finds it free
  ASSERT_TRUE(until([&] { return theirs.result.has_value(); }));
  ASSERT_TRUE(theirs.ok());
  EXPECT_TRUE(theirs.value().cached);
  EXPECT_EQ(theirs.value().image, mine.value().image);
  EXPECT_TRUE(second.juliaBuilds().empty()) << "the second process must not build the same image again";
}

TEST_F(BuildQueue, FailedBuildAnswersWithTheReasonAndPublishesNothing) {
  const auto project = makeProject("App");
  main().launcher->onLaunch = [](Child& c) {
    c.output("ERROR: LoadError: something broke\n", true);
    c.exit(3);
  };
  Answer<BuildResult> answer;
  service().build(project, {}, nullptr, answer.callback());
  ASSERT_TRUE(until([&] { return answer.result.has_value(); }));
  ASSERT_EQ(answer.errorCode(), "buildFailed");
  const auto& error = std::get<ServiceError>(*answer.result);
  EXPECT_THAT(error.message, HasSubstr("exited with status 3"));
  EXPECT_FALSE(error.buildId.empty());
  const ProjectStatus status = statusOf(project);
  EXPECT_FALSE(status.image);
  ASSERT_TRUE(status.build);
  EXPECT_EQ(status.build->state, "failed");
}

}  // namespace
}  // namespace sysimage::service::testing

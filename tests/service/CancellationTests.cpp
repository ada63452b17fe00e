// In-process tests of per-request cancellation in SysimageService: a request's token withdraws that
// request only; a build (or queue entry, or measurement) stops when nobody waits for it any more;
// cancelBuild stops it for everyone; a TTFX measurement stops with its request.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/service/service_harness.h"

namespace sysimage::service::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class Cancellation : public ServiceHarness {};

TEST_F(Cancellation, CancellingOneOfTwoJoinedRequestsKeepsTheBuildForTheOther) {
  const auto project = makeProject("App");
  playBuildTools(main(), false);
  platform::CancellationSource firstCancel;
  Answer<BuildResult> first, second;
  service().build(project, {}, nullptr, first.callback(), firstCancel.token());
  ASSERT_TRUE(until([&] { return main().juliaBuilds().size() == 1; }));
  service().build(project, {}, nullptr, second.callback());
  drain();
  firstCancel.cancel();
  EXPECT_EQ(first.errorCode(), "cancelled") << "the cancelled request is answered at once";
  const auto julia = main().juliaBuilds()[0];
  EXPECT_THAT(julia->signals, IsEmpty()) << "another request still waits for the build";
  finishJulia(*julia);
  ASSERT_TRUE(until([&] { return second.result.has_value(); }));
  EXPECT_TRUE(second.ok());
  EXPECT_EQ(first.calls, 1) << "answered once, not again when the build ended";
}

TEST_F(Cancellation, CancellingTheLastWaitingRequestStopsTheBuild) {
  const auto project = makeProject("App");
  playBuildTools(main(), false);
  platform::CancellationSource cancel;
  Answer<BuildResult> answer;
  service().build(project, {}, nullptr, answer.callback(), cancel.token());
  ASSERT_TRUE(until([&] { return main().juliaBuilds().size() == 1; }));
  cancel.cancel();
  EXPECT_EQ(answer.errorCode(), "cancelled");
  const auto julia = main().juliaBuilds()[0];
  EXPECT_THAT(julia->signals, ElementsAre(SIGTERM));
  ASSERT_TRUE(until([&] {
    auto s = statusOf(project);
    return s.build && s.build->state == "cancelled";
  }));
  EXPECT_TRUE(main().links().empty());
  EXPECT_FALSE(statusOf(project).image) << "a cancelled build publishes nothing";
  EXPECT_EQ(answer.calls, 1);
}

TEST_F(Cancellation, CancelBuildStopsItForEveryRequest) {
  const auto project = makeProject("App");
  playBuildTools(main(), false);
  Answer<BuildResult> first, joined, queued;
  service().build(project, {}, nullptr, first.callback());
  ASSERT_TRUE(until([&] { return main().juliaBuilds().size() == 1; }));
  service().build(project, {}, nullptr, joined.callback());
  BuildOptions other;
  other.cpuTarget = "generic";
  service().build(project, other, nullptr, queued.callback());
  drain();
  EXPECT_TRUE(service().cancelBuild(project));
  EXPECT_EQ(queued.errorCode(), "cancelled");
  ASSERT_TRUE(until([&] { return first.result && joined.result; }));
  EXPECT_EQ(first.errorCode(), "cancelled");
  EXPECT_EQ(joined.errorCode(), "cancelled");
  EXPECT_THAT(main().juliaBuilds()[0]->signals, ElementsAre(SIGTERM));
  drain();
  EXPECT_EQ(main().juliaBuilds().size(), 1u) << "the queued build never starts";
  EXPECT_FALSE(service().cancelBuild(project)) << "nothing left to cancel";
}

TEST_F(Cancellation, CancelledQueuedRequestLeavesTheQueue) {
  const auto project = makeProject("App");
  playBuildTools(main(), false);
  Answer<BuildResult> running, queued;
  platform::CancellationSource cancelQueued;
  service().build(project, {}, nullptr, running.callback());
  ASSERT_TRUE(until([&] { return main().juliaBuilds().size() == 1; }));
  BuildOptions other;
  other.cpuTarget = "generic";
  service().build(project, other, nullptr, queued.callback(), cancelQueued.token());
  drain();
  cancelQueued.cancel();
  EXPECT_EQ(queued.errorCode(), "cancelled");
  EXPECT_THAT(main().juliaBuilds()[0]->signals, IsEmpty());
  finishJulia(*main().juliaBuilds()[0]);
  ASSERT_TRUE(until([&] { return running.result.has_value(); }));
  EXPECT_TRUE(running.ok());
  drain();
  EXPECT_EQ(main().juliaBuilds().size(), 1u) << "no build for a request that went away";
}

TEST_F(Cancellation, RequestCancelledBeforeJuliaIsProbedStartsNothing) {
  const auto project = makeProject("App");
  platform::CancellationSource cancel;
  cancel.cancel();
  Answer<BuildResult> answer;
  service().build(project, {}, nullptr, answer.callback(), cancel.token());
  EXPECT_EQ(answer.errorCode(), "cancelled");
  statusOf(project);  // Julia probed, the project open: everything queued has run
  drain();
  EXPECT_TRUE(main().launcher->children().empty());
  EXPECT_EQ(answer.calls, 1);
}

TEST_F(Cancellation, MeasurementRunsEachVariantThroughTheLauncher) {
  const auto project = makeProject("App");
  buildNow(project);
  const std::size_t before = main().launcher->children().size();
  Answer<Measurement> answer;
  service().measure(project, std::nullopt, 2, answer.callback());
  ASSERT_TRUE(until([&] { return answer.result.has_value(); }));
  ASSERT_TRUE(answer.ok()) << answer.errorCode();
  const Measurement& m = answer.value();
  EXPECT_EQ(m.runs, 2);
  EXPECT_EQ(m.bare.samples.size(), 2u);
  EXPECT_EQ(m.withoutImage.samples.size(), 2u);
  ASSERT_TRUE(m.withImage);
  EXPECT_EQ(m.withImage->samples.size(), 2u);
  const auto runs = main().measureRuns();
  ASSERT_EQ(runs.size(), 6u);
  ASSERT_EQ(main().launcher->children().size() - before, 6u);
  // Interleaved: bare, without, with — twice; the image only in the third of each round.
  EXPECT_THAT(runs[0]->options.args, ElementsAre("--startup-file=no", "-e", "0"));
  EXPECT_EQ(runs[1]->argAfter("-J"), "");
  EXPECT_EQ(runs[2]->argAfter("-J"), m.image);
  EXPECT_EQ(runs[1]->options.args.back(), m.workload);
  // Kept next to the image and shown in the status.
  const ProjectStatus status = statusOf(project);
  ASSERT_TRUE(status.image && status.image->ttfx);
  EXPECT_EQ(status.image->ttfx->withImage->samples.size(), 2u);
}

TEST_F(Cancellation, MeasurementStopsWithItsRequest) {
  const auto project = makeProject("App");
  playBuildTools(main(), true, /*holdMeasureRuns=*/true);
  platform::CancellationSource cancel;
  Answer<Measurement> answer;
  service().measure(project, std::nullopt, 3, answer.callback(), cancel.token());
  ASSERT_TRUE(until([&] { return main().measureRuns().size() == 1; }));
  const auto running = main().measureRuns()[0];
  cancel.cancel();
  EXPECT_EQ(answer.errorCode(), "cancelled");
  EXPECT_FALSE(running->running());
  EXPECT_TRUE(running->released()) << "the process is gone with its request";
  EXPECT_THAT(running->signals, ElementsAre(SIGKILL));
  drain();
  EXPECT_EQ(main().measureRuns().size(), 1u) << "no further runs";
  EXPECT_EQ(answer.calls, 1);
}

TEST_F(Cancellation, FailedWorkloadRunEndsTheMeasurementWithItsError) {
  const auto project = makeProject("App");
  main().launcher->onLaunch = [](Child& c) {
    if (c.options.args.back() == "0") return c.exit(0);
    c.output("ERROR: LoadError: UndefVarError: nope not defined\n", true);
    c.exit(1);
  };
  Answer<Measurement> answer;
  service().measure(project, std::nullopt, 3, answer.callback());
  ASSERT_TRUE(until([&] { return answer.result.has_value(); }));
  EXPECT_EQ(answer.errorCode(), "measureFailed");
  EXPECT_THAT(std::get<ServiceError>(*answer.result).message, ::testing::HasSubstr("UndefVarError: nope"));
  EXPECT_EQ(main().measureRuns().size(), 2u) << "stops at the first failure";
}

TEST_F(Cancellation, WorkloadRunOverTenMinutesIsKilledAndReportedAsTimedOut) {
  const auto project = makeProject("App");
  playBuildTools(main(), true, /*holdMeasureRuns=*/true);
  Answer<Measurement> answer;
  service().measure(project, std::nullopt, 1, answer.callback());
  ASSERT_TRUE(until([&] { return main().measureRuns().size() == 1; }));
  const auto running = main().measureRuns()[0];
  main().timers.advance(std::chrono::minutes(9));
  drain();
  EXPECT_TRUE(running->running()) << "not before 10 min";
  main().timers.advance(std::chrono::minutes(1));
  ASSERT_TRUE(until([&] { return answer.result.has_value(); }));
  EXPECT_THAT(running->signals, ElementsAre(SIGKILL));
  EXPECT_EQ(answer.errorCode(), "measureFailed");
  EXPECT_THAT(std::get<ServiceError>(*answer.result).message, ::testing::HasSubstr("timed out after 10 min"));
  EXPECT_EQ(main().measureRuns().size(), 1u) << "no further runs";
}

TEST_F(Cancellation, MeasurementThatCannotStartJuliaFailsWithTheReason) {
  const auto project = makeProject("App");
  main().launcher->failLaunch = [](const platform::ProcessOptions&) {
    return std::make_error_code(std::errc::no_such_file_or_directory);
  };
  Answer<Measurement> answer;
  service().measure(project, std::nullopt, 1, answer.callback());
  ASSERT_TRUE(until([&] { return answer.result.has_value(); }));
  EXPECT_EQ(answer.errorCode(), "measureFailed");
  EXPECT_THAT(std::get<ServiceError>(*answer.result).message, ::testing::HasSubstr("cannot start"));
}

TEST_F(Cancellation, MeasurementAfterABuildStopsWhenItsRequestIsCancelled) {
  const auto project = makeProject("App");
  playBuildTools(main(), true, /*holdMeasureRuns=*/true);
  platform::CancellationSource cancel;
  Answer<BuildResult> answer;
  BuildOptions measure;
  measure.measure = true;
  service().build(project, measure, nullptr, answer.callback(), cancel.token());
  ASSERT_TRUE(until([&] { return main().measureRuns().size() == 1; }));
  EXPECT_FALSE(answer.result) << "the answer waits for the measurement";
  cancel.cancel();
  EXPECT_EQ(answer.errorCode(), "cancelled");
  EXPECT_TRUE(main().measureRuns()[0]->released());
  EXPECT_TRUE(statusOf(project).image) << "the image built before the measurement stays published";
}

}  // namespace
}  // namespace sysimage::service::testing

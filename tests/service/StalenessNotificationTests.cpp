// In-process tests of what SysimageService tells its subscribers when a project's files change
// (fake watcher, manual timers): debounced staleness notifications with the package diff, and
// the rebuild offer made once per change set, remembered across server processes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/service/service_harness.h"

namespace sysimage::service::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class Subscriptions : public ServiceHarness {
 protected:
  struct Offer {
    RebuildOffer offer;
    std::function<void(std::optional<std::string>)> answer;
  };

  /// Subscribes to `instance` like an editor that has `project` open and can show offers.
  void subscribe(ServiceInstance& instance, const fs::path& project, bool handleRebuild = true) {
    SysimageService::Subscriber s;
    s.onStatus = [this](const ProjectStatus& status) { statuses_.push_back(status); };
    s.canOffer = [project](const fs::path& p) { return p == project; };
    s.offer = [this](const RebuildOffer& offer, std::function<void(std::optional<std::string>)> answer) {
      offers_.push_back(Offer{offer, std::move(answer)});
    };
    if (handleRebuild) s.onRebuild = [this](const fs::path& p) { rebuilds_.push_back(p); };
    instance.service->subscribe(std::move(s));
  }

  /// Pkg rewrote the manifest: the watcher reports it, the debounce and the status interval pass.
  void changeManifest(ServiceInstance& instance, const fs::path& project, const std::string& fixture) {
    useManifest(project, fixture);
    EXPECT_GE(instance.watcher->trigger(project / "Manifest.toml"), 1u) << "Manifest.toml is not watched";
    settle(instance);
  }
  void settle(ServiceInstance& instance) {
    drain();
    instance.timers.advance(300ms);  // the project files' debounce
    drain();
    instance.timers.advance(300ms);  // at most one status per 250 ms
    drain();
  }

  std::vector<ProjectStatus> statuses_;
  std::vector<Offer> offers_;
  std::vector<fs::path> rebuilds_;
};

TEST_F(Subscriptions, ManifestChangeIsReportedAfterTheDebounceWithThePackageDiff) {
  const auto project = makeProject("App");
  buildNow(project);
  subscribe(main(), project);
  settle(main());
  statuses_.clear();

  useManifest(project, "julia153_PkgApp_Manifest.after.toml");  // Pkg.update: Foo 0.1.0 -> 0.2.0
  ASSERT_GE(main().watcher->trigger(project / "Manifest.toml"), 1u);
  main().watcher->trigger(project / "Manifest.toml");  // editors and Pkg write in bursts
  drain();
  EXPECT_TRUE(statuses_.empty()) << "nothing before the debounce";
  main().timers.advance(300ms);
  drain();
  main().timers.advance(300ms);
  drain();
  ASSERT_EQ(statuses_.size(), 1u) << "one status for one burst of changes";
  const ProjectStatus& s = statuses_.back();
  EXPECT_EQ(s.project, project);
  EXPECT_EQ(s.staleness.state, "unsafe");
  ASSERT_EQ(s.staleness.diff.size(), 1u);
  EXPECT_EQ(s.staleness.diff[0].name, "Foo");
  EXPECT_EQ(s.staleness.diff[0].change, "upgraded");
  EXPECT_EQ(s.staleness.diff[0].oldValue, "0.1.0");
  EXPECT_EQ(s.staleness.diff[0].newValue, "0.2.0");
  ASSERT_TRUE(s.image);
  EXPECT_FALSE(s.image->usable);
}

TEST_F(Subscriptions, RebuildIsOfferedOncePerChangeSet) {
  const auto project = makeProject("App");
  buildNow(project);
  subscribe(main(), project);
  settle(main());
  ASSERT_TRUE(offers_.empty()) << "an up-to-date image needs no offer";

  changeManifest(main(), project, "julia153_PkgApp_Manifest.after.toml");
  ASSERT_EQ(offers_.size(), 1u);
  EXPECT_EQ(offers_[0].offer.project, project);
  EXPECT_THAT(offers_[0].offer.message, HasSubstr("Foo 0.1.0 → 0.2.0"));
  EXPECT_THAT(offers_[0].offer.actions, ::testing::ElementsAre("Rebuild", "Not now", "Don't ask for this project"));
  offers_[0].answer("Not now");

  // Back to the image's manifest and forward again: the same change set, no second offer.
  changeManifest(main(), project, "julia153_PkgApp_Manifest.before.toml");
  changeManifest(main(), project, "julia153_PkgApp_Manifest.after.toml");
  EXPECT_EQ(offers_.size(), 1u);
  EXPECT_EQ(statuses_.back().staleness.state, "unsafe");

  // A different change set (Pkg.develop added a package) is offered again.
  changeManifest(main(), project, "julia153_PkgApp_Manifest.develop.toml");
  ASSERT_EQ(offers_.size(), 2u);
  EXPECT_THAT(offers_[1].offer.message, HasSubstr("Dev"));
}

TEST_F(Subscriptions, OffersMadeAreRememberedByTheNextServerProcess) {
  const auto project = makeProject("App");
  buildNow(project);
  subscribe(main(), project);
  changeManifest(main(), project, "julia153_PkgApp_Manifest.after.toml");
  ASSERT_EQ(offers_.size(), 1u);
  main().service->shutdown();

  ServiceInstance& next = addInstance();  // the editor restarted its server
  subscribe(next, project);
  Answer<ProjectStatus> status;
  next.service->status(project, status.callback());
  ASSERT_TRUE(until([&] { return status.result.has_value(); }));
  settle(next);
  EXPECT_EQ(status.value().staleness.state, "unsafe");
  EXPECT_EQ(offers_.size(), 1u) << "rebuild-prompt.toml remembers the offer";
}

TEST_F(Subscriptions, RebuildAnswerStartsABuildAndNoOfferComesWhileItRuns) {
  const auto project = makeProject("App");
  buildNow(project);
  subscribe(main(), project, /*handleRebuild=*/false);  // the service builds by itself
  playBuildTools(main(), false);
  changeManifest(main(), project, "julia153_PkgApp_Manifest.after.toml");
  ASSERT_EQ(offers_.size(), 1u);
  offers_[0].answer("Rebuild");
  ASSERT_TRUE(until([&] { return main().juliaBuilds().size() == 2; }));
  changeManifest(main(), project, "julia153_PkgApp_Manifest.develop.toml");
  EXPECT_EQ(offers_.size(), 1u) << "no offer while a build of the project runs";
  finishJulia(*main().juliaBuilds()[1]);
  // The new image has Foo 0.2.0 but not Dev, added meanwhile: offered once the build is over.
  ASSERT_TRUE(until([&] { return offers_.size() == 2; }));
  EXPECT_THAT(offers_[1].offer.message, HasSubstr("Dev"));
  EXPECT_EQ(statusOf(project).staleness.state, "suggested");
}

TEST_F(Subscriptions, RebuildAnswerGoesToTheSubscriberThatShowedTheOffer) {
  const auto project = makeProject("App");
  buildNow(project);
  subscribe(main(), project);
  changeManifest(main(), project, "julia153_PkgApp_Manifest.after.toml");
  ASSERT_EQ(offers_.size(), 1u);
  offers_[0].answer("Rebuild");
  ASSERT_EQ(rebuilds_.size(), 1u);
  EXPECT_EQ(rebuilds_[0], project);
  drain();
  EXPECT_EQ(main().juliaBuilds().size(), 1u) << "the subscriber starts the build (with its own progress)";
}

}  // namespace
}  // namespace sysimage::service::testing

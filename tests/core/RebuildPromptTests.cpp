// Tests for the rebuild offer: when it is sent, its exact text and actions, change-set keys, and the
// persisted per-project prompt state.
#include "tests/core/temp_dir.h"
#include "server/core/rebuild_prompt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <random>

namespace sysimage::core {
namespace {

using ::testing::ElementsAre;
using K = ChangeKind;
using SK = SourceKind;

using testing::TempDir;

Staleness unsafeWithThreeChanges() {
  Staleness s;
  s.state = StalenessState::unsafe;
  s.imageKey = "2025-03-01T00:00:00Z fnv1a64:0000000000000001";
  s.diff.changes = {
      {K::upgraded, "CSV", "336ed68f-0bac-5ca0-87d4-7b16caf5d00b", "0.10.9", "0.10.11", SK::registry, SK::registry},
      {K::removed, "JSON", "682c06a0-de6a-54ab-a142-c8b1cf79cde6", "0.21.4", std::nullopt, SK::registry, std::nullopt},
      {K::devSourcesChanged, "Mine", "12345678-aaaa-bbbb-cccc-1234567890ab", "0.1.0", "0.1.0", SK::path, SK::path}};
  for (const PackageChange& c : s.diff.changes) s.reasons.push_back(c.describe());
  return s;
}

Staleness suggestedByStatements(std::uint64_t count) {
  Staleness s;
  s.state = StalenessState::suggested;
  s.imageKey = "2025-03-01T00:00:00Z fnv1a64:0000000000000001";
  s.statementThresholdReached = true;
  s.newStatements = count;
  s.reasons = {std::to_string(count) + " new precompile statements since the build"};
  return s;
}

const PromptContext kReady{.clientSupportsShowMessageRequest = true, .buildRunning = false};

TEST(RebuildPromptTest, OffersWithTheExactTextAndActions) {
  const RebuildPromptDecision d = decideRebuildPrompt("MyProject", unsafeWithThreeChanges(), PromptState{}, kReady);
  ASSERT_TRUE(d.offer) << d.skipReason;
  EXPECT_EQ(d.message, "Sysimage for MyProject is out of date: CSV 0.10.9 → 0.10.11 and 2 more.");
  EXPECT_THAT(d.actions, ElementsAre("Rebuild", "Not now", "Don't ask for this project"));
  EXPECT_EQ(d.changeKey, changeSetKey(unsafeWithThreeChanges()));
  EXPECT_TRUE(d.skipReason.empty());
}

TEST(RebuildPromptTest, SuggestedMessages) {
  RebuildPromptDecision d = decideRebuildPrompt("P", suggestedByStatements(250), PromptState{}, kReady);
  ASSERT_TRUE(d.offer);
  EXPECT_EQ(d.message, "Sysimage for P is out of date: 250 new precompile statements since the build.");

  Staleness s = suggestedByStatements(250);
  s.diff.changes = {{K::added, "Plots", "91a5bcdd-55d7-5caf-9e0b-520d859cae80", std::nullopt, "1.40.0", std::nullopt, SK::registry}};
  d = decideRebuildPrompt("P", s, PromptState{}, kReady);
  EXPECT_EQ(d.message, "Sysimage for P is out of date: Plots 1.40.0 added and 1 more.");
}

TEST(RebuildPromptTest, OnlyForSuggestedOrUnsafe) {
  for (StalenessState state : {StalenessState::none, StalenessState::upToDate, StalenessState::unusable}) {
    Staleness s = unsafeWithThreeChanges();
    s.state = state;
    const RebuildPromptDecision d = decideRebuildPrompt("P", s, PromptState{}, kReady);
    EXPECT_FALSE(d.offer) << toString(state);
    EXPECT_EQ(d.skipReason, "the sysimage is " + std::string(toString(state)));
    EXPECT_TRUE(d.message.empty());
  }
}

TEST(RebuildPromptTest, NeverWhenTheUserSaidDontAsk) {
  PromptState state;
  state.dontAsk = true;
  const RebuildPromptDecision d = decideRebuildPrompt("P", unsafeWithThreeChanges(), state, kReady);
  EXPECT_FALSE(d.offer);
  EXPECT_EQ(d.skipReason, "the user chose \"Don't ask for this project\"");
}

TEST(RebuildPromptTest, NotWithoutShowMessageRequestOrWhileBuilding) {
  RebuildPromptDecision d = decideRebuildPrompt("P", unsafeWithThreeChanges(), PromptState{}, PromptContext{});
  EXPECT_FALSE(d.offer);
  EXPECT_EQ(d.skipReason, "the client does not support window/showMessageRequest");
  d = decideRebuildPrompt("P", unsafeWithThreeChanges(), PromptState{},
                          PromptContext{.clientSupportsShowMessageRequest = true, .buildRunning = true});
  EXPECT_FALSE(d.offer);
  EXPECT_EQ(d.skipReason, "a build for this project is running");
}

TEST(RebuildPromptTest, OncePerDistinctChangeSet) {
  PromptState state;
  RebuildPromptDecision d = decideRebuildPrompt("P", suggestedByStatements(100), state, kReady);
  ASSERT_TRUE(d.offer);
  state.recordOffer(d.changeKey);
  // More statements: the same change set, no new offer.
  d = decideRebuildPrompt("P", suggestedByStatements(180), state, kReady);
  EXPECT_FALSE(d.offer);
  EXPECT_EQ(d.skipReason, "this change set was offered before");
  // A package change on top is a new change set.
  Staleness s = unsafeWithThreeChanges();
  d = decideRebuildPrompt("P", s, state, kReady);
  ASSERT_TRUE(d.offer);
  state.recordOffer(d.changeKey);
  EXPECT_FALSE(decideRebuildPrompt("P", s, state, kReady).offer);
  // After a rebuild (another image) the same kind of change is offered again.
  s.imageKey = "2025-04-01T00:00:00Z fnv1a64:0000000000000002";
  EXPECT_TRUE(decideRebuildPrompt("P", s, state, kReady).offer);
}

TEST(ChangeSetKeyTest, StableAndSensitiveToWhatMatters) {
  const Staleness base = unsafeWithThreeChanges();
  EXPECT_THAT(changeSetKey(base), ::testing::MatchesRegex("fnv1a64:[0-9a-f]{16}"));
  EXPECT_EQ(changeSetKey(base), changeSetKey(unsafeWithThreeChanges()));
  Staleness other = base;
  other.diff.changes[0].newVersion = "0.10.12";
  EXPECT_NE(changeSetKey(other), changeSetKey(base));
  other = base;
  other.state = StalenessState::suggested;
  EXPECT_NE(changeSetKey(other), changeSetKey(base));
  other = base;
  other.reasons.push_back("wording does not matter");
  EXPECT_EQ(changeSetKey(other), changeSetKey(base));
  EXPECT_EQ(changeSetKey(suggestedByStatements(100)), changeSetKey(suggestedByStatements(5000)));
}

TEST(PromptAnswerTest, MapsActionTitles) {
  EXPECT_EQ(promptAnswerFrom(std::string_view("Rebuild")), PromptAnswer::rebuild);
  EXPECT_EQ(promptAnswerFrom(std::string_view("Not now")), PromptAnswer::notNow);
  EXPECT_EQ(promptAnswerFrom(std::string_view("Don't ask for this project")), PromptAnswer::dontAsk);
  EXPECT_EQ(promptAnswerFrom(std::nullopt), PromptAnswer::dismissed);
  EXPECT_EQ(promptAnswerFrom(std::string_view("rebuild")), PromptAnswer::dismissed);
}

TEST(PromptStateTest, RecordOfferKeepsTheNewestKeysOnce) {
  PromptState s;
  for (int i = 0; i < 40; ++i) s.recordOffer("k" + std::to_string(i));
  s.recordOffer("k39");
  ASSERT_EQ(s.offeredKeys.size(), PromptState::kMaxOfferedKeys);
  EXPECT_EQ(s.offeredKeys.front(), "k8");
  EXPECT_EQ(s.offeredKeys.back(), "k39");
  EXPECT_FALSE(s.wasOffered("k7"));
  EXPECT_TRUE(s.wasOffered("k8"));
}

TEST(PromptStateTest, SaveAndLoad) {
  TempDir dir;
  EXPECT_EQ(loadPromptState(dir.path()), PromptState{});  // no file yet
  PromptState s;
  s.dontAsk = true;
  s.recordOffer("fnv1a64:0123456789abcdef");
  s.recordOffer("key with \"quotes\" and \\ backslash");
  savePromptState(dir.path(), s);
  EXPECT_EQ(loadPromptState(dir.path()), s);
  s.dontAsk = false;
  savePromptState(dir.path(), s);
  EXPECT_EQ(loadPromptState(dir.path()), s);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1u);
  EXPECT_EQ(promptStatePath(dir.path()), dir.path() / "rebuild-prompt.toml");
}

TEST(PromptStateTest, DamagedFileIsAClearError) {
  TempDir dir;
  std::ofstream(promptStatePath(dir.path())) << "dont_ask = maybe\n";
  try {
    loadPromptState(dir.path());
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.kind, ParseErrorKind::syntax);
    EXPECT_EQ(e.line, 1);
  }
  std::ofstream(promptStatePath(dir.path())) << "dont_ask = true\noffered = [1, 2]\n";
  try {
    loadPromptState(dir.path());
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.kind, ParseErrorKind::wrongType);
    EXPECT_EQ(e.key, "offered");
    EXPECT_EQ(e.line, 2);
  }
}

TEST(PromptStateTest, SaveIntoMissingDirectoryThrows) {
  EXPECT_THROW(savePromptState("/nonexistent/prompt-dir", PromptState{}), std::system_error);
}

}  // namespace
}  // namespace sysimage::core
